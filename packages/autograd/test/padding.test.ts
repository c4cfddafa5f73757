// padWith (reflect, replicate, circular), conv2d's 'same' / 'valid' padding and conv1d: their
// definitions, float64 gradchecks by properties, and errors. (PyTorch's values: tests/pytorch-ops.test.ts.)
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, conv1d, conv2d, gradcheck, padWith, tensor } from '../src/index.js';
import { tensorOf } from '../src/testing/index.js';
import { runs } from '../../../tests/support.js';

const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
/** Where padded index i (of a side-n axis padded by `before`) reads from, per mode. */
const source = (mode: string, i: number, n: number, before: number): number => {
  const j = i - before;
  if (mode === 'replicate') return Math.min(n - 1, Math.max(0, j));
  if (mode === 'circular') return ((j % n) + n) % n;
  return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j; // reflect
};

describe('padWith: properties', () => {
  test.prop(
    [
      fc.integer({ min: 2, max: 4 }),
      fc.integer({ min: 2, max: 4 }),
      fc.constantFrom('reflect' as const, 'replicate' as const, 'circular' as const),
    ],
    runs(30),
  )('copies the element the definition names, on every axis, and passes gradcheck', (h, w, mode) => {
    const limit = (n: number): number => (mode === 'reflect' ? n - 1 : n);
    const pads: [number, number][] = [
      [0, 0],
      [Math.min(1, limit(h)), limit(h)],
      [limit(w), Math.min(1, limit(w))],
    ];
    const x = tensor(
      Array.from({ length: 2 * h * w }, (_, i) => i + 1),
      { shape: [2, h, w], dtype: 'float64', requiresGrad: true },
    );
    const y = padWith(x, pads, mode);
    const [H, W] = [h + pads[1]![0] + pads[1]![1], w + pads[2]![0] + pads[2]![1]];
    expect(y.shape).toEqual([2, H, W]);
    const v = flat(y);
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) {
          expect(v[(n * H + i) * W + j]).toBe(
            flat(x)[(n * h + source(mode, i, h, pads[1]![0])) * w + source(mode, j, w, pads[2]![0])],
          );
        }
    gradcheck((a) => padWith(a, pads, mode), [x]);
  });
});

describe("conv2d padding 'same' and 'valid', conv1d", () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 2 }),
    ],
    runs(20),
  )("'same' keeps the input's size for any kernel and dilation (stride 1), and passes gradcheck", (kh, kw, dh, dw) => {
    const x = tensor(
      Array.from({ length: 2 * 5 * 6 }, (_, i) => Math.sin(i)),
      { shape: [1, 2, 5, 6], dtype: 'float64', requiresGrad: true },
    );
    const w = tensor(
      Array.from({ length: 3 * 2 * kh * kw }, (_, i) => Math.cos(i)),
      { shape: [3, 2, kh, kw], dtype: 'float64', requiresGrad: true },
    );
    const y = conv2d(x, w, null, { padding: 'same', dilation: [dh, dw] });
    expect(y.shape).toEqual([1, 3, 5, 6]);
    gradcheck((a, b) => conv2d(a, b, null, { padding: 'same', dilation: [dh, dw] }), [x, w]);
  });

  test.prop(
    [
      fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }))
        .chain(([c, l]) => fc.tuple(tensorOf([2, c, l]), tensorOf([2, c, 3]))),
      fc.integer({ min: 1, max: 2 }),
    ],
    runs(20),
  )('conv1d is conv2d on images of height 1, with gradcheck', ([x, w], stride) => {
    const y = conv1d(x, w, null, { stride, padding: 1 });
    expect(flat(y)).toEqual(
      flat(conv2d(x.unsqueeze(2), w.unsqueeze(2), null, { stride: [1, stride], padding: [0, 1] }).squeeze(2)),
    );
    gradcheck((a, b) => conv1d(a, b, null, { stride, padding: 1 }), [x, w]);
  });

  it("'valid' is no padding; bad padding is refused by name", () => {
    const x = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      { shape: [1, 1, 4, 4] },
    );
    const w = tensor([1, 1, 1, 1], { shape: [1, 1, 2, 2] });
    expect(conv2d(x, w, null, { padding: 'valid' }).toArray()).toEqual(conv2d(x, w).toArray());
    expect(() => conv2d(x, w, null, { padding: 'same', stride: 2 })).toThrow(
      /conv2d: argument 'padding' expected 'same' only with stride 1 \(as PyTorch\), got stride \[2, 2\]/,
    );
    expect(() => conv2d(x, w, null, { padding: 'full' as never })).toThrow(
      /conv2d: argument 'padding' expected an integer >= 0 or a pair of them, got "full"/,
    );
    expect(() => conv1d(x, w)).toThrow(/conv1d: argument 'x' expected a tensor \[N, C, L\], got shape \[1, 1, 4, 4\]/);
    expect(() =>
      padWith(
        x,
        [
          [0, 0],
          [0, 0],
          [4, 0],
          [0, 0],
        ],
        'reflect',
      ),
    ).toThrow(
      /padWith: argument 'pads\[2\]' expected at most side − 1 = 3 on each end for 'reflect' \(axis 2 has 4\), got \[4, 0\]/,
    );
    expect(() =>
      padWith(
        x,
        [
          [0, 0],
          [0, 0],
          [1, 1],
          [1, 1],
        ],
        'mirror' as never,
      ),
    ).toThrow(/padWith: argument 'mode' expected one of 'reflect', 'replicate', 'circular', got "mirror"/);
    expect(() => padWith(x, [[1, 1]], 'circular')).toThrow(
      /padWith: argument 'pads' expected 4 \[before, after\] pairs/,
    );
  });
});

describe('padWith edges', () => {
  const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });

  it('replicate pads any length, even past the side', () => {
    expect(padWith(a, [[3, 1]], 'replicate').toArray()).toEqual([1, 1, 1, 1, 2, 2]);
  });

  it('an axis padded [0, 0] is left alone: no op for all-zero pads, no piece for a zero end', () => {
    expect(padWith(a, [[0, 0]], 'reflect')).toBe(a);
    expect(
      padWith(
        tensor([[1, 2]]),
        [
          [0, 0],
          [1, 0],
        ],
        'circular',
      ).toArray(),
    ).toEqual([[2, 1, 2]]);
    expect(padWith(a, [[2, 0]], 'circular').node!.inputs).toHaveLength(2); // the wrapped piece and a
    expect(padWith(a, [[0, 1]], 'replicate').node!.inputs).toHaveLength(2);
    // an empty axis may be padded [0, 0] while another axis is padded
    expect(
      padWith(
        tensor([], { shape: [0, 2] }),
        [
          [0, 0],
          [1, 1],
        ],
        'replicate',
      ).shape,
    ).toEqual([0, 4]);
  });

  it('refuses a too-long end on either side, and any pad of an empty axis, by name', () => {
    expect(() => padWith(tensor([1, 2, 3]), [[3, 0]], 'reflect')).toThrow(
      "padWith: argument 'pads[0]' expected at most side − 1 = 2 on each end for 'reflect' (axis 0 has 3), got [3, 0]",
    );
    expect(() => padWith(tensor([1, 2, 3]), [[0, 4]], 'circular')).toThrow(
      "padWith: argument 'pads[0]' expected at most side = 3 on each end for 'circular' (axis 0 has 3), got [0, 4]",
    );
    expect(() => padWith(tensor([], { shape: [0] }), [[1, 0]], 'replicate')).toThrow(
      "padWith: argument 'pads[0]' expected [0, 0] on an empty axis ('replicate' copies elements, and axis 0 has none), got [1, 0]",
    );
  });
});
