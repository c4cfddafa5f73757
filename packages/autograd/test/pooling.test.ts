// Pooling options (ceilMode, countIncludePad, adaptive max, returned indices) and interpolate
// (size or scale, nearest or bilinear, alignCorners): defining identities, float64 gradchecks by
// properties, and errors. (PyTorch's values for each: tests/pytorch-ops.test.ts.)
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  adaptiveMaxPool2d,
  avgPool2d,
  gradcheck,
  interpolate,
  maxPool2d,
  maxPool2dWithIndices,
  ones,
  tensor,
  upsampleNearest,
} from '../src/index.js';
import { tensorOf } from '../src/testing/index.js';
import { runs } from '../../../tests/support.js';

const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const image = fc
  .tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }))
  .chain(([h, w]) => tensorOf([1, 2, h, w], { unique: true }));
const window = fc
  .record({
    kernel: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.integer({ min: 0, max: 1 }),
  })
  .filter((o) => 2 * o.padding <= o.kernel);

describe('pooling options: properties', () => {
  test.prop([image, window], runs(40))(
    'ceilMode: one more window at most, never one that starts in the padding; gradcheck',
    (x, o) => {
      const fits = x.shape[2]! + 2 * o.padding >= o.kernel && x.shape[3]! + 2 * o.padding >= o.kernel;
      fc.pre(fits);
      const floor = maxPool2d(x, o.kernel, { stride: o.stride, padding: o.padding });
      const ceil = maxPool2d(x, o.kernel, { stride: o.stride, padding: o.padding, ceilMode: true });
      for (const d of [2, 3]) {
        const extra = ceil.shape[d]! - floor.shape[d]!;
        expect(extra === 0 || extra === 1).toBe(true);
        expect((ceil.shape[d]! - 1) * o.stride).toBeLessThan(x.shape[d]! + o.padding); // the last window starts inside
      }
      gradcheck((a) => maxPool2d(a, o.kernel, { stride: o.stride, padding: o.padding, ceilMode: true }), [x]);
      gradcheck(
        (a) => avgPool2d(a, o.kernel, { stride: o.stride, padding: o.padding, ceilMode: true, countIncludePad: false }),
        [x],
      );
    },
  );

  test.prop([image, window], runs(40))(
    'countIncludePad false averages only input pixels (ones stay ones); indices point at the maxima',
    (x, o) => {
      fc.pre(x.shape[2]! + 2 * o.padding >= o.kernel && x.shape[3]! + 2 * o.padding >= o.kernel);
      const opts = { stride: o.stride, padding: o.padding, ceilMode: true };
      expect(
        flat(avgPool2d(ones([...x.shape], { dtype: 'float64' }), o.kernel, { ...opts, countIncludePad: false })).every(
          (v) => Math.abs(v - 1) < 1e-15,
        ),
      ).toBe(true);
      const { values, indices } = maxPool2dWithIndices(x, o.kernel, opts);
      const plane = x.shape[2]! * x.shape[3]!;
      flat(indices).forEach((at, k) => {
        const p = Math.floor(k / (values.shape[2]! * values.shape[3]!));
        expect(flat(x)[p * plane + at]).toBe(flat(values)[k]);
      });
    },
  );

  test.prop([image, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })], runs(30))(
    'adaptiveMaxPool2d: each bin its maximum; gradcheck',
    (x, oh, ow) => {
      const y = adaptiveMaxPool2d(x, [oh, ow]);
      expect(y.shape).toEqual([1, 2, oh, ow]);
      expect(Math.max(...flat(y))).toBe(Math.max(...flat(x))); // the bins cover the image
      gradcheck((a) => adaptiveMaxPool2d(a, [oh, ow]), [x]);
    },
  );
});

describe('interpolate: properties', () => {
  test.prop([image, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.boolean()], runs(40))(
    'bilinear keeps a constant image constant and (alignCorners) its corners; nearest reads input pixels; gradcheck',
    (x, h, w, align) => {
      const constant = tensor(Array(x.size).fill(2.5), { shape: [...x.shape], dtype: 'float64' });
      expect(
        flat(interpolate(constant, { size: [h, w], mode: 'bilinear', alignCorners: align })).every(
          (v) => Math.abs(v - 2.5) < 1e-14,
        ),
      ).toBe(true);
      const y = interpolate(x, { size: [h, w], mode: 'bilinear', alignCorners: true });
      const [H, W] = [x.shape[2]!, x.shape[3]!];
      if (h > 1 && w > 1) expect(flat(y)[h * w - 1]).toBeCloseTo(flat(x)[H * W - 1]!, 14); // bottom-right corner
      expect(flat(y)[0]).toBeCloseTo(flat(x)[0]!, 14);
      const near = new Set(flat(x));
      expect(flat(interpolate(x, { size: [h, w] })).every((v) => near.has(v))).toBe(true);
      gradcheck((a) => interpolate(a, { size: [h, w], mode: 'bilinear', alignCorners: align }), [x]);
      gradcheck((a) => interpolate(a, { scaleFactor: 1.5 }), [x]);
    },
  );

  it('an integer nearest scale is upsampleNearest; bad options are refused by name', () => {
    const x = tensor(
      Array.from({ length: 12 }, (_, i) => i),
      { shape: [1, 1, 3, 4] },
    );
    expect(interpolate(x, { scaleFactor: 2 }).toArray()).toEqual(upsampleNearest(x, 2).toArray());
    expect(() => interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(
      /interpolate: argument 'options' expected exactly one of size and scaleFactor, got both/,
    );
    expect(() => interpolate(x, {})).toThrow(/expected exactly one of size and scaleFactor, got neither/);
    expect(() => interpolate(x, { size: 2, alignCorners: true })).toThrow(
      /interpolate: argument 'alignCorners' expected nothing with mode 'nearest'/,
    );
    expect(() => interpolate(x, { size: 2, mode: 'bicubic' as never })).toThrow(
      /interpolate: argument 'mode' expected 'nearest' or 'bilinear', got "bicubic"/,
    );
    expect(() => interpolate(x, { scaleFactor: 0.1 })).toThrow(
      /interpolate: argument 'scaleFactor' expected a factor that leaves at least one pixel/,
    );
    expect(() => interpolate(tensor([1, 2]), { size: 2, mode: 'bilinear' })).toThrow(
      /interpolate: argument 'x' expected/,
    );
    expect(() => maxPool2d(x, 2, { ceilMode: 1 as never })).toThrow(
      /maxPool2d: argument 'ceilMode' expected a boolean, got 1/,
    );
    expect(() => avgPool2d(x, 2, { countIncludePad: 'no' as never })).toThrow(
      /avgPool2d: argument 'countIncludePad' expected a boolean/,
    );
    expect(() => avgPool2d(x, 2, { dilation: 2 } as never)).toThrow(
      /avgPool2d: argument 'dilation' expected no dilation/,
    );
  });
});
