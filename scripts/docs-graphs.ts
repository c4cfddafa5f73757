// Renders the graphs shown in docs/: a residual block, after a traced backward pass, so its
// edges carry gradient norms and its shortcut is drawn in red.  npm run docs:graphs
import { Generator, randn, toDot, traceBackward, writeSvg } from '@skipgrad/autograd';
import { Linear, ReLU, Residual, Sequential } from '@skipgrad/nn';

const g = new Generator(7);
const block = new Residual(
  new Sequential(new Linear(4, 4, { generator: g }), new ReLU(), new Linear(4, 4, { generator: g })),
);
const x = randn([2, 4], { generator: g, requiresGrad: true });
const y = block.forward(x).relu();
const loss = y.sum();
const trace = traceBackward(() => loss.backward());
const names = [...block.namedParameters()];
await writeSvg(loss, 'docs/residual-block.svg', { names, trace });
console.log(toDot(loss, { names, trace }));
console.log('\nbackward trace:\n' + trace.toString());
console.log('\nwrote docs/residual-block.svg');
