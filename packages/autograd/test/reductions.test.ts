// min, argmax/argmin, variance/std and max over a list of axes; silu, leakyRelu, elu, softplus and
// hardtanh: their definitions checked against plain loops, float64 gradchecks by properties, errors.
// (PyTorch's values for each: tests/pytorch-ops.test.ts.)
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  argmax,
  argmin,
  elu,
  gradcheck,
  hardtanh,
  leakyRelu,
  max,
  min,
  silu,
  softplus,
  std,
  tensor,
  variance,
} from '../src/index.js';
import { shape, tensorOf } from '../src/testing/index.js';
import { runs } from '../../../tests/support.js';
import { expectRefusal } from './refused.js';

const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
/** A non-empty tensor and a non-empty list of distinct axes of it. */
const withAxes = shape({ minRank: 1, maxRank: 3, minSide: 1, maxSide: 3 }).chain((s) =>
  fc.tuple(
    tensorOf(s, { unique: true }),
    fc.subarray(
      s.map((_, i) => i),
      { minLength: 1 },
    ),
  ),
);
const oneTensor = shape({ maxRank: 3, maxSide: 3 }).chain((s) => tensorOf(s));

describe('reductions: properties', () => {
  test.prop([withAxes], runs(40))('max and min over a list of axes: gradcheck, and min(a) = −max(−a)', ([a, axes]) => {
    gradcheck((x) => max(x, axes), [a]);
    gradcheck((x) => min(x, axes, true), [a]);
    expect(flat(min(a, axes))).toEqual(flat(max(a.neg(), axes).neg()));
  });

  test.prop([withAxes], runs(40))('argmax / argmin pick an index where the max / min sits', ([a, axes]) => {
    const axis = axes[0]!;
    const picked = (idx: Tensor, best: Tensor): void => {
      const values = a.data;
      const out = idx.data;
      const bestValues = best.data;
      for (let k = 0; k < out.size; k++) {
        const at = [...out.shape.map((_, i) => 0)];
        let rem = k;
        for (let d = out.rank - 1; d >= 0; d--) {
          at[d] = rem % out.shape[d]!;
          rem = Math.floor(rem / out.shape[d]!);
        }
        const full = [...at.slice(0, axis), out.get(at), ...at.slice(axis)];
        expect(values.get(full)).toBe(bestValues.get(at));
      }
    };
    picked(argmax(a, axis), max(a, axis));
    picked(argmin(a, axis), min(a, axis));
    expect(argmax(a).item()).toBe(flat(a).indexOf(Math.max(...flat(a))));
  });

  test.prop([withAxes, fc.constantFrom(0, 1)], runs(40))(
    'variance and std: the definition, and gradcheck',
    ([a, axes], correction) => {
      const n = axes.reduce((p, i) => p * a.shape[i]!, 1);
      fc.pre(n - correction > 0);
      const v = variance(a, axes, { correction, keepdim: true });
      const centred = a.sub(a.mean(axes, true));
      flat(v).forEach((x, i) =>
        expect(x).toBeCloseTo(
          flat(
            centred
              .mul(centred)
              .sum(axes, true)
              .div(n - correction),
          )[i]!,
          12,
        ),
      );
      gradcheck((x) => variance(x, axes, { correction }), [a]);
      // √ has an infinite slope at 0: std's gradient is NaN where every reduced value is equal (so
      // is PyTorch's); distinct values (the arbitrary draws them) keep the variance above 0.
      if (n >= 2) gradcheck((x) => std(x, axes, { correction }), [a]);
    },
  );
});

describe('activations: properties', () => {
  test.prop([oneTensor], runs(40))('each equals its definition elementwise and passes gradcheck', (a) => {
    const xs = flat(a);
    const cases: [string, (t: Tensor) => Tensor, (x: number) => number][] = [
      ['silu', silu, (x) => x / (1 + Math.exp(-x))],
      ['leakyRelu', (t) => leakyRelu(t, 0.2), (x) => (x > 0 ? x : 0.2 * x)],
      ['elu', (t) => elu(t, 0.7), (x) => (x > 0 ? x : 0.7 * (Math.exp(x) - 1))],
      ['softplus', (t) => softplus(t, 2, 3), (x) => (2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2)],
      ['hardtanh', (t) => hardtanh(t, -0.5, 1.5), (x) => Math.min(1.5, Math.max(-0.5, x))],
    ];
    for (const [name, fn, reference] of cases) {
      flat(fn(a)).forEach((y, i) => expect(y, name).toBeCloseTo(reference(xs[i]!), 13));
      gradcheck(fn, [a]);
    }
  });
});

describe('reductions and activations: edges and errors', () => {
  it('ties: argmax takes the first, min shares the gradient; NaN wins argmax as in PyTorch', () => {
    expect(argmax(tensor([1, 3, 3])).item()).toBe(1);
    expect(argmin(tensor([[2, 1, 1]]), 1, true).toArray()).toEqual([[1]]);
    expect(argmax(tensor([1, NaN, 3])).item()).toBe(1);
    const x = tensor([2, 1, 1], { dtype: 'float64', requiresGrad: true });
    x.min().backward();
    expect(x.grad!.toArray()).toEqual([0, 0.5, 0.5]);
  });

  it('softplus and elu never overflow in the branch not taken', () => {
    const x = tensor([-1000, 1000], { dtype: 'float64', requiresGrad: true });
    expect(softplus(x).toArray()).toEqual([0, 1000]);
    elu(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1]);
  });

  it('refuse bad arguments by name', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => variance(a, 1, { correction: 2 })).toThrow(
      /variance: argument 'correction' expected less than the 2 elements reduced \(N − correction is the divisor\), got 2/,
    );
    expect(() => std(a, 0, { correction: -1 })).toThrow(
      /std: argument 'correction' expected a finite number >= 0, got -1/,
    );
    expect(() => argmax(tensor([]))).toThrow(/argmax: argument 'a' expected a non-empty tensor/);
    expect(() => argmin(a, 2)).toThrow(/argmin: argument 'axis' expected an integer axis in \[-2, 2\)/);
    expect(() => max(a, [0, 0])).toThrow(/max: argument 'axis' expected distinct axes/);
    expect(() => leakyRelu(a, NaN)).toThrow(/leakyRelu: argument 'negativeSlope' expected a finite number, got NaN/);
    expect(() => softplus(a, 0)).toThrow(/softplus: argument 'beta' expected a number > 0, got 0/);
    expect(() => hardtanh(a, 1, -1)).toThrow(/hardtanh: argument 'maxVal' expected a bound >= minVal \(1\), got -1/);
    expect(() => elu([1] as never)).toThrow(/elu: argument 'a' expected a Tensor/);
  });

  it('argmax / argmin on an inner axis walk each line between the outer and inner ones', () => {
    const a = tensor([
      [
        [1, 0],
        [3, -1],
        [2, 5],
      ],
      [
        [5, 6],
        [0, 9],
        [7, 8],
      ],
    ]);
    expect(argmax(a, 1).toArray()).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(argmin(a, 1, true).toArray()).toEqual([[[0, 1]], [[1, 0]]]);
    expect(argmax(a, -1).toArray()).toEqual([
      [0, 0, 1],
      [1, 1, 1],
    ]);
  });

  it('refuse a bad axis, an empty line and a correction that is not a finite number >= 0, whole', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const axisRange = 'expected an integer axis in [-2, 2), got';
    expectRefusal(() => min(a, 5), `min: argument 'axis' ${axisRange} 5 (for a tensor of rank 2)`);
    expectRefusal(() => max(a, -3), `max: argument 'axis' ${axisRange} -3 (for a tensor of rank 2)`);
    const empty = "argument 'a' expected a non-empty tensor (the index of nothing is undefined), got shape";
    expectRefusal(() => argmax(tensor([[]]), 1), `argmax: ${empty} [1, 0]`);
    expectRefusal(() => argmin(tensor([[], []]), 0), `argmin: ${empty} [2, 0]`);
    const correction = "argument 'correction' expected a finite number >= 0, got";
    expectRefusal(() => variance(a, 0, { correction: Infinity }), `variance: ${correction} Infinity`);
    expectRefusal(() => variance(a, 0, { correction: NaN }), `variance: ${correction} NaN`);
    expectRefusal(() => std(a, 0, { correction: 'x' as never }), `std: ${correction} "x"`);
  });
});
