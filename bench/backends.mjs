// skipgrad's backends beside the JavaScript engines a user compares it with, in one process,
// round-robin (harness.mjs): tfjs (cpu and wasm backends), onnxruntime-web (wasm, 2 threads),
// jax-js (wasm, jit), js-pytorch. Benchmarks: matmul 128/512/1024; add 1M, broadcast add,
// concat; an MLP 784-256-256-10 at batch 64 (forward; training step = forward, backward, SGD);
// conv2d [8,16,32,32] 16→16 3×3 (forward; forward + dX + dW); the per-op cost of a small op.
//
// Every timed call includes reading the result back to the host (for a training step: the
// loss), so an engine that only enqueues work is charged for finishing it. Mixed work runs in
// this one process, as a training program's would (JS loops slow down once shared).
//   usage: npm run bench:backends        (after npm run setup; installs bench/ deps)
//   env:   REPS, WARMUP, SKIP=substring,…  ONLY=substring of a section's title  MODES=webasm,gpu  (gpujs modes: none by default)
//          ORT_IDLE_MS (untimed idle after each onnxruntime-web call, default 50)
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { torch } from 'js-pytorch';
import * as jax from '@jax-js/jax';
import { concat, conv2d, matmul, noGrad, setBackend, tensor } from '../packages/autograd/dist/index.js';
import { cpuBackend, createGpujsBackend, createWasmBackend } from '../packages/kernels/dist/index.js';
import { Linear, ReLU, SGD, Sequential, crossEntropy } from '../packages/nn/dist/index.js';
import { print, run } from './harness.mjs';
import { addModel, concatModel, convModel, matmulModel, mlpModel } from './onnx-graph.mjs';

const require = createRequire(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SKIP = (process.env.SKIP ?? '').split(',').filter(Boolean);

// ── engines ────────────────────────────────────────────────────────────────────────────────
tfwasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
await tf.setBackend('wasm');
await tf.setBackend('cpu');

// jax-js: init before onnxruntime-web, which sets a global Worker that jax-js would then try
// to use; around every jax call the global is cleared again (before/after hooks).
await jax.init('wasm');
jax.defaultDevice('wasm');
const np = jax.numpy;
let savedWorker;
const jaxHooks = { before: () => { savedWorker = globalThis.Worker; delete globalThis.Worker; }, after: () => { if (savedWorker) globalThis.Worker = savedWorker; } };
const jaxArray = (f32, shape) => np.array(f32).reshape(shape);

// onnxruntime-web fixes its thread count at its first session; its pool spins ~20 ms after a
// run, so each of its turns is followed by 50 ms of idle time (untimed).
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 2;
const ortSession = (bytes) => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const ortTensor = (f32, dims) => new ort.Tensor('float32', f32, dims);
const ortIdle = () => sleep(Number(process.env.ORT_IDLE_MS ?? 50));

const gpuMod = require(require.resolve('gpu.js', { paths: [new URL('../packages/kernels', import.meta.url).pathname] }));
const MODES = (process.env.MODES ?? '').split(',').filter(Boolean);
const wasm = createWasmBackend();
const backends = [
  { name: 'skipgrad cpu', backend: cpuBackend },
  { name: `skipgrad wasm ${wasm.info().threads}t`, backend: wasm },
  { name: 'skipgrad wasm 1t', backend: createWasmBackend({ threads: 1 }) },
];
for (const mode of MODES) backends.push({ name: `skipgrad gpujs ${mode}`, backend: await createGpujsBackend({ mode }) });
void gpuMod;

function randF32(n, seed = 1, scale = 1) {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 4294967296 - 0.5) * scale; }
  return a;
}
const toNested = (f, rows, cols) => Array.from({ length: rows }, (_, i) => Array.from(f.subarray(i * cols, (i + 1) * cols)));

/** skipgrad systems: `make()` builds inputs on the backend, `step(inputs)` returns a tensor to read back. */
function skipgradSystems(label, make, step, only = () => true) {
  return backends.filter(only).map(({ name, backend }) => {
    let inputs;
    return {
      name: `${name}${label}`,
      before: () => setBackend(backend),
      setup: () => { setBackend(backend); inputs = make(); },
      fn: () => { step(inputs).data.toTypedArray(); },
    };
  });
}
const tfSystems = (label, make, step, kinds = ['cpu', 'wasm']) => kinds.map((be) => {
  let inputs;
  return {
    name: `tfjs-${be}${label}`,
    before: () => tf.setBackend(be),
    setup: async () => { await tf.setBackend(be); inputs = make(); },
    fn: () => { const y = tf.tidy(() => step(inputs)); y.dataSync(); y.dispose(); },
  };
});
function jaxSystem(label, make, fn) {
  let inputs;
  return { name: `jax-js${label}`, ...jaxHooks, setup: async () => { jaxHooks.before(); inputs = make(); await fn(inputs); jaxHooks.after(); }, fn: () => fn(inputs) };
}
function ortSystem(label, model, feeds, output) {
  let session;
  return { name: `onnxruntime-web 2t${label}`, after: ortIdle, setup: async () => { session = await ortSession(model); }, fn: async () => { (await session.run(feeds))[output].data; } };
}

const ONLY = process.env.ONLY;
// Rounds per section: 7, and 25 where every call is well under a millisecond (matmul 128, the
// memory-bound ops, the small op). Those single cold calls scatter by ±30% from round to round
// on these VMs, so a median of 7 put skipgrad's matmul 128 at 0.82× and 1.18× the best peer in
// two runs on one day; 25 rounds cost a second or two more.
const FAST_REPS = 25;
async function section(title, systems, { reps = 7, ...work } = {}) {
  if (ONLY && !title.includes(ONLY)) return;
  const rows = await run(systems.filter((s) => !SKIP.some((k) => s.name.includes(k))), { warmup: 2, reps });
  const wasmRow = rows.find((r) => r.name.startsWith('skipgrad wasm') && !r.name.includes(' 1t'));
  print(title, rows, { ...work, ratioTo: wasmRow?.name });
  // Each skipgrad backend against each peer: time / the peer's time (below 1: skipgrad is faster).
  const peers = rows.filter((r) => !r.name.startsWith('skipgrad'));
  for (const r of rows.filter((x) => x.name.startsWith('skipgrad'))) {
    console.log(`  ratios  ${r.name.padEnd(36)} ${peers.map((p) => `${(r.median / p.median).toFixed(2)}× ${p.name.split(' ')[0]}`).join('  ')}`);
  }
}

// ── matmul ─────────────────────────────────────────────────────────────────────────────────
for (const n of [128, 512, 1024]) {
  const a = randF32(n * n, 1);
  const b = randF32(n * n, 2);
  await section(`matmul ${n}×${n}`, [
    ...skipgradSystems('', () => [tensor(a, { shape: [n, n] }), tensor(b, { shape: [n, n] })], ([x, y]) => matmul(x, y)),
    ...tfSystems('', () => [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])], ([x, y]) => tf.matMul(x, y), n <= 512 ? ['cpu', 'wasm'] : ['wasm']),
    ortSystem('', matmulModel(n), { A: ortTensor(a, [n, n]), B: ortTensor(b, [n, n]) }, 'C'),
    jaxSystem('', () => ({ f: jax.jit((x, y) => np.matmul(x, y)), x: jaxArray(a, [n, n]), y: jaxArray(b, [n, n]) }), async (s) => s.f(s.x.ref, s.y.ref).data()),
    ...(n <= 128 ? [{ name: 'js-pytorch', setup() { this.x = torch.tensor(toNested(a, n, n)); this.y = torch.tensor(toNested(b, n, n)); }, fn() { torch.matmul(this.x, this.y); } }] : []),
  ], { flop: 2 * n * n * n, reps: n <= 128 ? FAST_REPS : 7 });
}

// ── memory-bound ops ───────────────────────────────────────────────────────────────────────
{
  const N = 1 << 20;
  const a = randF32(N, 3);
  const b = randF32(N, 4);
  await section('add 1M (12 MB moved)', [
    ...skipgradSystems('', () => [tensor(a, { shape: [N] }), tensor(b, { shape: [N] })], ([x, y]) => x.add(y)),
    ...tfSystems('', () => [tf.tensor1d(a), tf.tensor1d(b)], ([x, y]) => tf.add(x, y)),
    ortSystem('', addModel([N], [N], [N]), { A: ortTensor(a, [N]), B: ortTensor(b, [N]) }, 'C'),
    jaxSystem('', () => ({ f: jax.jit((x, y) => x.add(y)), x: jaxArray(a, [N]), y: jaxArray(b, [N]) }), async (s) => s.f(s.x.ref, s.y.ref).data()),
  ], { bytes: 12 * N, reps: FAST_REPS });
  const row = randF32(1024, 5);
  await section('broadcast add [1024,1024] + [1024]', [
    ...skipgradSystems('', () => [tensor(a, { shape: [1024, 1024] }), tensor(row, { shape: [1024] })], ([x, y]) => x.add(y)),
    ...tfSystems('', () => [tf.tensor2d(a, [1024, 1024]), tf.tensor1d(row)], ([x, y]) => tf.add(x, y)),
    ortSystem('', addModel([1024, 1024], [1024], [1024, 1024]), { A: ortTensor(a, [1024, 1024]), B: ortTensor(row, [1024]) }, 'C'),
    jaxSystem('', () => ({ f: jax.jit((x, y) => x.add(y)), x: jaxArray(a, [1024, 1024]), y: jaxArray(row, [1024]) }), async (s) => s.f(s.x.ref, s.y.ref).data()),
  ], { bytes: 8 * N, reps: FAST_REPS });
  const c1 = randF32(64 * 256 * 32, 6);
  const c2 = randF32(64 * 256 * 32, 7);
  await section('concat [64,256,32]×2 on axis 1', [
    ...skipgradSystems('', () => [tensor(c1, { shape: [64, 256, 32] }), tensor(c2, { shape: [64, 256, 32] })], ([x, y]) => concat([x, y], 1)),
    ...tfSystems('', () => [tf.tensor3d(c1, [64, 256, 32]), tf.tensor3d(c2, [64, 256, 32])], ([x, y]) => tf.concat([x, y], 1)),
    ortSystem('', concatModel([64, 256, 32], 1), { A: ortTensor(c1, [64, 256, 32]), B: ortTensor(c2, [64, 256, 32]) }, 'C'),
    jaxSystem('', () => ({ f: jax.jit((x, y) => np.concatenate([x, y], 1)), x: jaxArray(c1, [64, 256, 32]), y: jaxArray(c2, [64, 256, 32]) }), async (s) => s.f(s.x.ref, s.y.ref).data()),
  ], { bytes: 4 * 4 * c1.length, reps: FAST_REPS });
}

// ── the MLP ────────────────────────────────────────────────────────────────────────────────
{
  const B = 64;
  const dims = [784, 256, 256, 10];
  const x = randF32(B * 784, 8);
  const labels = Array.from({ length: B }, (_, i) => (i * 7) % 10);
  const oneHot = Float32Array.from({ length: B * 10 }, (_, i) => (labels[Math.floor(i / 10)] === i % 10 ? 1 : 0));
  const W0 = [0, 1, 2].map((l) => randF32(dims[l] * dims[l + 1], 11 + l, 2 * Math.sqrt(6 / dims[l])));
  const b0 = [0, 1, 2].map((l) => new Float32Array(dims[l + 1]));
  const flop = 2 * B * (784 * 256 + 256 * 256 + 256 * 10) * 2 + 2 * B * (256 * 256 + 256 * 10);
  const skipgradMlp = (backend) => {
    setBackend(backend);
    return new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
  };
  const jaxMlp = (p, xs) => {
    const h1 = jax.nn.relu(np.matmul(xs, p.W[0]).add(p.b[0]));
    const h2 = jax.nn.relu(np.matmul(h1, p.W[1]).add(p.b[1]));
    return np.matmul(h2, p.W[2]).add(p.b[2]);
  };
  const jaxParams = () => ({ W: W0.map((w, l) => jaxArray(w, [dims[l], dims[l + 1]])), b: b0.map((b) => jaxArray(b, [b.length])) });
  const tfVars = () => ({ W: W0.map((w, l) => tf.variable(tf.tensor2d(w, [dims[l], dims[l + 1]]))), b: b0.map((b) => tf.variable(tf.tensor1d(b))) });
  const tfMlp = (v, X) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(X, v.W[0]), v.b[0])), v.W[1]), v.b[1])), v.W[2]), v.b[2]);

  await section('MLP 784-256-256-10 forward, batch 64', [
    ...backends.map(({ name, backend }) => {
      let model; let X;
      return { name: `${name} forward`, before: () => setBackend(backend), setup: () => { model = skipgradMlp(backend); X = tensor(x, { shape: [B, 784] }); }, fn: () => noGrad(() => model.forward(X)).data.toTypedArray() };
    }),
    ...['wasm'].map((be) => {
      let v; let X;
      return { name: `tfjs-${be} forward`, before: () => tf.setBackend(be), setup: async () => { await tf.setBackend(be); v = tfVars(); X = tf.tensor2d(x, [B, 784]); }, fn: () => { const y = tf.tidy(() => tfMlp(v, X)); y.dataSync(); y.dispose(); } };
    }),
    ortSystem(' forward', mlpModel(B, dims, W0, b0), { X: ortTensor(x, [B, 784]) }, 'Y'),
    jaxSystem(' forward (jit)', () => ({ f: jax.jit((p, xs) => jaxMlp(p, xs)), p: jaxParams(), x: jaxArray(x, [B, 784]) }), async (s) => s.f(jax.tree.ref(s.p), s.x.ref).data()),
  ], { flop: 2 * B * (784 * 256 + 256 * 256 + 256 * 10) });

  await section('MLP 784-256-256-10 training step (forward, backward, SGD), batch 64', [
    ...backends.map(({ name, backend }) => {
      let model; let opt; let X;
      return {
        name: `${name} step`, before: () => setBackend(backend),
        setup: () => { model = skipgradMlp(backend); opt = new SGD(model.parameters(), { lr: 0.01 }); X = tensor(x, { shape: [B, 784] }); },
        fn: () => { opt.zeroGrad(); const loss = crossEntropy(model.forward(X), labels); loss.backward(); opt.step(); loss.item(); },
      };
    }),
    ...['cpu', 'wasm'].map((be) => {
      let v; let X; let Y; let sgd;
      return {
        name: `tfjs-${be} step (minimize)`, before: () => tf.setBackend(be),
        setup: async () => { await tf.setBackend(be); v = tfVars(); X = tf.tensor2d(x, [B, 784]); Y = tf.tensor2d(oneHot, [B, 10]); sgd = tf.train.sgd(0.01); },
        fn: () => { const l = sgd.minimize(() => tf.losses.softmaxCrossEntropy(Y, tfMlp(v, X)), true); l.dataSync(); l.dispose(); },
      };
    }),
    (() => {
      let s;
      const lossFn = (p, xs, ys) => np.sum(ys.mul(jax.nn.logSoftmax(jaxMlp(p, xs), -1))).mul(-1 / B);
      const step = jax.jit((p, xs, ys) => {
        const [l, g] = jax.valueAndGrad(lossFn)(jax.tree.ref(p), xs, ys);
        return [jax.tree.map((pi, gi) => pi.sub(gi.mul(0.01)), p, g), l];
      });
      const once = async () => { const [p, l] = step(s.p, s.x.ref, s.y.ref); s.p = p; return (await l.data())[0]; };
      return { name: 'jax-js step (jit(valueAndGrad) + SGD)', ...jaxHooks, setup: async () => { jaxHooks.before(); s = { p: jaxParams(), x: jaxArray(x, [B, 784]), y: jaxArray(oneHot, [B, 10]) }; await once(); jaxHooks.after(); }, fn: once };
    })(),
  ], { flop });
}

// ── conv2d ─────────────────────────────────────────────────────────────────────────────────
{
  const xs = [8, 16, 32, 32];
  const ws = [16, 16, 3, 3];
  const x = randF32(8 * 16 * 32 * 32, 21);
  const w = randF32(16 * 16 * 9, 22, 0.5);
  const flop = 2 * 8 * 16 * 32 * 32 * 16 * 9;
  const nhwc = (f) => { const out = new Float32Array(f.length); for (let n = 0; n < 8; n++) for (let c = 0; c < 16; c++) for (let i = 0; i < 1024; i++) out[(n * 1024 + i) * 16 + c] = f[(n * 16 + c) * 1024 + i]; return out; };
  const hwio = Float32Array.from({ length: w.length }, (_, i) => { const o = i % 16; const ci = Math.floor(i / 16) % 16; const k = Math.floor(i / 256); return w[(o * 16 + ci) * 9 + k]; });
  await section('conv2d [8,16,32,32] 16→16 3×3 padding 1, forward', [
    ...skipgradSystems(' forward', () => [tensor(x, { shape: xs }), tensor(w, { shape: ws })], ([a, k]) => conv2d(a, k, null, { padding: 1 })),
    ...tfSystems(' forward (NHWC)', () => [tf.tensor4d(nhwc(x), [8, 32, 32, 16]), tf.tensor4d(hwio, [3, 3, 16, 16])], ([a, k]) => tf.conv2d(a, k, 1, 'same')),
    ortSystem(' forward', convModel(xs, ws, w), { X: ortTensor(x, xs) }, 'Y'),
    jaxSystem(' forward (jit)', () => ({ f: jax.jit((a, k) => jax.lax.conv(a, k, [1, 1], 'SAME')), x: jaxArray(x, xs), w: jaxArray(w, ws) }), async (s) => s.f(s.x.ref, s.w.ref).data()),
  ], { flop });
  await section('conv2d same, forward + dX + dW', [
    ...backends.map(({ name, backend }) => {
      let a; let k;
      return {
        name: `${name} fwd+dX+dW`, before: () => setBackend(backend),
        setup: () => { setBackend(backend); a = tensor(x, { shape: xs, requiresGrad: true }); k = tensor(w, { shape: ws, requiresGrad: true }); },
        fn: () => { a.grad = null; k.grad = null; conv2d(a, k, null, { padding: 1 }).sum().backward(); a.grad.data.toTypedArray(); k.grad.data.toTypedArray(); },
      };
    }),
    // tfjs-wasm has no Conv2DBackpropFilter kernel: only tfjs-cpu can take this gradient.
    ...['cpu'].map((be) => {
      let a; let k;
      const g = tf.grads((p, q) => tf.sum(tf.conv2d(p, q, 1, 'same')));
      return {
        name: `tfjs-${be} fwd+dX+dW (tf.grads)`, before: () => tf.setBackend(be),
        setup: async () => { await tf.setBackend(be); a = tf.tensor4d(nhwc(x), [8, 32, 32, 16]); k = tf.tensor4d(hwio, [3, 3, 16, 16]); },
        fn: () => { const [da, dk] = g([a, k]); da.dataSync(); dk.dataSync(); da.dispose(); dk.dispose(); },
      };
    }),
    jaxSystem(' fwd+dX+dW (jit(grad))', () => ({
      f: jax.jit(jax.grad((a, k) => np.sum(jax.lax.conv(a, k, [1, 1], 'SAME')), { argnums: [0, 1] })), x: jaxArray(x, xs), w: jaxArray(w, ws),
    }), async (s) => { const [da, dk] = s.f(s.x.ref, s.w.ref); await da.data(); await dk.data(); }),
  ], { flop: 3 * flop });
}

// ── the cost of one small op ───────────────────────────────────────────────────────────────
{
  const a = randF32(32 * 64, 31);
  const b = randF32(32 * 64, 32);
  const ones = new Float32Array(32 * 64).fill(1);
  await section('per-op cost: [32,64] add, forward + backward', [
    ...backends.map(({ name, backend }) => {
      let x; let y; let g;
      return {
        name: `${name} add fwd+bwd`, before: () => setBackend(backend),
        setup: () => { setBackend(backend); x = tensor(a, { shape: [32, 64], requiresGrad: true }); y = tensor(b, { shape: [32, 64], requiresGrad: true }); g = tensor(ones, { shape: [32, 64] }); },
        fn: () => { x.grad = null; y.grad = null; x.add(y).backward(g); x.grad.data.toTypedArray(); },
      };
    }),
    ...['cpu', 'wasm'].map((be) => {
      let x; let y;
      const grads = tf.grads((p, q) => tf.add(p, q));
      return { name: `tfjs-${be} add fwd+bwd (tf.grads)`, before: () => tf.setBackend(be), setup: async () => { await tf.setBackend(be); x = tf.tensor2d(a, [32, 64]); y = tf.tensor2d(b, [32, 64]); }, fn: () => { const [dx, dy] = grads([x, y]); dx.dataSync(); dx.dispose(); dy.dispose(); } };
    }),
    jaxSystem(' add fwd+bwd (grad, eager)', () => ({ f: jax.grad((p, q) => np.sum(p.add(q))), x: jaxArray(a, [32, 64]), y: jaxArray(b, [32, 64]) }), async (s) => s.f(s.x.ref, s.y.ref).data()),
    ortSystem(' add forward only', addModel([32, 64], [32, 64], [32, 64]), { A: ortTensor(a, [32, 64]), B: ortTensor(b, [32, 64]) }, 'C'),
   ], { reps: FAST_REPS });
}

wasm.close();
setBackend(cpuBackend);
process.exit(0);
