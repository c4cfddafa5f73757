// The main job (for now): build a residual skip and a dense (concat) skip, backpropagate
// through them, print the gradients, and prove them with gradcheck.
//
//   npm run demo
import { Generator, type Tensor, concat, gradcheck, matmul, randn, tensor } from '@skipgrad/autograd';

const rule = (title: string): void => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);
const generator = new Generator(2026);
const opts = { dtype: 'float64' as const, requiresGrad: true, generator };

// One small layer f(x) = tanh(x·W + b), shared by both skips.
const W = randn([3, 3], opts).mul(0.5).detach();
const b = tensor([0.1, -0.2, 0.3], { dtype: 'float64' });
const f = (x: Tensor): Tensor => matmul(x, W).add(b).tanh();

rule('residual skip: y = x + f(x)  (ResNet)');
const x = randn([2, 3], opts);
const y = x.add(f(x));
console.log('x =', String(x));
console.log('y =', String(y));
y.sum().backward();
console.log('dL/dx for L = sum(y):', String(x.grad!));
console.log('The identity path contributes 1 to every entry; f adds J_fᵀ·1 on top:');
x.zeroGrad();
f(x).sum().backward();
console.log('  through f alone:   ', String(x.grad!));

rule('dense skip: h = concat([x, f(x)], 1)  (DenseNet, U-Net)');
const x2 = randn([2, 3], opts);
const h = concat([x2, f(x2)], 1);
console.log('h has shape', JSON.stringify(h.shape), '— x and f(x) side by side');
const g = tensor(
  [
    [1, 1, 1, 10, 10, 10],
    [1, 1, 1, 10, 10, 10],
  ],
  { dtype: 'float64' },
);
h.backward(g);
console.log('upstream gradient g =', String(g));
console.log('dL/dx = g[:, :3] + J_fᵀ·g[:, 3:] =', String(x2.grad!));

rule('gradcheck: analytical gradients against finite differences (float64)');
const residualReport = gradcheck((x) => x.add(f(x)), [randn([2, 3], opts)], { name: 'residual x + f(x)' });
console.log(residualReport.toString());
const denseReport = gradcheck((x) => concat([x, f(x)], 1), [randn([2, 3], opts)], { name: 'dense concat([x, f(x)])' });
console.log(denseReport.toString());

rule('what a failure looks like: a deliberately wrong derivative');
const wrongReport = gradcheck((x) => x.mul(x.detach()), [tensor([0.5, -1.5, 2], opts)], {
  name: 'x·x with one factor detached (its derivative misses x)',
  throwOnFailure: false,
});
console.log(wrongReport.toString());

if (!residualReport.ok || !denseReport.ok || wrongReport.ok) process.exit(1);
console.log('\nAll checks behaved as expected.');
