// The wasm backend against the CPU reference: the shared kernel parity suite, then what only
// this backend has — SIMD paths and cache blocking (sizes past the 4-lane tails, the 4 × 8
// tiles and the k and row blocks of matmul), the float64 route to the reference kernels,
// residency (a chain of kernels copies nothing in or out), and its memory.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { afterAll, describe, expect, test as plainTest } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import { BINARY_OPS, UNARY_OPS, cpuBackend as cpu, createWasmBackend } from '../src/index.js';
import { coalesce } from '../src/wasm/layout.js';
import { WasmHeap, sizeClass } from '../src/wasm/heap.js';
import { runScript, runs } from '../../../tests/support.js';
import { expectClose, kernelParity, view } from './parity.js';

const wasm = createWasmBackend({ threads: 1 });
// Two threads, every splittable kernel split however small: the threaded paths see the same cases.
const wasm2 = createWasmBackend({ threads: 2, splitAlways: true });
afterAll(() => wasm2.close());

describe.each([
  ['1 thread', wasm],
  ['2 threads, every kernel split', wasm2],
] as const)('wasm backend (%s) equals the CPU reference', (_, wasm) => {
  plainTest('reports what runs', () => {
    expect(wasm.name).toBe('wasm');
    expect(wasm.info()).toMatchObject({ simd: true, threads: wasm === wasm2 ? 2 : 1 });
  });

  kernelParity(() => wasm);

  const long = fc.integer({ min: 1, max: 70 }).chain((n) =>
    fc.tuple(
      view([n, 3]),
      view([n, 3]).map((v) => v.transpose(0, 1)),
    ),
  );
  test.prop([long, fc.constantFrom(...BINARY_OPS), fc.constantFrom(...UNARY_OPS)], runs(40))(
    'long rows: SIMD bodies and their tails, broadcast rows and columns',
    ([a, t], bop, uop) => {
      const packed = cpu.copy(a);
      expectClose(wasm.unary(uop, packed), cpu.unary(uop, packed));
      expectClose(wasm.binary(bop, packed, packed.slice([[0, 1]])), cpu.binary(bop, packed, packed.slice([[0, 1]])));
      expectClose(wasm.binary(bop, packed.slice([[0, 1]]), packed), cpu.binary(bop, packed.slice([[0, 1]]), packed));
      expectClose(wasm.binary(bop, t, t), cpu.binary(bop, t, t));
      expectClose(wasm.reduce('sum', packed, [0], false), cpu.reduce('sum', packed, [0], false));
      expectClose(
        wasm.reduce('sum', packed.reshape([-1]), [0], true),
        cpu.reduce('sum', packed.reshape([-1]), [0], true),
      );
    },
  );

  const big = fc.record({
    n: fc.integer({ min: 1, max: 140 }),
    k: fc.integer({ min: 1, max: 300 }),
    m: fc.integer({ min: 1, max: 40 }),
    ta: fc.boolean(),
    tb: fc.boolean(),
  });
  test.prop([big], runs(25))(
    'matmul past one tile, one k block (256) and one row block (128), either operand transposed',
    ({ n, k, m, ta, tb }) => {
      const values = (count: number, seed: number): Float32Array =>
        Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed));
      const a = ta ? new NDArray(values(n * k, 1), [k, n]).transpose(0, 1) : new NDArray(values(n * k, 1), [n, k]);
      const b = tb ? new NDArray(values(k * m, 2), [m, k]).transpose(0, 1) : new NDArray(values(k * m, 2), [k, m]);
      expectClose(wasm.matmul(a, b), cpu.matmul(a, b), 1e-5 * Math.sqrt(k));
      const epilogue = { bias: new NDArray(values(m, 3), [m]), relu: true };
      expectClose(wasm.fusedMatmul(a, b, epilogue), cpu.fusedMatmul(a, b, epilogue), 1e-5 * Math.sqrt(k));
    },
  );

  test.prop([fc.integer({ min: 0, max: 1100 }).chain((n) => fc.tuple(view([n]), view([n])))], runs(30))(
    "gelu and geluGrad: the reference's values, and gelu autograd's composite's bit for bit, from views of any strides",
    ([x, dy]) => {
      expectClose(wasm.gelu(x), cpu.gelu!(x));
      expectClose(wasm.geluGrad(dy, x), cpu.geluGrad!(dy, x), 1e-5);
      // (x·(erf(x·√½) + 1))·½, each step a kernel of its own
      const scalar = (v: number): NDArray => new NDArray(new Float32Array([v]), []);
      const erf = wasm.unary('erf', wasm.binary('mul', x, scalar(Math.SQRT1_2)));
      const composite = wasm.binary('mul', wasm.binary('mul', x, wasm.binary('add', erf, scalar(1))), scalar(0.5));
      expect(Array.from(wasm.gelu(x).toTypedArray())).toEqual(Array.from(composite.toTypedArray()));
    },
  );

  const adamCase = fc
    .integer({ min: 0, max: 1100 })
    .chain((n) => fc.tuple(view([n]), view([n]), view([n]), view([n]), fc.boolean(), fc.boolean(), fc.boolean()));
  test.prop([adamCase, fc.integer({ min: 1, max: 50 })], runs(30))(
    'adam: the reference bit for bit, from views of any strides — first update or not, Adam or AdamW, with or without decay',
    ([p, g, m, v, first, decoupled, decays], t) => {
      const squares = cpu.binary('mul', v, v); // a second moment is never negative
      const scalars = {
        lr: 0.003,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: decays ? 0.01 : 0,
        decoupled,
        correction1: 1 - 0.9 ** t,
        correction2: 1 - 0.999 ** t,
      };
      const got = wasm.adam(p, g, first ? null : m, first ? null : squares, scalars);
      const want = cpu.adam!(p, g, first ? null : m, first ? null : squares, scalars);
      for (const key of ['p', 'm', 'v'] as const) {
        expect(got[key].shape).toEqual([p.size]);
        expect(Array.from(got[key].toTypedArray())).toEqual(Array.from(want[key].toTypedArray()));
      }
    },
  );

  const sgdCase = fc
    .integer({ min: 0, max: 1100 })
    .chain((n) =>
      fc.tuple(view([n]), view([n]), view([n]), fc.boolean(), fc.constantFrom(0, 0.9), fc.boolean(), fc.boolean()),
    );
  test.prop([sgdCase], runs(30))(
    'sgd: the reference bit for bit, from views of any strides — with and without momentum, Nesterov, decay',
    ([p, g, buf, first, momentum, nesterov, decays]) => {
      const scalars = {
        lr: 0.05,
        momentum,
        dampening: nesterov ? 0 : 0.1,
        nesterov: nesterov && momentum !== 0,
        weightDecay: decays ? 0.01 : 0,
      };
      const previous = first || momentum === 0 ? null : buf;
      const got = wasm.sgd(p, g, previous, scalars);
      const want = cpu.sgd!(p, g, previous, scalars);
      expect(Array.from(got.p.toTypedArray())).toEqual(Array.from(want.p.toTypedArray()));
      expect(got.buf === null).toBe(momentum === 0);
      if (got.buf) expect(Array.from(got.buf.toTypedArray())).toEqual(Array.from(want.buf!.toTypedArray()));
    },
  );

  const softmaxCase = fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 70 }), fc.nat(2))
    .chain(([a, b, c, axis]) => fc.tuple(view([a, b, c]), view([a, b, c]), fc.constant(axis)));
  test.prop([softmaxCase], runs(30))(
    "softmax and softmaxGrad along any axis: the reference's values, and the gradient bit for bit",
    ([x, dy, axis]) => {
      const y = cpu.softmax!(x, axis);
      expectClose(wasm.softmax(x, axis), y, 1e-6);
      const dx = wasm.softmaxGrad(dy, y, axis);
      expect(Array.from(dx.toTypedArray())).toEqual(Array.from(cpu.softmaxGrad!(dy, y, axis).toTypedArray()));
    },
  );

  plainTest('softmax: masked keys (−∞) get exactly 0, a row of −∞ or with a NaN is NaN, as in the reference', () => {
    const x = new NDArray(new Float32Array([0, -Infinity, 1, 2, -Infinity, -Infinity, NaN, 1]), [4, 2]);
    const got = Array.from(wasm.softmax(x, 1).toTypedArray());
    expect(got[1]).toBe(0);
    expect(got.slice(4).every(Number.isNaN)).toBe(true);
    expectClose(wasm.softmax(x, 1), cpu.softmax!(x, 1), 1e-6);
  });

  const batchCase = fc
    .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }))
    .chain(([N, C, S]) =>
      fc.tuple(view([N, C, S]), view([N, C, S]), view([C]), view([C]), fc.boolean(), fc.boolean(), fc.boolean()),
    );
  test.prop([batchCase], runs(30))(
    'batchNorm and batchNormGrad: the reference bit for bit, over [N, C] and [N, C, S], with and without weight and bias',
    ([x, dy, w, b, hasWeight, hasBias, flat]) => {
      const same = (got: NDArray, want: NDArray): void => {
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
      };
      const [N, C, S] = x.shape as [number, number, number];
      // [N, C·S] seen as [N, C', …]: also a plain [N, C]
      const [xs, dys] = flat && S === 1 ? [cpu.copy(x).reshape([N, C]), cpu.copy(dy).reshape([N, C])] : [x, dy];
      const [weight, bias] = [hasWeight ? w : null, hasBias ? b : null];
      const got = wasm.batchNorm(xs, 1e-5, weight, bias);
      const want = cpu.batchNorm!(xs, 1e-5, weight, bias);
      for (const key of ['y', 'mean', 'rstd', 'variance'] as const) same(got[key], want[key]);
      const grads = wasm.batchNormGrad(dys, xs, want, weight);
      const reference = cpu.batchNormGrad!(dys, xs, want, weight);
      for (const key of ['dx', 'dweight', 'dbias'] as const) same(grads[key], reference[key]);
    },
  );

  // Rows of n: none, one, many (past the 64 K elements at which two threads share the rows).
  const normRows = fc
    .record({ rows: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(1100)), n: fc.integer({ min: 1, max: 70 }) })
    .chain(({ rows, n }) =>
      fc.tuple(view([rows, n]), view([rows, n]), view([n]), view([n]), fc.boolean(), fc.boolean()),
    );
  test.prop([normRows, fc.constantFrom(0, 1e-5, 0.5)], runs(30))(
    'layerNorm and layerNormGrad: the reference bit for bit, from views of any strides, with and without weight and bias',
    ([x, dy, w, b, hasWeight, hasBias], eps) => {
      const same = (got: NDArray, want: NDArray): void => {
        expect(got.shape).toEqual(want.shape);
        expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
      };
      const n = x.shape[1]!;
      const [weight, bias] = [hasWeight ? w : null, hasBias ? b : null];
      const got = wasm.layerNorm(x, n, eps, weight, bias);
      const want = cpu.layerNorm!(x, n, eps, weight, bias);
      same(got.y, want.y);
      same(got.mean, want.mean);
      same(got.rstd, want.rstd);
      const grads = wasm.layerNormGrad(dy, x, want, weight, n);
      const reference = cpu.layerNormGrad!(dy, x, want, weight, n);
      same(grads.dx, reference.dx);
      same(grads.dweight, reference.dweight);
      same(grads.dbias, reference.dbias);
    },
  );
});

describe('wasm backend: what does not depend on threads', () => {
  plainTest(
    'conv2d past one 8-window panel, one k block (256), one row block (128) and the image edges, strided and dilated',
    () => {
      // Images and filters of `shape` filled with a wave of frequency f.
      const wave = (shape: number[], f: number, at = Math.sin): NDArray =>
        new NDArray(
          Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => at(i * f)),
          shape,
        );
      const cases = [
        // 13-wide rows (panels wrap), 270 = 30·9 values of k (two k blocks), strided and dilated.
        {
          x: wave([2, 30, 11, 13], 0.31),
          w: wave([5, 30, 3, 3], 0.17, Math.cos),
          windows: [
            { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
            { kernel: [3, 3], stride: [2, 1], padding: [0, 2], dilation: [1, 2] },
          ],
        },
        // Rows of 37 windows: four panels per row read in place from the band, the fifth
        // wrapping onto the next row (packed); 130 filters: two row blocks of 128, a partial tile.
        {
          x: wave([1, 3, 7, 37], 0.13),
          w: wave([130, 3, 3, 3], 0.29, Math.cos),
          windows: [
            { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
            { kernel: [3, 3], stride: [1, 1], padding: [2, 2], dilation: [2, 2] },
          ],
        },
      ] as const;
      for (const { x, w, windows } of cases) {
        for (const window of windows) {
          for (const b of [wasm, wasm2]) expectClose(b.conv2d(x, w, window), cpu.conv2d(x, w, window), 1e-4);
        }
      }
    },
  );

  plainTest(
    "conv2d's fused gradients: the composite's values bit for bit, only the result copied out, every block freed",
    () => {
      for (const be of [wasm, wasm2]) {
        const det = (shape: number[], seed: number): NDArray =>
          new NDArray(
            Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.37 + seed)),
            shape,
          );
        const cases = [
          { x: [2, 3, 9, 11], O: 5, window: { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] } },
          { x: [3, 2, 12, 10], O: 9, window: { kernel: [3, 2], stride: [2, 1], padding: [0, 1], dilation: [2, 1] } },
          { x: [1, 4, 7, 7], O: 3, window: { kernel: [1, 1], stride: [3, 3], padding: [0, 0], dilation: [1, 1] } },
        ] as const;
        for (const { x: xs, O, window } of cases) {
          const [N, C, H, W] = xs;
          const x = det([...xs], 1);
          const w = det([O, C, ...window.kernel], 2);
          const yShape = be.conv2d(x, w, window).shape;
          const L = yShape[2]! * yShape[3]!;
          // dy as a transposed view too: the backend copies it itself when the reshape needs one
          const dys = [det([...yShape], 3), det([yShape[0]!, yShape[1]!, yShape[3]!, yShape[2]!], 3).transpose(2, 3)];
          for (const dy of dys) {
            const cols = dy.isContiguous() ? dy.reshape([N, O, L]) : cpu.copy(dy).reshape([N, O, L]);
            const dx = be.fold(be.matmul(w.reshape([O, -1]).transpose(0, 1), cols), [H, W], window);
            const dw = wasm
              .reduce('sum', be.matmul(cols, be.unfold(x, window).transpose(1, 2)), [0], false)
              .reshape([O, C, ...window.kernel]);
            const before = { ...be.stats() };
            const fusedX = be.conv2dInputGrad(dy, w, [H, W], window);
            const fusedW = be.conv2dWeightGrad(dy, x, window);
            expect(be.stats().downloads - before.downloads).toBe(2); // the two results, nothing between
            expect(fusedX.shape).toEqual([N, C, H, W]);
            expect(fusedW.shape).toEqual([O, C, ...window.kernel]);
            expect(Array.from(fusedX.toTypedArray())).toEqual(Array.from(dx.toTypedArray()));
            expect(Array.from(fusedW.toTypedArray())).toEqual(Array.from(dw.toTypedArray()));
            // and the definitions, on the reference
            const refCols = cpu.copy(dy).reshape([N, O, L]);
            expectClose(
              fusedX,
              cpu.fold(cpu.matmul(w.reshape([O, -1]).transpose(0, 1), refCols), [H, W], window),
              1e-4,
            );
            expectClose(
              fusedW,
              cpu
                .reduce('sum', cpu.matmul(refCols, cpu.unfold(x, window).transpose(1, 2)), [0], false)
                .reshape([O, C, ...window.kernel]),
              1e-4,
            );
          }
          // Repeated (each result forgotten, as a backward pass does), the heap stays where it is:
          // the blocks of the columns and of the per-image products go back to the free lists.
          const dy = dys[0]!;
          const again = (): void =>
            be.forget([be.conv2dInputGrad(dy, w, [H, W], window), be.conv2dWeightGrad(dy, x, window)]);
          again();
          const heap = be.stats().heapBytes;
          for (let i = 0; i < 5; i++) again();
          expect(be.stats().heapBytes).toBe(heap);
        }
        // float64 runs the definitions on the reference kernels
        const x64 = new NDArray(
          Float64Array.from({ length: 2 * 2 * 5 * 5 }, (_, i) => Math.cos(i)),
          [2, 2, 5, 5],
        );
        const w64 = new NDArray(
          Float64Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => Math.sin(i)),
          [3, 2, 3, 3],
        );
        const win = { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] } as const;
        const dy64 = cpu.conv2d(x64, w64, win);
        const cols64 = dy64.reshape([2, 3, 25]);
        expect(Array.from(be.conv2dInputGrad(dy64, w64, [5, 5], win).toTypedArray())).toEqual(
          Array.from(cpu.fold(cpu.matmul(w64.reshape([3, -1]).transpose(0, 1), cols64), [5, 5], win).toTypedArray()),
        );
        expect(be.conv2dWeightGrad(dy64, x64, win).dtype).toBe('float64');
      }
    },
  );

  plainTest('a batch times one matrix: the rows stacked into one product, each matrix as if alone, bit for bit', () => {
    for (const be of [wasm, wasm2]) {
      const det = (shape: number[], seed: number): NDArray =>
        new NDArray(
          Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.31 + seed)),
          shape,
        );
      const big = det([4, 2, 9, 13], 1);
      const b = det([13, 11], 2);
      const lhs = [
        big, // stacks: [72, 13]
        big.slice([
          [0, 4],
          [0, 2],
          [2, 7],
        ]), // rows cut: the batch steps past rows it does not hold
        big.transpose(0, 1), // batch axes swapped
        big.slice([[1, 2]]).reshape([1, 2, 9, 13]), // a side of 1 leading
        det([3, 1, 5, 13], 3), // a side of 1 in the middle
        big
          .transpose(2, 3)
          .transpose(2, 3)
          .slice([
            [0, 4],
            [0, 2],
            [0, 9],
            [0, 12],
          ]), // columns cut: k = 12
      ];
      for (const a of lhs) {
        const k = a.shape[a.rank - 1]!;
        for (const right of [
          b.slice([[0, k]]),
          b.slice([[0, k]]).reshape([1, k, 11]),
          det([11, k], 4).transpose(0, 1),
        ]) {
          const got = be.matmul(a, right);
          const flatA = cpu.copy(a).reshape([-1, a.shape.at(-2)!, k]);
          const rightMatrix = right.rank === 3 ? right.reshape([k, 11]) : right;
          const alone = Array.from({ length: flatA.shape[0]! }, (_, i) =>
            Array.from(be.matmul(flatA.slice([[i, i + 1]]).reshape(flatA.shape.slice(1)), rightMatrix).toTypedArray()),
          ).flat();
          expect(got.shape).toEqual([...a.shape.slice(0, -1), 11]);
          expect(Array.from(got.toTypedArray())).toEqual(alone);
          expectClose(got, cpu.matmul(a, right), 1e-5);
          const withBias = be.fusedMatmul(a, right, { bias: det([11], 5), relu: true });
          expectClose(withBias, cpu.fusedMatmul(a, right, { bias: det([11], 5), relu: true }), 1e-5);
        }
      }
    }
  });

  plainTest('a batch of small products in one call: each matrix as if alone, bit for bit, in one launch', () => {
    const det = (shape: number[], seed: number): NDArray =>
      new NDArray(
        Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.cos(i * 0.37 + seed)),
        shape,
      );
    // Attention's per-head products: Q [N, H, L, D] (a permuted view of [N, L, H·D]) times Kᵀ,
    // then the weights times V; and a batch broadcast against one A (offsets repeat).
    const q = det([3, 5, 2, 4], 1).transpose(1, 2); // [3, 2, 5, 4]
    const k = det([3, 6, 2, 4], 2).transpose(1, 2); // [3, 2, 6, 4]
    const w = det([3, 2, 5, 6], 3);
    const cases: [NDArray, NDArray][] = [
      [q, k.transpose(2, 3)],
      [w, k],
      [
        w.transpose(2, 3),
        q.slice([
          [0, 3],
          [0, 2],
          [0, 5],
          [0, 3],
        ]),
      ], // k = 5, m = 3
      [det([1, 2, 5, 4], 4), det([3, 1, 4, 7], 5)], // both broadcast: A repeats along the first axis
    ];
    for (const be of [wasm, wasm2]) {
      for (const [a, b] of cases) {
        const before = be.stats().launches;
        const got = be.matmul(a, b);
        expect(be.stats().launches - before).toBe(1);
        const shape = got.shape;
        const [n, m] = shape.slice(-2) as [number, number];
        const batch = shape.slice(0, -2);
        const alone: number[] = [];
        for (let i = 0; i < batch[0]!; i++)
          for (let j = 0; j < batch[1]!; j++) {
            const pick = (t: NDArray): NDArray => {
              const [bi, bj] = [t.shape[0] === 1 ? 0 : i, t.shape[1] === 1 ? 0 : j];
              return t
                .slice([
                  [bi, bi + 1],
                  [bj, bj + 1],
                ])
                .reshape(t.shape.slice(2));
            };
            alone.push(...be.matmul(pick(a), pick(b)).toTypedArray());
          }
        expect(alone.length).toBe(batch[0]! * batch[1]! * n * m);
        expect(Array.from(got.toTypedArray())).toEqual(alone);
        expectClose(got, cpu.matmul(a, b), 1e-5);
        const epilogue = { bias: det([m], 6), relu: true };
        expectClose(be.fusedMatmul(a, b, epilogue), cpu.fusedMatmul(a, b, epilogue), 1e-5);
      }
    }
    // Shared by whole matrices: the second thread runs some of them (once it is awake).
    const chunks = wasm2.stats().workerChunks;
    const [a, b] = [det([64, 9, 7], 7), det([64, 7, 6], 8)];
    for (let i = 0; i < 200 && wasm2.stats().workerChunks === chunks; i++) wasm2.matmul(a, b);
    expect(wasm2.stats().workerChunks).toBeGreaterThan(chunks);
    expect(Array.from(wasm2.matmul(a, b).toTypedArray())).toEqual(Array.from(wasm.matmul(a, b).toTypedArray()));
  });

  plainTest('float64 runs on the reference kernels, bit for bit', () => {
    const a = new NDArray(Float64Array.from([1, -2, 3.5, 0.25, 7, -1]), [2, 3]);
    const b = new NDArray(Float64Array.from([0.5, 1, -1]), [3]);
    const cases: [NDArray, NDArray][] = [
      [wasm.binary('mul', a, b), cpu.binary('mul', a, b)],
      [wasm.unary('tanh', a), cpu.unary('tanh', a)],
      [wasm.reduce('sum', a, [1], false), cpu.reduce('sum', a, [1], false)],
      [wasm.matmul(a, b.reshape([3, 1])), cpu.matmul(a, b.reshape([3, 1]))],
      [
        wasm.copy(new NDArray(Float32Array.from([1.5, 2]), [2]), 'float64'),
        cpu.copy(new NDArray(Float32Array.from([1.5, 2]), [2]), 'float64'),
      ],
      [wasm.full([2], 3, 'float64'), cpu.full([2], 3, 'float64')],
    ];
    for (const [got, want] of cases) {
      expect(got.dtype).toBe('float64');
      expect(Array.from(got.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
    }
  });

  plainTest(
    'exp, tanh, sigmoid and erf in lanes: within 3e-7 relative of the reference over [−110, 110] (erf: and [−5, 5] finely); their special values',
    () => {
      const n = 1 << 16;
      const sweep = (width: number) =>
        new NDArray(
          Float32Array.from({ length: n }, (_, i) => (i / n - 0.5) * width),
          [n],
        );
      const sweeps = [
        ['exp', sweep(220)],
        ['tanh', sweep(220)],
        ['sigmoid', sweep(220)],
        ['erf', sweep(220)],
        ['erf', sweep(10)], // both of erf's pieces and where they meet (|x| = 1, 3.95), 1.5e-4 apart
      ] as const;
      for (const [op, x] of sweeps) {
        const got = wasm.unary(op, x).toTypedArray();
        const want = cpu.unary(op, x).toTypedArray();
        for (let i = 0; i < n; i++) {
          const w = want[i]!;
          if (!Number.isFinite(w))
            expect(got[i]).toBe(w); // overflow to +∞, as the reference
          else if (Math.abs(w) < 1.2e-38)
            expect(Math.abs(got[i]! - w), `${op}(${x.get([i])})`).toBeLessThan(1e-44 + 1e-7 * Math.abs(w)); // subnormals
          else
            expect(Math.abs(got[i]! - w) / Math.abs(w), `${op}(${x.get([i])}) = ${got[i]} vs ${w}`).toBeLessThan(3e-7);
        }
      }
      const special = new NDArray(
        Float32Array.from([
          NaN,
          Infinity,
          -Infinity,
          0,
          -0,
          88.72,
          88.73,
          -103.9,
          -104.5,
          1e-8,
          -1e-8,
          1e-40,
          1,
          -3.95,
        ]),
        [14],
      );
      for (const op of ['exp', 'tanh', 'sigmoid', 'erf'] as const) {
        const got = Array.from(wasm.unary(op, special).toTypedArray());
        const want = Array.from(cpu.unary(op, special).toTypedArray());
        got.forEach((g, i) => {
          if (!Number.isFinite(want[i]!) || want[i] === 0)
            expect(g, `${op}(${special.get([i])})`).toBe(want[i]); // NaN, ±∞, ±0 exactly
          else expect(Math.abs(g - want[i]!) / Math.abs(want[i]!), `${op}(${special.get([i])})`).toBeLessThan(1e-6);
        });
      }
    },
  );

  plainTest(
    "a lane function's value does not depend on where it sits: row bodies, row tails and strided views agree bit for bit",
    () => {
      const x = new NDArray(
        Float32Array.from({ length: 7 * 9 }, (_, i) => Math.sin(i) * 4),
        [7, 9],
      );
      for (const op of ['exp', 'tanh', 'sigmoid', 'erf'] as const) {
        const packed = wasm.unary(op, x);
        const viaTranspose = wasm.unary(op, x.transpose(0, 1)).transpose(0, 1);
        expect(Array.from(viaTranspose.toTypedArray())).toEqual(Array.from(packed.toTypedArray()));
        const one = wasm.unary(
          op,
          x.slice([
            [3, 4],
            [5, 6],
          ]),
        ); // a lone element: the scalar path
        expect(one.get([0, 0])).toBe(packed.get([3, 5]));
      }
    },
  );

  plainTest('erf: four lanes all below 1 (the short path) give each lane the value it has beside a large one', () => {
    const small = Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * 0.999);
    const alone = wasm.unary('erf', new NDArray(Float32Array.from(small), [64])).toTypedArray();
    // the same values, each vector of four now holding one lane ≥ 1 (the full path)
    const mixed = small.flatMap((v, i) => (i % 3 === 0 ? [v, 2.5, v * 0.5, -1.5] : [v, -v, v * 0.25, 0.125]));
    const both = wasm.unary('erf', new NDArray(Float32Array.from(mixed), [mixed.length])).toTypedArray();
    small.forEach((v, i) => expect(both[i * 4], `erf(${v})`).toBe(alone[i]));
    const want = cpu.unary('erf', new NDArray(Float32Array.from(small), [64])).toTypedArray();
    small.forEach((_, i) => expect(Math.abs(alone[i]! - want[i]!)).toBeLessThanOrEqual(3e-7 * Math.abs(want[i]!)));
    // NaN beside small lanes stays NaN, and the small lanes keep their values
    const withNaN = wasm.unary('erf', new NDArray(Float32Array.from([0.5, NaN, -0.25, -0]), [4])).toTypedArray();
    expect(Array.from(withNaN)).toEqual([alone0(0.5), NaN, alone0(-0.25), -0]);
    function alone0(v: number): number {
      return wasm.unary('erf', new NDArray(Float32Array.from([v, 2, 2, 2]), [4])).toTypedArray()[0]!;
    }
  });

  plainTest('forget and forgetScope refuse what they cannot use, by name', () => {
    expect(() => wasm.forget(null as never)).toThrow(
      "wasm forget: argument 'arrays' expected an iterable of NDArrays, got null",
    );
    expect(() => wasm.forgetScope(3 as never)).toThrow(
      "wasm forgetScope: argument 'fn' expected a function to run, got 3",
    );
  });

  plainTest('elementwise add, sub, mul and div agree with the reference bit for bit', () => {
    const a = new NDArray(
      Float32Array.from({ length: 37 }, (_, i) => Math.sin(i) * 10),
      [37],
    );
    const b = new NDArray(
      Float32Array.from({ length: 37 }, (_, i) => Math.cos(i) + 2),
      [37],
    );
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      expect(Array.from(wasm.binary(op, a, b).toTypedArray())).toEqual(Array.from(cpu.binary(op, a, b).toTypedArray()));
    }
  });
});

describe('wasm residency and memory', () => {
  plainTest(
    'a chain of kernels copies nothing in: host inputs once, each result out once into a plain Float32Array',
    () => {
      const x = new NDArray(
        Float32Array.from({ length: 64 }, (_, i) => i / 64),
        [8, 8],
      );
      const step = (): NDArray =>
        wasm.reduce('sum', wasm.unary('tanh', wasm.binary('mul', wasm.matmul(x, x), x)), [1], false);
      step();
      const before = wasm.stats();
      let y = step();
      for (let i = 0; i < 5; i++) y = step();
      const after = wasm.stats();
      expect(after.uploads).toBe(before.uploads);
      expect(after.downloads - before.downloads).toBe(6 * 4);
      expect(after.launches - before.launches).toBe(6 * 4);
      expect(y.device).toBeUndefined();
      expect(y.source).toBeInstanceOf(Float32Array);
      expectClose(y, cpu.reduce('sum', cpu.unary('tanh', cpu.binary('mul', cpu.matmul(x, x), x)), [1], false));
      expect(wasm.stats().downloads).toBe(after.downloads); // reading a result copies nothing
    },
  );

  plainTest(
    'between calls the memory holds at most its cache budget; evicted arrays are copied in again, values intact',
    () => {
      const small = createWasmBackend({ cacheBytes: 1 << 20 }); // 1 MiB: four 64K-float arrays do not fit
      const a = new NDArray(
        Float32Array.from({ length: 1 << 16 }, (_, i) => (i % 17) - 8),
        [1 << 16],
      );
      let y = small.unary('neg', a);
      const heapAfterFirst = small.stats().heapBytes;
      const results: NDArray[] = [];
      for (let i = 0; i < 200; i++) {
        y = small.binary('add', y, a);
        if (i % 50 === 0) results.push(y);
        expect(small.info().residentBytes).toBeLessThanOrEqual(1 << 20);
      }
      expect(small.stats().heapBytes).toBeLessThanOrEqual(heapAfterFirst + (3 << 20));
      const uploads = small.stats().uploads;
      const again = small.binary('mul', results[0]!, a); // long evicted: copied in again
      expect(small.stats().uploads).toBe(uploads + 1);
      expectClose(again, cpu.binary('mul', results[0]!, a));
      expect(y.get([5])).toBe(199 * ((5 % 17) - 8)); // −a, then 200 additions of a
      expect(createWasmBackend({ cacheBytes: 0 }).binary('add', a, a).get([3])).toBe(2 * (3 - 8)); // no cache at all still computes
    },
  );

  plainTest(
    'forgetScope and forget drop cached copies only: the arrays stay readable, and are copied in again when used',
    () => {
      const w = createWasmBackend({ threads: 1 });
      const a = new NDArray(
        Float32Array.from({ length: 1000 }, (_, i) => i),
        [1000],
      );
      // a copied in, beside a result of another size: an output of a's size may take the block
      // of an old result of that size (see ResidentCache.recycle), which would blur the counts.
      w.reduce('sum', a, [0], false);
      const start = w.info().residentArrays;
      let temporary: NDArray | undefined;
      const kept = w.forgetScope(() => {
        temporary = w.unary('exp', w.unary('neg', a));
        return w.binary('add', temporary, a);
      });
      expect(w.info().residentArrays).toBe(start + 1); // only the kept result
      expect(temporary!.get([1])).toBeCloseTo(Math.exp(-1), 6);
      const uploads = w.stats().uploads;
      expectClose(w.binary('mul', temporary!, a), cpu.binary('mul', temporary!, a));
      expect(w.stats().uploads).toBe(uploads + 1); // the forgotten one came back in
      w.forget([kept]);
      expect(w.info().residentArrays).toBe(start + 2); // kept gone, the mul result and temporary's new copy in
      expect(kept.get([2])).toBeCloseTo(Math.exp(-2) + 2, 5);
    },
  );

  plainTest('an output takes the block of an old result of its size, never the copy of an array passed in', () => {
    const w = createWasmBackend({ threads: 1 });
    const a = new NDArray(
      Float32Array.from({ length: 4096 }, (_, i) => i - 2048),
      [4096],
    );
    const first = w.unary('neg', a); // a copied in, and one result
    const heap = w.info().heapBytes;
    const results = Array.from({ length: 100 }, () => w.unary('neg', a)); // each takes the block of the one before
    expect(w.info().heapBytes).toBe(heap); // no fresh pages for a short loop
    expect(w.stats().uploads).toBe(1); // a itself stays in: only results are taken
    expect(first.get([5])).toBe(2043); // every result stays readable (the host arrays are the values)
    expect(results[99]!.get([5])).toBe(2043);
    expectClose(w.binary('add', first, results[50]!), cpu.binary('add', first, results[50]!)); // copied in again
    expect(w.stats().uploads).toBe(3);
  });

  plainTest("a kernel's scratch block is reused by the next call, never taken by a result in between", () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }), 1024);
    const packed = heap.allocScratch(65536, 'matmul');
    heap.freeScratch(packed);
    const result = heap.alloc(65536, 'matmul'); // a result of the same size class: fresh memory
    expect(result).not.toBe(packed);
    expect(heap.allocScratch(65000, 'matmul')).toBe(packed); // the next call packs where the last one did
    heap.free(result);
    expect(heap.allocScratch(65536, 'matmul')).toBe(result); // no free scratch block: the common lists
    // Through the backend: a repeated product packs into the same blocks, so the heap grows by
    // its results alone (each 64 KiB, cached), not by a fresh packing of A and B every call.
    const w = createWasmBackend({ threads: 1 });
    const a = new NDArray(
      Float32Array.from({ length: 128 * 128 }, (_, i) => (i % 9) - 4),
      [128, 128],
    );
    w.matmul(a, a);
    const before = w.stats().heapBytes;
    for (let i = 0; i < 20; i++) w.matmul(a, a);
    expect(w.stats().heapBytes - before).toBeLessThanOrEqual(20 * 65536);
  });

  plainTest(
    'large arrays move in and out of a shared memory whole (the Buffer.copy path), views of a host buffer too',
    () => {
      // 2^18 floats and more take the bulk path over a shared memory; a host array that is a view
      // into the middle of a larger buffer is copied from its own first element, not the buffer's.
      const n = (1 << 18) + 3;
      const buffer = new Float32Array(n + 11);
      for (let i = 0; i < buffer.length; i++) buffer[i] = (i % 13) - 6;
      const a = new NDArray(buffer.subarray(7, 7 + n), [n]);
      const b = new NDArray(
        Float32Array.from({ length: n }, (_, i) => i % 5),
        [n],
      );
      for (const w of [wasm2, wasm]) {
        const y = w.binary('mul', a, b);
        expect(y.toArray()).toEqual(cpu.binary('mul', a, b).toArray());
        expect(y.source).toBeInstanceOf(Float32Array);
        expect((y.source as Float32Array).buffer).not.toBeInstanceOf(SharedArrayBuffer); // the user's own array
        expect((y.source as Float32Array).length).toBe(n);
        expect(w.unary('neg', y).get([n - 1])).toBe(-(((n - 1 + 7) % 13) - 6) * ((n - 1) % 5)); // read in place
      }
    },
  );

  plainTest('an array beyond the 4 GiB memory is a named error, not a RangeError', () => {
    expect(() => wasm.full([2 ** 20, 2 ** 11], 0, 'float32')).toThrow(
      /wasm full: argument 'size' expected an array that fits WebAssembly's 4 GiB memory .*, got \[1048576, 2048\] \(8,589,934,592 bytes\)/,
    );
    expect(wasm.full([2], 1, 'float32').toArray()).toEqual([1, 1]);
  });

  plainTest(
    'a sealed scope copies out only what it keeps; the rest is freed, unreadable afterwards by a named error',
    () => {
      const x = new NDArray(
        Float32Array.from({ length: 48 }, (_, i) => (i % 7) - 3),
        [6, 8],
      );
      const chain = (b: typeof wasm | typeof cpu): { h: NDArray; y: NDArray } => {
        const h = b.unary('tanh', b.binary('mul', x, x));
        return { h, y: b.reduce('sum', b.binary('add', h, x), [0], false) };
      };
      for (const w of [wasm, wasm2]) {
        const before = w.stats();
        let inner: NDArray | null = null;
        let readInside: number[] = [];
        const y = w.sealedScope(
          () => {
            const r = chain(w);
            inner = r.h;
            expect(r.h.device).toBeDefined(); // in the memory only
            readInside = Array.from(r.h.toTypedArray()); // host code may still read it: a copy
            return r.y;
          },
          (r) => [r],
        );
        const after = w.stats();
        expect(after.downloads - before.downloads).toBe(2); // the kept result, and the one read inside
        expect(w.unary('neg', y).get([3])).toBe(-y.get([3])); // kept: cached, read in place
        expect(w.stats().uploads).toBe(after.uploads);
        const unsealed = chain(w); // the same kernels outside a scope: the same bits
        expect(Array.from(y.toTypedArray())).toEqual(Array.from(unsealed.y.toTypedArray()));
        expect(readInside).toEqual(Array.from(unsealed.h.toTypedArray()));
        expectClose(y, chain(cpu).y);
        // Made inside, not kept and never read there: gone.
        let dropped: NDArray | null = null;
        w.sealedScope(
          () => {
            dropped = w.binary('mul', x, x);
            return w.binary('add', dropped, x);
          },
          (r) => [r],
        );
        expect(() => dropped!.toTypedArray()).toThrow(
          "wasm: argument 'tensor' expected a result that is still alive, got an intermediate result of a backward pass that has ended",
        );
        expect(Array.from(inner!.toTypedArray())).toEqual(readInside); // read inside: its copy stays
      }
    },
  );

  plainTest(
    'a sealed scope past half the cache budget copies its oldest results out; a failing one frees its blocks; bad arguments are refused by name',
    () => {
      const small = createWasmBackend({ threads: 1, cacheBytes: 1 << 20 });
      const a = new NDArray(
        Float32Array.from({ length: 1 << 15 }, (_, i) => (i % 11) - 5),
        [1 << 15],
      ); // 128 KiB: the scope holds four before it spills
      const kept: NDArray[] = [];
      const y = small.sealedScope(
        () => {
          let t = small.unary('neg', a);
          for (let i = 0; i < 40; i++) {
            t = small.binary('add', t, a);
            if (i % 10 === 0) kept.push(t); // early ones were spilled: copied out, still readable
          }
          return t;
        },
        (t) => [t],
      );
      expect(small.stats().heapBytes).toBeLessThanOrEqual(4 << 20);
      expect(y.get([7])).toBe(39 * ((7 % 11) - 5));
      expect(kept[0]!.get([7])).toBe(0);
      const heap = small.stats().heapBytes;
      for (let i = 0; i < 20; i++) {
        expect(() =>
          small.sealedScope(
            () => {
              small.binary('mul', a, a);
              throw new Error('inside');
            },
            () => [],
          ),
        ).toThrow('inside');
      }
      expect(small.stats().heapBytes).toBe(heap);
      expect(() => small.sealedScope(42 as never, () => [])).toThrow(
        "wasm sealedScope: argument 'fn' expected a function to run, got 42",
      );
      expect(() => small.sealedScope(() => a, [a] as never)).toThrow(
        "wasm sealedScope: argument 'keep' expected a function naming the arrays to keep, got",
      );
    },
  );

  plainTest('a bad thread count and a bad cache budget are refused by name', () => {
    expect(() => createWasmBackend({ threads: 0 })).toThrow(
      "createWasmBackend: argument 'threads' expected an integer from 1 to 64, got 0",
    );
    expect(() => createWasmBackend({ threads: 1.5 })).toThrow(
      "createWasmBackend: argument 'threads' expected an integer from 1 to 64, got 1.5",
    );
    expect(() => createWasmBackend({ cacheBytes: -1 })).toThrow(
      "createWasmBackend: argument 'cacheBytes' expected a number of bytes >= 0, got -1",
    );
  });
});

describe('wasm threads', () => {
  plainTest('start with the backend and never keep a process alive; close() stops them', async () => {
    // A child process: a 2-thread backend, one product big enough to be split, then the end of
    // the script with the workers parked — the process must exit at once, with status 0.
    const script = `
      const { createWasmBackend } = await import('@skipgrad/kernels');
      const { NDArray } = await import('@skipgrad/tensor');
      const w = createWasmBackend({ threads: 2 });
      const a = new NDArray(Float32Array.from({ length: 256 * 256 }, (_, i) => i % 7), [256, 256]);
      const y = w.matmul(a, a);
      console.log(JSON.stringify({ threads: w.info().threads, y: y.get([3, 5]) }));`;
    const started = Date.now();
    const r = await runScript(script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = Array.from({ length: 256 }, (_, p) => ((3 * 256 + p) % 7) * ((p * 256 + 5) % 7)).reduce(
      (s, v) => s + v,
      0,
    );
    expect(JSON.parse(r.stdout.trim())).toEqual({ threads: 2, y: expected });
    expect(Date.now() - started).toBeLessThan(30_000);
    const w = createWasmBackend({ threads: 2, splitAlways: true });
    // The worker takes its share: within a few jobs (the first may finish before it has started)
    // it has run chunks, which stats() counts — the main thread's are not counted.
    const a = new NDArray(
      Float32Array.from({ length: 128 * 128 }, (_, i) => i % 5),
      [128, 128],
    );
    expect(w.stats().workerChunks).toBe(0);
    for (let i = 0; i < 200 && w.stats().workerChunks === 0; i++) {
      w.matmul(a, a);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(w.stats().workerChunks).toBeGreaterThan(0);
    expect(createWasmBackend({ threads: 1 }).stats().workerChunks).toBe(0);
    w.close();
    // Without splitAlways, a mid-sized product (2 M multiply-adds) waits for no sleeping worker:
    // after an idle moment the workers sleep, and it runs on this thread alone, values intact.
    const sleepy = createWasmBackend({ threads: 2 });
    const big = new NDArray(
      Float32Array.from({ length: 512 * 512 }, (_, i) => (i % 7) - 3),
      [512, 512],
    );
    for (let i = 0; i < 200 && sleepy.stats().workerChunks === 0; i++) sleepy.matmul(big, big);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const chunks = sleepy.stats().workerChunks;
    expectClose(sleepy.matmul(a, a), cpu.matmul(a, a));
    expect(sleepy.stats().workerChunks).toBe(chunks);
    sleepy.close();
    expect(() => w.unary('neg', new NDArray(new Float32Array(4), [4]))).toThrow(
      "wasm: argument 'backend' expected a backend that is still open, got a closed backend",
    );
  });
});

describe('wasm layout helpers', () => {
  plainTest('coalesce merges contiguous neighbours in every layout and drops sides of 1', () => {
    expect(coalesce([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
    expect(
      coalesce(
        [64, 256],
        [
          [256, 1],
          [0, 1],
        ],
      ),
    ).toEqual({
      shape: [64, 256],
      strides: [
        [256, 1],
        [0, 1],
      ],
    });
    expect(
      coalesce(
        [2, 1, 3],
        [
          [3, 99, 1],
          [1, 7, 2],
        ],
      ),
    ).toEqual({
      shape: [2, 3],
      strides: [
        [3, 1],
        [1, 2],
      ],
    });
    expect(coalesce([], [[]])).toEqual({ shape: [], strides: [[]] });
  });
  plainTest('size classes: 64-byte steps to 4 KiB, then four per power of two', () => {
    expect([1, 64, 65, 4096, 4097, 5000, 8192, 9000].map(sizeClass)).toEqual([
      64, 64, 128, 4096, 5120, 5120, 8192, 10240,
    ]);
  });
});
