// What tracing costs: backward through a 20-layer residual MLP (batch 32, width 64) with
// tracing off (the default: the engine reads one variable per node) and on (traceBackward
// summarises every gradient). No dependencies beyond the built packages.
//   node scripts/setup.mjs && node bench/trace-overhead.mjs
import { Generator, randn, traceBackward } from '../packages/autograd/dist/index.js';
import { mlp } from '../packages/nn/dist/index.js';
import { print, run } from './harness.mjs';

const g = new Generator(1);
const net = mlp({ inFeatures: 64, width: 64, depth: 20, classes: 10, kind: 'residual', generator: g });
const x = randn([32, 64], { generator: g });
const step = () => { net.zeroGrad(); net.forward(x).pow(2).mean().backward(); };
const rows = await run([
  { name: 'forward+backward, tracing off', fn: step },
  { name: 'forward+backward, tracing on', fn: () => { traceBackward(step); } },
], { warmup: 3, reps: 15 });
print('tracing cost, 20-layer residual MLP, batch 32, width 64', rows, { ratioTo: 'forward+backward, tracing off' });
