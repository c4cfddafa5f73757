// skipgrad's CPU and gpujs backends beside tfjs-backend-cpu, tfjs-backend-wasm and js-pytorch,
// in one process, round-robin (harness.mjs): matmul 128/512/1024, add 1M, broadcast add
// [1024,1024]+[1024], concat [64,256,32]×2 on axis 1, and one training step of an MLP
// 784-256-256-10 at batch 64 (forward, backward, SGD update).
//
// Every timed call includes reading the result back to the host (for the training step: the
// loss), so a backend that only enqueues work on a GPU is charged for finishing it.
//   usage: npm run bench:backends          (after npm run setup; installs bench/ deps)
//   env:   REPS, WARMUP, SKIP=substring,…   MODES=webasm,gpu (gpujs modes; default: webasm, and gpu when GL works)
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { torch } from 'js-pytorch';
import { concat, matmul, setBackend, tensor } from '../packages/autograd/dist/index.js';
import { cpuBackend, createGpujsBackend } from '../packages/kernels/dist/index.js';
import { Linear, ReLU, SGD, Sequential, crossEntropy } from '../packages/nn/dist/index.js';
import { print, run } from './harness.mjs';

const require = createRequire(import.meta.url);
tfwasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
await tf.setBackend('wasm');
await tf.setBackend('cpu');

const SKIP = (process.env.SKIP ?? '').split(',').filter(Boolean);
const gpuMod = require(require.resolve('gpu.js', { paths: [new URL('../packages/kernels', import.meta.url).pathname] }));
const MODES = (process.env.MODES ?? ['webasm', ...(gpuMod.GPU.isHeadlessGLSupported ? ['gpu'] : [])].join(',')).split(',');
const backends = [{ name: 'skipgrad cpu', backend: cpuBackend }];
for (const mode of MODES) backends.push({ name: `skipgrad gpujs ${mode}`, backend: await createGpujsBackend({ mode }) });

function randF32(n, seed = 1, scale = 1) {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 4294967296 - 0.5) * scale; }
  return a;
}
const toNested = (f, rows, cols) => Array.from({ length: rows }, (_, i) => Array.from(f.subarray(i * cols, (i + 1) * cols)));

/** skipgrad systems: `make()` builds inputs on the backend, `step(inputs)` returns a tensor to read back. */
function skipgradSystems(label, make, step) {
  return backends.map(({ name, backend }) => {
    let inputs;
    return {
      name: `${name} ${label}`,
      before: () => setBackend(backend),
      setup: () => { setBackend(backend); inputs = make(); },
      fn: () => { step(inputs).data.toTypedArray(); },
    };
  });
}
const tfSystems = (label, make, step) => ['cpu', 'wasm'].map((be) => {
  let inputs;
  return {
    name: `tfjs-${be} ${label}`,
    before: () => tf.setBackend(be),
    setup: async () => { await tf.setBackend(be); inputs = make(); },
    fn: () => { const y = tf.tidy(() => step(inputs)); y.dataSync(); y.dispose(); },
  };
});

async function section(title, systems, work = {}) {
  const rows = await run(systems.filter((s) => !SKIP.some((k) => s.name.includes(k))), { warmup: 2, reps: 7 });
  print(title, rows, { ...work, ratioTo: rows.find((r) => r.name.startsWith('skipgrad cpu')).name });
  // Each skipgrad backend against each peer: time / the peer's time (below 1: skipgrad is faster).
  const peers = rows.filter((r) => !r.name.startsWith('skipgrad'));
  for (const r of rows.filter((x) => x.name.startsWith('skipgrad'))) {
    console.log(`  ratios  ${r.name.padEnd(32)} ${peers.map((p) => `${(r.median / p.median).toFixed(2)}× ${p.name.split(' ')[0]}`).join('  ')}`);
  }
}

for (const n of [128, 512, 1024]) {
  const a = randF32(n * n, 1);
  const b = randF32(n * n, 2);
  await section(`matmul ${n}×${n}`, [
    ...skipgradSystems('', () => [tensor(a, { shape: [n, n] }), tensor(b, { shape: [n, n] })], ([x, y]) => matmul(x, y)),
    ...tfSystems('', () => [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])], ([x, y]) => tf.matMul(x, y)),
    ...(n <= 512 ? [{ name: 'js-pytorch', setup() { this.x = torch.tensor(toNested(a, n, n)); this.y = torch.tensor(toNested(b, n, n)); }, fn() { torch.matmul(this.x, this.y); } }] : []),
  ], { flop: 2 * n * n * n });
}

{
  const N = 1 << 20;
  const a = randF32(N, 3);
  const b = randF32(N, 4);
  await section('add 1M', [
    ...skipgradSystems('', () => [tensor(a, { shape: [N] }), tensor(b, { shape: [N] })], ([x, y]) => x.add(y)),
    ...tfSystems('', () => [tf.tensor1d(a), tf.tensor1d(b)], ([x, y]) => tf.add(x, y)),
    { name: 'js-pytorch', setup() { this.x = torch.tensor(Array.from(a)); this.y = torch.tensor(Array.from(b)); }, fn() { torch.add(this.x, this.y); } },
  ]);
  const row = randF32(1024, 5);
  await section('broadcast add [1024,1024] + [1024]', [
    ...skipgradSystems('', () => [tensor(a, { shape: [1024, 1024] }), tensor(row, { shape: [1024] })], ([x, y]) => x.add(y)),
    ...tfSystems('', () => [tf.tensor2d(a, [1024, 1024]), tf.tensor1d(row)], ([x, y]) => tf.add(x, y)),
    { name: 'js-pytorch', setup() { this.x = torch.tensor(toNested(a, 1024, 1024)); this.y = torch.tensor(Array.from(row)); }, fn() { torch.add(this.x, this.y); } },
  ]);
}

{
  const a = randF32(64 * 256 * 32, 6);
  const b = randF32(64 * 256 * 32, 7);
  await section('concat [64,256,32]×2 on axis 1 (js-pytorch has no concat)', [
    ...skipgradSystems('', () => [tensor(a, { shape: [64, 256, 32] }), tensor(b, { shape: [64, 256, 32] })], ([x, y]) => concat([x, y], 1)),
    ...tfSystems('', () => [tf.tensor3d(a, [64, 256, 32]), tf.tensor3d(b, [64, 256, 32])], ([x, y]) => tf.concat([x, y], 1)),
  ]);
}

{
  const B = 64;
  const dims = [784, 256, 256, 10];
  const x = randF32(B * 784, 8);
  const labels = Array.from({ length: B }, (_, i) => (i * 7) % 10);
  const W0 = [randF32(784 * 256, 11, 2 * Math.sqrt(6 / 784)), randF32(256 * 256, 12, 2 * Math.sqrt(6 / 256)), randF32(256 * 10, 13, 2 * Math.sqrt(6 / 256))];
  const flop = 2 * B * (784 * 256 + 256 * 256 + 256 * 10) * 2 + 2 * B * (256 * 256 + 256 * 10);
  const skipgrad = backends.map(({ name, backend }) => {
    let model; let opt; let X;
    return {
      name: `${name} step (SGD)`,
      before: () => setBackend(backend),
      setup: () => {
        setBackend(backend);
        model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
        opt = new SGD(model.parameters(), { lr: 0.01 });
        X = tensor(x, { shape: [B, 784] });
      },
      fn: () => { opt.zeroGrad(); const loss = crossEntropy(model.forward(X), labels); loss.backward(); opt.step(); loss.item(); },
    };
  });
  const tfs = ['cpu', 'wasm'].map((be) => {
    const ctx = {};
    return {
      name: `tfjs-${be} step (SGD minimize)`,
      before: () => tf.setBackend(be),
      setup: async () => {
        await tf.setBackend(be);
        ctx.W = W0.map((w, i) => tf.variable(tf.tensor2d(w, [dims[i], dims[i + 1]])));
        ctx.b = [1, 2, 3].map((i) => tf.variable(tf.zeros([dims[i]])));
        ctx.X = tf.tensor2d(x, [B, 784]);
        ctx.Y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
        ctx.sgd = tf.train.sgd(0.01);
        ctx.loss = () => {
          const h1 = tf.relu(tf.add(tf.matMul(ctx.X, ctx.W[0]), ctx.b[0]));
          const h2 = tf.relu(tf.add(tf.matMul(h1, ctx.W[1]), ctx.b[1]));
          return tf.losses.softmaxCrossEntropy(ctx.Y, tf.add(tf.matMul(h2, ctx.W[2]), ctx.b[2]));
        };
      },
      fn: () => { const l = ctx.sgd.minimize(ctx.loss, true); l.dataSync(); l.dispose(); },
    };
  });
  class MLP extends torch.nn.Module {
    constructor() {
      super();
      this.l1 = new torch.nn.Linear(784, 256); this.r1 = new torch.nn.ReLU();
      this.l2 = new torch.nn.Linear(256, 256); this.r2 = new torch.nn.ReLU();
      this.l3 = new torch.nn.Linear(256, 10);
    }
    forward(v) { return this.l3.forward(this.r2.forward(this.l2.forward(this.r1.forward(this.l1.forward(v))))); }
  }
  const jsp = {
    name: 'js-pytorch step (Adam, its only optimizer)',
    setup() { this.m = new MLP(); this.ce = new torch.nn.CrossEntropyLoss(); this.opt = new torch.optim.Adam(this.m.parameters(), 1e-3); this.X = torch.tensor(toNested(x, B, 784)); this.Y = torch.tensor(labels); },
    fn() { const loss = this.ce.forward(this.m.forward(this.X), this.Y); loss.backward(); this.opt.step(); this.opt.zero_grad(); },
  };
  await section('MLP 784-256-256-10 training step, batch 64', [...skipgrad, ...tfs, jsp], { flop });
}
setBackend(cpuBackend);
process.exit(0);
