// concat, the dense skip op: every property family the gradient checks use (the README's "Gradient checking").
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { Tensor, concat, gradcheck, grad } from '../src/index.js';
import { concatShapes, tensorOf, tensorsOf } from '../src/testing/index.js';
import { EXACT, runs } from '../../../tests/support.js';

const concatCase = concatShapes({ maxRank: 4, maxSide: 3 }).chain(({ shapes, axis, result }) =>
  fc.tuple(tensorsOf(shapes), fc.constant(axis), tensorOf(result, { values: fc.integer({ min: -9, max: 9 }) })),
);
const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const grads = (xs: Tensor[], axis: number, g: Tensor): Tensor[] => grad([concat(xs, axis)], xs, { gradOutputs: [g] });

describe('concat: properties', () => {
  test.prop([concatCase], runs(60))('1. finite differences with eps = 1 (exact for a linear op)', ([xs, axis]) => {
    gradcheck((...ts) => concat(ts, axis), xs, EXACT);
  });

  test.prop([concatCase], runs(80))(
    "2. exact split: the input gradients concatenated give g back, each with its piece's shape",
    ([xs, axis, g]) => {
      const gs = grads(xs, axis, g);
      gs.forEach((d, i) => expect(d.shape).toEqual(xs[i]!.shape)); // zero-size pieces get zero-size gradients
      expect(flat(concat(gs, axis))).toEqual(flat(g));
    },
  );

  test.prop([concatCase], runs(60))('3. a negative axis equals axis + rank', ([xs, axis, g]) => {
    const rank = xs[0]!.rank;
    const other = axis < 0 ? axis + rank : axis - rank;
    expect(flat(concat(xs, axis))).toEqual(flat(concat(xs, other)));
    expect(grads(xs, axis, g).map(flat)).toEqual(grads(xs, other, g).map(flat));
  });

  test.prop([concatCase], runs(60))('4. exact adjoint: <concat(u), g> = Σ <u_i, split(g)_i>', ([xs, axis, g]) => {
    const us = xs.map((x, i) => new Tensor(x.data.copy().reshape(x.shape), { requiresGrad: false }).mul(i + 2));
    const lhs = dot(flat(concat(us, axis)), flat(g));
    const rhs = grads(xs, axis, g).reduce((s, d, i) => s + dot(flat(us[i]!), flat(d)), 0);
    expect(lhs).toBe(rhs);
  });

  test.prop([concatCase], runs(60))('forward equals a naive copy along the axis', ([xs, axis]) => {
    const y = concat(xs, axis);
    const d = axis < 0 ? axis + xs[0]!.rank : axis;
    const outer = y.shape.slice(0, d).reduce((n, s) => n * s, 1);
    const naive: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const block = x.shape.slice(d).reduce((n, s) => n * s, 1);
        naive.push(...flat(x).slice(o * block, (o + 1) * block));
      }
    }
    expect(flat(y)).toEqual(naive);
  });

  test.prop([concatCase], runs(30))('deterministic: backward twice gives the same bits', ([xs, axis, g]) => {
    expect(grads(xs, axis, g).map(flat)).toEqual(grads(xs, axis, g).map(flat));
  });

  test('zero-size pieces: forward skips them, backward gives them zero-size gradients', () => {
    const [a, empty, b] = fc.sample(
      tensorsOf([
        [2, 1],
        [2, 0],
        [2, 2],
      ]),
      { numRuns: 1, seed: 3 },
    )[0]!;
    const y = concat([a!, empty!, b!], 1);
    expect(y.shape).toEqual([2, 3]);
    const gs = grads([a!, empty!, b!], 1, y.detach());
    expect(gs.map((d) => d.shape)).toEqual([
      [2, 1],
      [2, 0],
      [2, 2],
    ]);
  });
});

function dot(p: number[], q: number[]): number {
  return p.reduce((s, v, i) => s + v * q[i]!, 0);
}
