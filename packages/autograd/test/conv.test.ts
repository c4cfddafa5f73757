// Sliding-window and selection ops: forward against naive loops, gradients by gradcheck.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  adaptiveAvgPool2d,
  avgPool2d,
  clamp,
  conv2d,
  convTranspose2d,
  erf,
  fold,
  gather,
  gelu,
  getBackend,
  maskedSelect,
  gradcheck,
  grad,
  maxPool2d,
  ones,
  scatterAdd,
  setBackend,
  tensor,
  unfold,
  upsampleNearest,
  where,
} from '../src/index.js';
import { type Backend, type Window2d, conv2dInputGradByColumns, conv2dWeightGradByColumns } from '@skipgrad/kernels';
import type { NDArray } from '@skipgrad/tensor';
import { tensorOf } from '../src/testing/index.js';
import { EXACT, runs } from '../../../tests/support.js';

const at = (t: Tensor, i: number[]): number => t.data.get(i);

/** Direct convolution, the textbook loop. */
function naiveConv(x: Tensor, w: Tensor, s: number, p: number, d: number, g: number): number[][][][] {
  const [N, C, H, W] = x.shape as number[];
  const [O, Cg, kh, kw] = w.shape as number[];
  const ho = Math.floor((H! + 2 * p - d * (kh! - 1) - 1) / s) + 1;
  const wo = Math.floor((W! + 2 * p - d * (kw! - 1) - 1) / s) + 1;
  return Array.from({ length: N! }, (_, n) =>
    Array.from({ length: O! }, (_, o) =>
      Array.from({ length: ho }, (_, y) =>
        Array.from({ length: wo }, (_, xx) => {
          let sum = 0;
          const group = Math.floor(o / (O! / g));
          for (let c = 0; c < Cg!; c++)
            for (let i = 0; i < kh!; i++)
              for (let j = 0; j < kw!; j++) {
                const iy = y * s - p + i * d;
                const ix = xx * s - p + j * d;
                if (iy >= 0 && iy < H! && ix >= 0 && ix < W!)
                  sum += at(x, [n, group * Cg! + c, iy, ix]) * at(w, [o, c, i, j]);
              }
          return sum;
        }),
      ),
    ),
  );
  void C;
}

const convCase = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    g: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 3, max: 5 }),
    w: fc.integer({ min: 3, max: 5 }),
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 2 }),
    p: fc.integer({ min: 0, max: 1 }),
    d: fc.integer({ min: 1, max: 2 }),
  })
  .filter((c) => c.h + 2 * c.p >= c.d * (c.k - 1) + 1 && c.w + 2 * c.p >= c.d * (c.k - 1) + 1)
  .chain((c) =>
    fc.tuple(
      fc.constant(c),
      tensorOf([c.n, c.g * c.cg, c.h, c.w]),
      tensorOf([c.g * c.og, c.cg, c.k, c.k]),
      tensorOf([c.g * c.og]),
    ),
  );

describe('conv2d (unfold + matmul)', () => {
  test.prop([convCase], runs(30))('forward equals the direct convolution loop', ([c, x, w]) => {
    const y = conv2d(x, w, null, { stride: c.s, padding: c.p, dilation: c.d, groups: c.g });
    const expected = naiveConv(x, w, c.s, c.p, c.d, c.g);
    (y.toArray() as number[][][][]).flat(3).forEach((v, i) => expect(v).toBeCloseTo(expected.flat(3)[i]!, 12));
  });
  test.prop([convCase], runs(20))('gradcheck in x, weight and bias', ([c, x, w, b]) => {
    gradcheck((x, w, b) => conv2d(x, w, b, { stride: c.s, padding: c.p, dilation: c.d, groups: c.g }), [x, w, b]);
  });
  it('rejects mismatched channels, groups and shapes', () => {
    const x = tensor(new Float32Array(2 * 3 * 4 * 4), { shape: [2, 3, 4, 4] });
    expect(() => conv2d(x, tensor(new Float32Array(4 * 2 * 3 * 3), { shape: [4, 2, 3, 3] }))).toThrow(
      /conv2d: argument 'weight' expected a weight \[O, 3 \(input channels per group\), kh, kw\]/,
    );
    expect(() =>
      conv2d(x, tensor(new Float32Array(4 * 3 * 3 * 3), { shape: [4, 3, 3, 3] }), null, { groups: 2 }),
    ).toThrow(/conv2d: argument 'groups' expected a positive integer dividing both 3 input and 4 output channels/);
    expect(() => conv2d(x, tensor(new Float32Array(4 * 3 * 5 * 5), { shape: [4, 3, 5, 5] }))).toThrow(
      /conv2d: argument 'kernel' expected a window that fits the padded input \[4, 4\]/,
    );
    expect(() => conv2d(tensor([1, 2]), x)).toThrow(
      /conv2d: argument 'x' expected a tensor of shape \[N, C, H, W\], got shape \[2\]/,
    );
    expect(() =>
      conv2d(x, tensor(new Float32Array(2 * 3 * 1 * 1), { shape: [2, 3, 1, 1] }), tensor([1, 2, 3])),
    ).toThrow(/conv2d: argument 'bias' expected shape \[2\], got \[3\]/);
    expect(() => conv2d(x, tensor(new Float32Array(2 * 3), { shape: [2, 3, 1, 1] }), null, { stride: 0 })).toThrow(
      /conv2d: argument 'stride' expected an integer >= 1 or a pair of them, got 0/,
    );
  });
});

const tconvCase = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    g: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 3 }),
    w: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 2 }),
    p: fc.integer({ min: 0, max: 1 }),
    d: fc.integer({ min: 1, max: 3 }),
    op: fc.integer({ min: 0, max: 2 }),
  })
  .filter((c) => c.op < Math.max(c.s, c.d) && tconvSide(c.h, c) >= 1 && tconvSide(c.w, c) >= 1)
  .chain((c) =>
    fc.tuple(
      fc.constant(c),
      tensorOf([c.n, c.g * c.cg, c.h, c.w]),
      tensorOf([c.g * c.cg, c.og, c.k, c.k]),
      tensorOf([c.g * c.og]),
    ),
  );

/** PyTorch's output side: (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1. */
function tconvSide(side: number, c: { s: number; p: number; d: number; k: number; op: number }): number {
  return (side - 1) * c.s - 2 * c.p + c.d * (c.k - 1) + c.op + 1;
}

/** Transposed convolution by its definition: every input pixel scatters its weighted kernel into the output. */
function naiveConvTranspose(
  x: Tensor,
  w: Tensor,
  c: { s: number; p: number; d: number; k: number; op: number; g: number },
): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const og = w.shape[1]!;
  const [HO, WO] = [tconvSide(H, c), tconvSide(W, c)];
  const out = new Array<number>(N * og * c.g * HO * WO).fill(0);
  for (let n = 0; n < N; n++)
    for (let ci = 0; ci < C; ci++)
      for (let iy = 0; iy < H; iy++)
        for (let ix = 0; ix < W; ix++) {
          const group = Math.floor(ci / (C / c.g));
          for (let o = 0; o < og; o++)
            for (let i = 0; i < c.k; i++)
              for (let j = 0; j < c.k; j++) {
                const y = iy * c.s - c.p + i * c.d;
                const xx = ix * c.s - c.p + j * c.d;
                if (y >= 0 && y < HO && xx >= 0 && xx < WO)
                  out[((n * og * c.g + group * og + o) * HO + y) * WO + xx]! +=
                    at(x, [n, ci, iy, ix]) * at(w, [ci, o, i, j]);
              }
        }
  return out;
}

describe('convTranspose2d (matmul + fold)', () => {
  test.prop([tconvCase], runs(30))(
    'forward equals the direct scatter loop, outputPadding up to max(stride, dilation) − 1',
    ([c, x, w]) => {
      const out = convTranspose2d(x, w, null, {
        stride: c.s,
        padding: c.p,
        dilation: c.d,
        outputPadding: c.op,
        groups: c.g,
      });
      expect(out.shape).toEqual([c.n, c.g * c.og, tconvSide(c.h, c), tconvSide(c.w, c)]);
      const expected = naiveConvTranspose(x, w, c);
      Array.from(out.data.toTypedArray()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    },
  );
  test.prop([tconvCase], runs(30))("is conv2d's adjoint in x: <convT(y), u> = <y, conv(u)>", ([c, y, w]) => {
    const opts = { stride: c.s, padding: c.p, dilation: c.d, groups: c.g };
    const out = convTranspose2d(y, w, null, { ...opts, outputPadding: c.op });
    const u = tensor(
      Float64Array.from({ length: out.size }, (_, i) => ((i * 7) % 5) - 2),
      { shape: [...out.shape] },
    );
    // The transposed conv's weight [C_in, C_out/g, k, k] is, read as a conv2d weight, the map
    // from C_out channels back to C_in: exactly the adjoint. With outputPadding ≥ stride the
    // conv has windows past y's last pixel; those see only output padding and are cut off.
    const back = conv2d(u, w, null, opts).slice([
      [0, y.shape[0]!],
      [0, y.shape[1]!],
      [0, c.h],
      [0, c.w],
    ]);
    expect(back.shape).toEqual(y.shape);
    const lhs = out.mul(u).sum().item();
    const rhs = y.mul(back).sum().item();
    expect(lhs).toBeCloseTo(rhs, 10);
  });
  test.prop([tconvCase], runs(20))('gradcheck in x, weight and bias', ([c, x, w, b]) => {
    gradcheck(
      (x, w, b) =>
        convTranspose2d(x, w, b, { stride: c.s, padding: c.p, dilation: c.d, outputPadding: c.op, groups: c.g }),
      [x, w, b],
    );
  });
  it('takes an output padding as large as the stride when the dilation is larger (PyTorch: [1, 1, 5, 5])', () => {
    const y = convTranspose2d(ones([1, 1, 2, 2]), ones([1, 1, 2, 2]), null, { dilation: 2, outputPadding: 1 });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    expect(y.toArray()).toEqual([
      [
        [
          [1, 1, 1, 1, 0],
          [1, 1, 1, 1, 0],
          [1, 1, 1, 1, 0],
          [1, 1, 1, 1, 0],
          [0, 0, 0, 0, 0],
        ],
      ],
    ]);
  });
  it('appends the extra windows on one axis alone when only that axis has them', () => {
    const one = ones([1, 1, 2, 2]);
    const row = [1, 1, 1, 1];
    expect(convTranspose2d(one, one, null, { dilation: 2, outputPadding: [1, 0] }).toArray()).toEqual([
      [[row, row, row, row, [0, 0, 0, 0]]],
    ]);
    expect(convTranspose2d(one, one, null, { dilation: 2, outputPadding: [0, 1] }).toArray()).toEqual([
      [
        [
          [...row, 0],
          [...row, 0],
          [...row, 0],
          [...row, 0],
        ],
      ],
    ]);
  });
  it('rejects an output padding as large as both the stride and the dilation', () => {
    const x = tensor(new Float32Array(4), { shape: [1, 1, 2, 2] });
    expect(() =>
      convTranspose2d(x, tensor(new Float32Array(4), { shape: [1, 1, 2, 2] }), null, { stride: 2, outputPadding: 2 }),
    ).toThrow(
      /convTranspose2d: argument 'outputPadding' expected values smaller than the stride or the dilation, got \[2, 2\]/,
    );
    expect(() =>
      convTranspose2d(x, tensor(new Float32Array(4), { shape: [1, 1, 2, 2] }), null, {
        stride: 2,
        dilation: 3,
        outputPadding: [1, 3],
      }),
    ).toThrow(
      /convTranspose2d: argument 'outputPadding' expected values smaller than the stride or the dilation, got \[1, 3\]/,
    );
  });
});

describe('unfold and fold', () => {
  const img = fc
    .record({
      c: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 2, max: 4 }),
      w: fc.integer({ min: 2, max: 4 }),
      k: fc.integer({ min: 1, max: 2 }),
      s: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 1 }),
    })
    .chain((c) => fc.tuple(fc.constant(c), tensorOf([1, c.c, c.h, c.w])));
  test.prop([img], runs(30))('are adjoint, and gradcheck exactly with eps = 1', ([c, x]) => {
    const o = { stride: c.s, padding: c.p };
    const cols = unfold(x, c.k, o);
    const v = tensor(
      Float64Array.from({ length: cols.size }, (_, i) => (i % 3) - 1),
      { shape: [...cols.shape] },
    );
    expect(cols.mul(v).sum().item()).toBeCloseTo(
      x
        .mul(fold(v, [c.h, c.w], c.k, o))
        .sum()
        .item(),
      12,
    );
    gradcheck((x) => unfold(x, c.k, o), [x], EXACT);
    const cols64 = tensor(Float64Array.from(v.data.toTypedArray()), { shape: [...v.shape], requiresGrad: true });
    gradcheck((v) => fold(v, [c.h, c.w], c.k, o), [cols64], EXACT);
  });
  it('fold rejects columns of the wrong shape', () => {
    expect(() => fold(tensor(new Float32Array(6), { shape: [1, 2, 3] }), [3, 3], 2)).toThrow(
      /fold: argument 'cols' expected a tensor \[N, C·4, 4\]/,
    );
  });
});

describe('pooling and upsampling', () => {
  const poolCase = fc
    .record({
      h: fc.integer({ min: 2, max: 5 }),
      w: fc.integer({ min: 2, max: 5 }),
      k: fc.integer({ min: 1, max: 2 }),
      s: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 1 }),
    })
    .filter((c) => c.p * 2 <= c.k)
    .chain((c) => fc.tuple(fc.constant(c), tensorOf([2, 2, c.h, c.w], { unique: true })));
  test.prop([poolCase], runs(30))('maxPool2d: forward against a loop, gradcheck with distinct values', ([c, x]) => {
    const y = maxPool2d(x, c.k, { stride: c.s, padding: c.p });
    for (const [n, ch, oy, ox] of [
      [0, 0, 0, 0],
      [1, 1, y.shape[2]! - 1, y.shape[3]! - 1],
    ] as const) {
      let best = -Infinity;
      for (let i = 0; i < c.k; i++)
        for (let j = 0; j < c.k; j++) {
          const iy = oy * c.s - c.p + i;
          const ix = ox * c.s - c.p + j;
          if (iy >= 0 && iy < c.h && ix >= 0 && ix < c.w) best = Math.max(best, at(x, [n, ch, iy, ix]));
        }
      expect(at(y, [n, ch, oy, ox])).toBe(best);
    }
    gradcheck((x) => maxPool2d(x, c.k, { stride: c.s, padding: c.p }), [x]);
  });
  test.prop([poolCase], runs(30))('avgPool2d: gradcheck', ([c, x]) => {
    gradcheck((x) => avgPool2d(x, c.k, { stride: c.s, padding: c.p }), [x]);
  });
  it('avgPool2d averages each window; max pool padding never wins', () => {
    const x = tensor([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expect(avgPool2d(x, 2).toArray()).toEqual([[[[2.5]]]]);
    expect(maxPool2d(x.neg(), 2, { stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [-1, -1, -2],
          [-1, -1, -2],
          [-3, -3, -4],
        ],
      ],
    ]);
  });
  test.prop(
    [
      fc
        .tuple(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
        )
        .chain(([h, w, oh, ow]) => fc.tuple(tensorOf([1, 2, h, w]), fc.constant([oh, ow] as [number, number]))),
    ],
    runs(30),
  )('adaptiveAvgPool2d: gradcheck and bins that cover the input', ([x, size]) => {
    const y = adaptiveAvgPool2d(x, size);
    expect(y.shape).toEqual([1, 2, ...size]);
    gradcheck((x) => adaptiveAvgPool2d(x, size), [x]);
  });
  it('adaptiveAvgPool2d to 1×1 is the global mean', () => {
    const x = tensor([
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
    ]);
    expect(adaptiveAvgPool2d(x, 1).toArray()).toEqual([[[[3.5]]]]);
    expect(adaptiveAvgPool2d(x, [2, 2]).toArray()).toEqual([
      [
        [
          [1.5, 2.5],
          [4.5, 5.5],
        ],
      ],
    ]);
  });
  test.prop(
    [
      fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .chain(([h, w]) => tensorOf([1, 1, h, w])),
      fc.integer({ min: 1, max: 3 }),
    ],
    runs(20),
  )('upsampleNearest repeats pixels; its gradient sums each block', (x, s) => {
    const y = upsampleNearest(x, s);
    expect(y.shape).toEqual([1, 1, x.shape[2]! * s, x.shape[3]! * s]);
    expect(at(y, [0, 0, y.shape[2]! - 1, y.shape[3]! - 1])).toBe(at(x, [0, 0, x.shape[2]! - 1, x.shape[3]! - 1]));
    gradcheck((x) => upsampleNearest(x, s), [x], EXACT);
  });
});

describe('where, gather, clamp, gelu', () => {
  it('where picks by mask, and the branch not taken leaks nothing (not even NaN)', () => {
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([Infinity, NaN, -1], { dtype: 'float64', requiresGrad: true });
    const cond = tensor([1, 0, 1], { dtype: 'float64' });
    const y = where(cond, a, b);
    expect(y.toArray()).toEqual([1, NaN, 3]);
    const [da, db] = grad([y], [a, b], { gradOutputs: [tensor([5, 6, 7], { dtype: 'float64' })] });
    expect(da!.toArray()).toEqual([5, 0, 7]);
    expect(db!.toArray()).toEqual([0, 6, 0]);
    gradcheck((a, b) => where(cond, a, b), [a, tensor([4, 5, 6], { dtype: 'float64', requiresGrad: true })], EXACT);
  });
  it('gather picks class scores; scatterAdd is its adjoint; repeated indices accumulate', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const idx = tensor(
      [
        [2, 2],
        [0, 1],
      ],
      { dtype: 'float64' },
    );
    const y = gather(x, 1, idx);
    expect(y.toArray()).toEqual([
      [3, 3],
      [4, 5],
    ]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [0, 0, 2],
      [1, 1, 0],
    ]);
    gradcheck((x) => gather(x, 1, idx), [x], EXACT);
    gradcheck(
      (s) => scatterAdd([2, 3], 1, idx, s),
      [
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float64', requiresGrad: true },
        ),
      ],
      EXACT,
    );
    expect(() => gather(x, 1, tensor([[3]], { dtype: 'float64' }))).toThrow(
      /gather: argument 'index' expected integers in \[0, 3\), got 3/,
    );
    expect(() => gather(x, 1, tensor([1], { dtype: 'float64' }))).toThrow(
      /gather: argument 'index' expected a tensor of rank 2/,
    );
  });
  it('maskedSelect picks the masked elements in order; the gradient goes back to them only', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const mask = tensor(
      [
        [1, 0, 1],
        [0, 0, 1],
      ],
      { dtype: 'float64' },
    );
    const y = maskedSelect(x, mask);
    expect(y.toArray()).toEqual([1, 3, 6]);
    y.backward(tensor([10, 20, 30], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([
      [10, 0, 20],
      [0, 0, 30],
    ]);
    gradcheck((t) => maskedSelect(t, mask), [x], EXACT);
    expect(
      maskedSelect(
        x,
        tensor(
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
          { dtype: 'float64' },
        ),
      ).shape,
    ).toEqual([0]);
    expect(() => maskedSelect(x, tensor([1, 0], { dtype: 'float64' }))).toThrow(
      "maskedSelect: argument 'mask' expected shape [2, 3] (a's), got [2]",
    );
  });

  it('clamp: values, and the gradient passes inside the bounds (boundaries included)', () => {
    const x = tensor([-2, -1, 0.5, 1, 3], { dtype: 'float64', requiresGrad: true });
    const y = clamp(x, -1, 1);
    expect(y.toArray()).toEqual([-1, -1, 0.5, 1, 1]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0]);
    expect(clamp(tensor([1e20]), undefined, 1).toArray()).toEqual([1]);
    expect(() => clamp(x, 2, 1)).toThrow(/clamp: argument 'max' expected a bound >= min \(2\), got 1/);
  });
  test.prop([fc.tuple(fc.integer({ min: 1, max: 6 })).chain(([n]) => tensorOf([n]))], runs(20))(
    'clamp and gelu pass gradcheck',
    (x) => {
      gradcheck((t) => clamp(t, -1.03, 0.97), [x]);
      gradcheck((t) => gelu(t), [x]);
      gradcheck((t) => gelu(t, { approximate: 'tanh' }), [x]);
      gradcheck((t) => erf(t.mul(2)), [x]);
    },
  );
  it('gelu: exact x·Φ(x) by default, the tanh formula on request', () => {
    const v = 0.7;
    expect(gelu(tensor([v], { dtype: 'float64' })).item()).toBeCloseTo(v * 0.758036347776927, 15); // Φ(0.7)
    const approx = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    expect(gelu(tensor([v], { dtype: 'float64' }), { approximate: 'tanh' }).item()).toBeCloseTo(approx, 15);
    expect(erf(tensor([1, -2, 3, 7], { dtype: 'float64' })).toArray()).toEqual([
      0.8427007929497148, -0.9953222650189532, 0.9999779095030014, 1,
    ]);
    expect(() => gelu(tensor([1]), { approximate: 'fast' as never })).toThrow(
      "gelu: argument 'approximate' expected 'none' or 'tanh', got \"fast\"",
    );
  });
});

describe("conv2d's backward on a backend with fused gradients", () => {
  it('calls them when no graph is recorded, the composite when one is; the same values either way', () => {
    const calls = { input: 0, weight: 0 };
    const inner = getBackend();
    // A backend with the two optional methods, by their definitions on the backend underneath.
    const fused: Backend = Object.assign(Object.create(inner) as Backend, {
      conv2dInputGrad(dy: NDArray, w: NDArray, size: readonly [number, number], win: Window2d): NDArray {
        calls.input++;
        return conv2dInputGradByColumns(inner, dy, w, size, win);
      },
      conv2dWeightGrad(dy: NDArray, x: NDArray, win: Window2d): NDArray {
        calls.weight++;
        return conv2dWeightGradByColumns(inner, dy, x, win);
      },
    });
    const det = (shape: number[], seed: number, requiresGrad = false): Tensor => {
      const size = shape.reduce((p, q) => p * q, 1);
      return tensor(
        Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + seed)),
        { shape, requiresGrad },
      );
    };
    const x = det([2, 3, 7, 6], 1, true);
    const w = det([4, 3, 3, 2], 2, true);
    const y = (): Tensor => conv2d(x, w, null, { stride: [2, 1], padding: 1, dilation: [1, 2] });
    const weights = det(y().shape as number[], 3);
    const loss = (): Tensor => y().mul(weights).sum();
    setBackend(fused);
    try {
      loss().backward();
      expect(calls).toEqual({ input: 1, weight: 1 });
      const [gx, gw] = grad([loss()], [x, w], { createGraph: true }); // recorded: the composite
      expect(calls).toEqual({ input: 1, weight: 1 });
      expect(x.grad!.toArray()).toEqual(gx!.toArray());
      expect(w.grad!.toArray()).toEqual(gw!.toArray());
    } finally {
      setBackend(inner);
    }
  });
});
