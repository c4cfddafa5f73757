// conv2d on [8, 16, 32, 32], 16 → 16 channels, 3×3, stride 1, padding 1, float32:
// skipgrad's CPU backend against tfjs-backend-cpu and tfjs-backend-wasm (which run NHWC),
// side by side in one process: forward; forward + dX; forward + dX + dW (tfjs-wasm has no
// filter-gradient kernel, so it appears in the first two only).
//   npm run bench:conv2d        (REPS=…, WARMUP=… to change the counts)
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers the gradient functions
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { Generator, conv2d, grad, randn } from '../packages/autograd/dist/index.js';
import { print, run } from './harness.mjs';

const require = createRequire(import.meta.url);
tfwasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/');
await tf.setBackend('wasm');
await tf.setBackend('cpu');

const [N, C, H, W, O, K] = [8, 16, 32, 32, 16, 3];
const FLOP = 2 * N * O * H * W * C * K * K;
const g = new Generator(1);
const x = randn([N, C, H, W], { generator: g, requiresGrad: true });
const w = randn([O, C, K, K], { generator: g, requiresGrad: true });
const dy = randn([N, O, H, W], { generator: g });

const systems = [
  { name: 'skipgrad cpu fwd', fn: () => { conv2d(x.detach(), w.detach(), null, { padding: 1 }); } },
  { name: 'skipgrad cpu fwd+dX', fn: () => { grad([conv2d(x, w.detach(), null, { padding: 1 })], [x], { gradOutputs: [dy] }); } },
  { name: 'skipgrad cpu fwd+dX+dW', fn: () => { grad([conv2d(x, w, null, { padding: 1 })], [x, w], { gradOutputs: [dy] }); } },
];
for (const backend of ['cpu', 'wasm']) {
  const t = {};
  const setup = async () => {
    await tf.setBackend(backend);
    t.x = tf.tensor4d(x.data.toTypedArray(), [N, H, W, C]);
    t.f = tf.tensor4d(w.data.toTypedArray(), [K, K, C, O]);
    t.dy = tf.tensor4d(dy.data.toTypedArray(), [N, H, W, O]);
    t.grads = tf.grads((a, f) => tf.conv2d(a, f, 1, 'same'));
    t.gradX = tf.grads((a) => tf.conv2d(a, t.f, 1, 'same'));
  };
  const before = () => tf.setBackend(backend);
  systems.push({ name: `tfjs-${backend} fwd`, setup, before, fn: () => { tf.conv2d(t.x, t.f, 1, 'same').dispose(); } });
  systems.push({ name: `tfjs-${backend} fwd+dX`, before, fn: () => { t.gradX([t.x], t.dy).forEach((d) => d.dispose()); } });
  if (backend === 'cpu') systems.push({ name: `tfjs-${backend} fwd+dX+dW`, before, fn: () => { t.grads([t.x, t.f], t.dy).forEach((d) => d.dispose()); } });
}
const rows = await run(systems, { warmup: 2, reps: 7 });
print('conv2d [8,16,32,32] 16->16 3x3 pad 1, forward', rows.filter((r) => r.name.endsWith(' fwd')), { flop: FLOP, ratioTo: 'skipgrad cpu fwd' });
print('conv2d [8,16,32,32] 16->16 3x3 pad 1, forward + dX', rows.filter((r) => r.name.endsWith('fwd+dX')), { flop: 2 * FLOP, ratioTo: 'skipgrad cpu fwd+dX' });
print('conv2d [8,16,32,32] 16->16 3x3 pad 1, forward + dX + dW', rows.filter((r) => r.name.endsWith('fwd+dX+dW')), { flop: 3 * FLOP, ratioTo: 'skipgrad cpu fwd+dX+dW' });
process.exit(0);
