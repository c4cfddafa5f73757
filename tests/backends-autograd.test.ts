// Every autograd op, forward and backward, on each device backend against the CPU backend: the
// wasm backend, and gpujs in each gpu.js mode this machine runs ('cpu', 'webasm'; 'gpu' — real
// GLSL — where headless-gl has a context, which CI guarantees). Values are generated; shapes
// cover broadcasting, transposed (non-contiguous) views, rank 0 and zero-size. A training loop
// checks transfers (and, for gpujs, compiles).
import { createRequire } from 'node:module';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test as plainTest } from 'vitest';
import {
  Generator,
  type Tensor,
  adaptiveAvgPool2d,
  forgettingTemporaries,
  avgPool2d,
  clamp,
  concat,
  conv2d,
  convTranspose2d,
  dropout,
  fold,
  gather,
  gelu,
  getBackend,
  logSoftmax,
  maskedSelect,
  linear,
  matmul,
  maxPool2d,
  pad,
  scatterAdd,
  setBackend,
  softmax,
  split,
  stack,
  tensor,
  tidy,
  unfold,
  upsampleNearest,
  where,
} from '@skipgrad/autograd';
import {
  type Backend,
  type GpujsBackend,
  type WasmBackend,
  cpuBackend,
  createGpujsBackend,
  createWasmBackend,
} from '@skipgrad/kernels';
import { Linear, ReLU, SGD, Sequential, crossEntropy } from '@skipgrad/nn';
import { runScript, runs } from './support.js';

const glAvailable = (createRequire(import.meta.url)('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } }).GPU
  .isHeadlessGLSupported;
const MODES: ('cpu' | 'webasm' | 'gpu')[] = ['cpu', 'webasm', ...(glAvailable ? ['gpu' as const] : [])];

/** A device backend under test: its label, how to make it, and whether results live off the host. */
interface Device {
  label: string;
  make: () => Promise<GpujsBackend | WasmBackend>;
  onDevice: boolean;
}
const DEVICES: Device[] = [
  { label: 'wasm', make: async () => createWasmBackend(), onDevice: false },
  ...MODES.map((mode) => ({
    label: `gpujs '${mode}' mode`,
    make: () => createGpujsBackend({ mode }),
    onDevice: mode === 'gpu',
  })),
];

interface Case {
  name: string;
  shapes: number[][];
  fn: (...xs: Tensor[]) => Tensor;
  /** Inputs kept positive (log, sqrt, pow's base). */
  positive?: boolean;
}

const CASES: Case[] = [
  { name: 'add (broadcast)', shapes: [[2, 3], [3]], fn: (a, b) => a.add(b) },
  {
    name: 'sub (broadcast)',
    shapes: [
      [2, 1, 3],
      [4, 1],
    ],
    fn: (a, b) => a.sub(b),
  },
  {
    name: 'mul',
    shapes: [
      [3, 2],
      [3, 2],
    ],
    fn: (a, b) => a.mul(b),
  },
  { name: 'div', shapes: [[3, 2], [2]], fn: (a, b) => a.div(b), positive: true },
  { name: 'pow', shapes: [[4], [4]], fn: (a, b) => a.pow(b), positive: true },
  { name: 'neg exp tanh sigmoid', shapes: [[2, 3]], fn: (a) => a.neg().exp().add(a.tanh()).mul(a.sigmoid()) },
  { name: 'log sqrt', shapes: [[5]], fn: (a) => a.log().add(a.sqrt()), positive: true },
  { name: 'relu abs erf', shapes: [[2, 2, 2]], fn: (a) => a.relu().add(a.abs()).add(a.erf()) },
  {
    name: 'gelu (exact, tanh) clamp',
    shapes: [[6]],
    fn: (a) =>
      gelu(a)
        .add(gelu(a, { approximate: 'tanh' }))
        .add(clamp(a, -0.5, 0.5)),
  },
  {
    name: 'sum mean over axes',
    shapes: [[2, 3, 4]],
    fn: (a) =>
      a
        .sum(1)
        .sum(0)
        .add(a.mean([0, 2], true).sum()),
  },
  { name: 'max (axis and all)', shapes: [[3, 4]], fn: (a) => a.max(1).add(a.max()) },
  {
    name: 'softmax logSoftmax logSumExp',
    shapes: [[2, 5]],
    fn: (a) => softmax(a, 1).add(logSoftmax(a, 0)).add(a.logSumExp(1, true)),
  },
  {
    name: 'matmul (batched, transposed view)',
    shapes: [
      [2, 3, 4],
      [4, 3],
    ],
    fn: (a, b) => matmul(a, b).add(matmul(b.transpose(0, 1), a.transpose(1, 2)).transpose(1, 2)),
  },
  { name: 'matmul (vector)', shapes: [[4], [4, 2]], fn: (a, b) => matmul(a, b) },
  {
    name: 'linear (bias and ReLU fused, leading axes)',
    shapes: [[2, 3, 4], [5, 4], [5]],
    fn: (x, w, b) => linear(x, w, b, { relu: true }).add(linear(x, w)),
  },
  {
    name: 'reshape permute expand slice',
    shapes: [[2, 3, 4]],
    fn: (a) =>
      a
        .permute([2, 0, 1])
        .reshape([4, 6])
        .slice([
          [1, 3],
          [0, 6],
        ])
        .expand([3, 2, 6]),
  },
  {
    name: 'pad concat stack',
    shapes: [
      [2, 3],
      [2, 2],
    ],
    fn: (a, b) =>
      concat(
        [
          pad(
            a,
            [
              [1, 0],
              [0, 2],
            ],
            0.5,
          ),
          pad(b, [
            [1, 0],
            [1, 2],
          ]),
        ],
        1,
      ).add(stack([a, a], 0).sum(0).sum()),
  },
  {
    name: 'where',
    shapes: [
      [3, 3],
      [3, 3],
    ],
    fn: (a, b) => where(a.relu(), a, b),
  },
  {
    name: 'gather scatterAdd',
    shapes: [[3, 4]],
    fn: (a) =>
      scatterAdd(
        [3, 4],
        1,
        tensor([
          [0, 1],
          [3, 3],
          [2, 0],
        ]),
        gather(
          a,
          1,
          tensor([
            [0, 1],
            [3, 3],
            [2, 0],
          ]),
        ),
      ),
  },
  {
    name: 'unfold fold',
    shapes: [[1, 2, 4, 5]],
    fn: (a) => fold(unfold(a, 3, { padding: 1, stride: [1, 2] }), [4, 5], 3, { padding: 1, stride: [1, 2] }),
  },
  {
    name: 'conv2d (stride, padding, groups)',
    shapes: [[2, 4, 5, 5], [4, 2, 3, 3], [4]],
    fn: (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 }),
  },
  {
    name: 'convTranspose2d',
    shapes: [
      [1, 2, 3, 3],
      [2, 3, 2, 2],
    ],
    fn: (x, w) => convTranspose2d(x, w, null, { stride: 2 }),
  },
  {
    name: 'pools and upsample',
    shapes: [[1, 2, 6, 6]],
    fn: (x) =>
      maxPool2d(x, 2).add(avgPool2d(x, 2)).add(adaptiveAvgPool2d(x, 3)).sum().add(upsampleNearest(x, 2).mean()),
  },
  { name: 'cast to float32 (identity)', shapes: [[3]], fn: (a) => a.to('float32').mul(2) },
  { name: 'dropout (seeded mask)', shapes: [[4, 5]], fn: (a) => dropout(a, 0.3, { generator: new Generator(11) }) },
  { name: 'maskedSelect', shapes: [[3, 4]], fn: (a) => maskedSelect(a, a.relu()) },
  {
    name: 'split narrow squeeze unsqueeze flatten',
    shapes: [[2, 1, 6]],
    fn: (a) =>
      split(a.squeeze(1), [2, 4], 1)[1]!
        .unsqueeze(0)
        .flatten()
        .add(a.narrow(2, 1, 4).flatten()),
  },
  { name: 'rank 0', shapes: [[], []], fn: (a, b) => a.mul(b).exp() },
  { name: 'zero-size', shapes: [[0, 3], [3]], fn: (a, b) => a.add(b).sum(0) },
];

/** Output and input gradients of `fn` at `values`, on the backend in use, as plain arrays. */
function evaluate(c: Case, values: number[][], upstream: number[]): { out: number[]; grads: number[][] } {
  const xs = c.shapes.map((shape, i) => tensor(Float32Array.from(values[i]!), { shape, requiresGrad: true }));
  const y = c.fn(...xs);
  const g = tensor(Float32Array.from(upstream.slice(0, y.size)), { shape: y.shape });
  y.backward(g);
  return {
    out: Array.from(y.data.toTypedArray()),
    grads: xs.map((x) => Array.from(x.grad ? x.grad.data.toTypedArray() : new Float32Array(x.size))),
  };
}

const close = (got: number[], want: number[], what: string): void => {
  expect(got.length, what).toBe(want.length);
  got.forEach((v, i) => {
    if (Number.isNaN(want[i]!))
      expect(v, `${what}[${i}]`).toBeNaN(); // the mean of nothing
    else
      expect(Math.abs(v - want[i]!), `${what}[${i}]: ${v} vs ${want[i]}`).toBeLessThanOrEqual(
        5e-5 * (1 + Math.abs(want[i]!)),
      );
  });
};

/** Runs the case on the CPU backend, then on `gpu`, and compares outputs and gradients. */
function expectSameOnBoth(gpu: Backend, c: Case, values: number[][], upstream: number[]): void {
  setBackend(cpuBackend);
  const want = evaluate(c, values, upstream);
  setBackend(gpu);
  try {
    const got = evaluate(c, values, upstream);
    close(got.out, want.out, 'output');
    got.grads.forEach((g, i) => close(g, want.grads[i]!, `grad ${i}`));
  } finally {
    setBackend(cpuBackend);
  }
}

const valuesFor = (c: Case): fc.Arbitrary<number[][]> =>
  fc.tuple(
    ...c.shapes.map((shape) => {
      const n = shape.reduce((p, s) => p * s, 1);
      // Multiples of 1/64: exact in float32, no subnormals (GPUs flush those to 0, so relu′ of
      // 1e-45 is 0 there and 1 on the CPU), and ties for max that both sides see as ties.
      const v = fc.integer(c.positive ? { min: 16, max: 128 } : { min: -128, max: 128 }).map((k) => k / 64);
      return fc.array(v, { minLength: n, maxLength: n });
    }),
  );

describe.each(DEVICES.map((d) => [d.label, d] as const))(
  'autograd on the %s backend equals the CPU backend',
  (_, device) => {
    let gpu: GpujsBackend | WasmBackend;
    beforeAll(async () => {
      gpu = await device.make();
    });
    const gpuOf = (): GpujsBackend => gpu as GpujsBackend;
    afterAll(() => {
      setBackend(cpuBackend);
      if ('destroy' in gpu) gpu.destroy();
    });

    describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
      test.prop(
        [
          valuesFor(c),
          fc.array(
            fc.integer({ min: -64, max: 64 }).map((k) => k / 64),
            { minLength: 256, maxLength: 256 },
          ),
        ],
        runs(8),
      )('forward and backward', (values, upstream) => {
        expectSameOnBoth(gpu, c, values, upstream);
      });
    });

    // Generated shapes: broadcasting pairs (rank 0 to 3, sides 0 to 3), one side transposed (a
    // non-contiguous view), through elementwise, reduction and matmul ops, forward and backward.
    const side = fc.integer({ min: 0, max: 3 });
    const shapePair = fc
      .tuple(fc.array(side, { maxLength: 3 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.nat(3))
      .map(
        ([a, ones, cut]) =>
          [a, a.slice(Math.min(cut, a.length)).map((s, i) => (ones[i] ? 1 : s))] as [number[], number[]],
      );
    const transposed = (t: Tensor): Tensor => (t.rank >= 2 ? t.transpose(0, -1).mul(1).transpose(0, -1) : t);
    const generated: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ['a·b + a − b', (a, b) => a.mul(b).add(a).sub(transposed(b))],
      [
        'tanh(a)·sigmoid(b) summed over the last axis',
        (a, b) => (a.rank ? a.tanh().mul(b.sigmoid()).sum(-1) : a.tanh().mul(b.sigmoid())),
      ],
      [
        'max over all, mean over the first axis',
        (a, b) =>
          a
            .add(b)
            .mean(a.rank ? 0 : undefined)
            .add(a.size ? a.max() : 0),
      ],
    ];
    describe.each(generated)('generated shapes: %s', (_, fn) => {
      test.prop(
        [
          shapePair.chain(([sa, sb]) => fc.tuple(fc.constant([sa, sb]), valuesFor({ name: '', shapes: [sa, sb], fn }))),
          fc.array(
            fc.integer({ min: -64, max: 64 }).map((k) => k / 64),
            { minLength: 64, maxLength: 64 },
          ),
        ],
        runs(25),
      )('forward and backward', ([shapes, values], upstream) => {
        expectSameOnBoth(gpu, { name: '', shapes: [...shapes], fn }, values, upstream);
      });
    });

    plainTest('a training loop reads back only what it asks for (and compiles each kernel once)', () => {
      setBackend(gpu);
      try {
        const g = new Generator(3);
        const model = new Sequential(
          new Linear(8, 16, { generator: g }),
          new ReLU(),
          new Linear(16, 4, { generator: g }),
        );
        const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
        const x = tensor(
          Float32Array.from({ length: 32 * 8 }, () => g.normal()),
          { shape: [32, 8] },
        );
        const labels = Array.from({ length: 32 }, (_, i) => i % 4);
        const step = (): Tensor => {
          opt.zeroGrad();
          const loss = crossEntropy(model.forward(x), labels);
          loss.backward();
          opt.step();
          return loss;
        };
        const first = step().item();
        step();
        const before = gpu.stats();
        let loss = step();
        for (let i = 0; i < 20; i++) loss = step();
        const after = gpu.stats();
        if ('compiles' in after && 'compiles' in before)
          expect(after.compiles, 'kernels compiled after warm-up').toBe(before.compiles);
        // Each step hands the device only what is new on the host: the 32 labels (as a one-hot
        // gather index); scalars (learning rate, momentum) are uploaded once and reused.
        expect((after.uploadedValues - before.uploadedValues) / 21, 'values uploaded per step').toBeLessThanOrEqual(32);
        // gpujs keeps results on the device; the wasm backend copies each result out once, by design.
        if (device.label.startsWith('gpujs'))
          expect(after.downloads, 'values read back between steps').toBe(before.downloads);
        expect(loss.item()).toBeLessThan(first);
        if (device.onDevice) expect(gpu.stats().downloads).toBe(after.downloads + 1);
      } finally {
        setBackend(cpuBackend);
      }
    });

    plainTest('toArrayAsync and itemAsync read a device result once, like toArray', async () => {
      setBackend(gpu);
      try {
        const y = tensor([
          [1, 2],
          [3, 4],
        ])
          .mul(2)
          .transpose(0, 1);
        const total = y.sum();
        const before = gpu.stats().downloads;
        expect(await y.toArrayAsync()).toEqual([
          [2, 6],
          [4, 8],
        ]);
        expect(await total.itemAsync()).toBe(20);
        expect(y.toArray()).toEqual([
          [2, 6],
          [4, 8],
        ]); // already on the host: no second download
        expect(gpu.stats().downloads - before).toBe(device.onDevice ? 2 : 0);
      } finally {
        setBackend(cpuBackend);
      }
    });

    // The wasm backend's results are host arrays (its memory is only a cache): nothing to dispose.
    if (device.label.startsWith('gpujs'))
      plainTest('dispose and tidy free device memory at once', () => {
        const gpu = gpuOf();
        setBackend(gpu);
        try {
          const x = tensor([1, 2, 3]);
          x.exp().dispose(); // on a device x is uploaded once, and its device copy stays while x lives
          const start = gpu.stats().live;
          const a = x.exp();
          expect(gpu.stats().live).toBe(start + 1);
          a.dispose();
          expect(gpu.stats().live).toBe(start);
          expect(() => a.toArray()).toThrow('disposed');
          const kept = tidy(() => x.exp().mul(2).add(1).sum());
          expect(gpu.stats().live).toBe(start + 1);
          expect(kept.item()).toBeCloseTo(2 * (Math.E + Math.E ** 2 + Math.E ** 3) + 3, 3);
          kept.dispose();
        } finally {
          setBackend(cpuBackend);
        }
      });
  },
);

plainTest('tidy and forgettingTemporaries refuse what is not a function', () => {
  expect(() => tidy(42 as never)).toThrow("tidy: argument 'fn' expected a function to run, got 42");
  expect(() => forgettingTemporaries(42 as never)).toThrow(
    "forgettingTemporaries: argument 'fn' expected a function to run, got 42",
  );
});

plainTest('setBackend switches back to the CPU after these tests', () => {
  expect(getBackend().name).toBe('cpu');
});

plainTest(
  'the default backend: wasm where SIMD exists, SKIPGRAD_BACKEND=cpu|wasm chooses, anything else is refused by name',
  async () => {
    const script = `
    const { getBackend, tensor } = await import('@skipgrad/autograd');
    try { tensor([1, 2]).add(1); console.log(getBackend().name); } catch (e) { console.log(e.message); }
    process.exit(0);`;
    expect((await runScript(script, { SKIPGRAD_BACKEND: '' })).stdout.trim()).toBe('wasm');
    expect((await runScript(script, { SKIPGRAD_BACKEND: 'cpu' })).stdout.trim()).toBe('cpu');
    expect((await runScript(script, { SKIPGRAD_BACKEND: 'gpu' })).stdout.trim()).toBe(
      `getBackend: argument 'SKIPGRAD_BACKEND' expected 'cpu' or 'wasm' (or unset), got "gpu"`,
    );
  },
  120_000,
);
