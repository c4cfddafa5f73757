import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, NDArray, arange, eye, fromData, full, linspace, ones, rand, randn, zeros } from '../src/index.js';

const a23 = (): NDArray => arange(6, undefined, 1, { dtype: 'float64' }).reshape([2, 3]);

describe('NDArray views copy nothing', () => {
  it('reshape of a contiguous array is a view', () => {
    const a = a23();
    const r = a.reshape([3, -1]);
    expect(r.storage).toBe(a.storage);
    expect(r.shape).toEqual([3, 2]);
    expect(r.toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('transpose and permute are views with swapped strides', () => {
    const t = a23().transpose();
    expect(t.strides).toEqual([1, 3]);
    expect(t.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(t.isContiguous()).toBe(false);
    const p = arange(24).reshape([2, 3, 4]).permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.get([3, 1, 2])).toBe(1 * 12 + 2 * 4 + 3);
  });

  it('reshape after a transpose copies (documented), and is still right', () => {
    const t = a23().transpose();
    const r = t.reshape([6]);
    expect(r.storage).not.toBe(t.storage);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('reshape copies with the copy it is given, and refuses a copy that is not a function', () => {
    const t = a23().transpose();
    let calls = 0;
    const r = t.reshape([6], (v) => (calls++, v.copy()));
    expect(calls).toBe(1);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => t.reshape([6], 'fast' as never)).toThrow(/^reshape: argument 'copy' expected a function/);
  });

  it('reshape of a permuted array that keeps chunks intact stays a view', () => {
    const p = arange(24).reshape([2, 3, 4]).permute([1, 0, 2]); // [3, 2, 4]; last axis contiguous
    const r = p.reshape([3, 2, 2, 2]);
    expect(r.storage).toBe(p.storage);
    expect(r.copy().toArray()).toEqual(p.copy().reshape([3, 2, 2, 2]).toArray());
  });

  it('expand gives broadcast axes stride 0', () => {
    const e = fromData('t', [1, 2, 3]).expand([2, 3]);
    expect(e.strides).toEqual([0, 1]);
    expect(e.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('slice, narrow, squeeze and unsqueeze are views', () => {
    const a = arange(12).reshape([3, 4]);
    const s = a.slice([
      [1, 3],
      [-3, -1],
    ]);
    expect(s.storage).toBe(a.storage);
    expect(s.toArray()).toEqual([
      [5, 6],
      [9, 10],
    ]);
    expect(a.narrow(1, 1, 2).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(a.slice([[2, 2]]).shape).toEqual([0, 4]);
    const u = a.unsqueeze(1);
    expect(u.shape).toEqual([3, 1, 4]);
    expect(u.squeeze(1).shape).toEqual([3, 4]);
    expect(u.unsqueeze(0).squeeze().shape).toEqual([3, 4]);
  });

  test.prop([
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }).chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: s.length },
        ),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: s.length },
        ),
      ),
    ),
  ])('reshape of any permuted view equals reshaping a contiguous copy', ([shape, perm, perm2]) => {
    const p = arange(shape.reduce((n, x) => n * x, 1))
      .reshape(shape)
      .permute(perm);
    const target = perm2.map((i) => p.shape[i]!);
    expect(p.reshape(target).toArray()).toEqual(p.copy().reshape(target).toArray());
    expect(p.reshape([-1]).toArray()).toEqual(flatten(p.toArray()));
  });

  it('scalars and zero-size arrays', () => {
    const s = fromData('t', 3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
    const z = zeros([2, 0, 3]);
    expect(z.size).toBe(0);
    expect(z.toArray()).toEqual([[], []]);
    expect(z.reshape([0, 5]).shape).toEqual([0, 5]);
  });
});

describe('creation', () => {
  it('from nested arrays and typed arrays', () => {
    const a = fromData('tensor', [
      [1, 2],
      [3, 4],
    ]);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 2]);
    const b = fromData('tensor', new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(b.dtype).toBe('float64');
    expect(b.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(fromData('tensor', [[], []]).shape).toEqual([2, 0]);
  });

  it('fills, ranges and the identity', () => {
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(ones([1, 2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('random draws replay exactly from a seed', () => {
    const a = rand([100], { generator: new Generator(42) });
    const b = rand([100], { generator: new Generator(42) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(rand([100], { generator: new Generator(43) }).toArray()).not.toEqual(a.toArray());
    const values = a.toTypedArray();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const n = Array.from(randn([20000], { generator: new Generator(1), dtype: 'float64' }).toTypedArray());
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('printing', () => {
  it('looks like PyTorch', () => {
    expect(
      fromData('t', [
        [1, -2.5],
        [3, 4],
      ]).toString(),
    ).toBe('tensor([[ 1.0000, -2.5000],\n        [ 3.0000,  4.0000]])');
    expect(fromData('t', [1, 2, 3], { dtype: 'float64' }).toString()).toBe('tensor([1., 2., 3.], dtype=float64)');
    expect(fromData('t', 2).toString()).toBe('tensor(2.)');
    expect(zeros([2, 0]).toString()).toBe('tensor([], size=[2, 0])');
    expect(fromData('t', [1e-5, 1]).toString()).toBe('tensor([1.0000e-5, 1.0000e+0])');
    expect(fromData('t', [NaN, Infinity, 1]).toString()).toBe('tensor([nan, inf,  1.])');
    expect(arange(2000).toString()).toBe('tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.])');
    expect(arange(8).reshape([2, 2, 2]).toString()).toBe(
      'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])',
    );
  });
});

function flatten(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x as number];
}
