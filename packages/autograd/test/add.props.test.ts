// add, the residual op: every property family the gradient checks use (the README's "Gradient checking").
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import { Tensor, add, gradcheck, grad, tensor } from '../src/index.js';
import { broadcastableShapes, tensorOf, tensorsOf } from '../src/testing/index.js';
import { runs } from '../../../tests/support.js';

const ints = fc.integer({ min: -8, max: 8 });
/** Two broadcastable tensors and an upstream gradient of small integers (sums stay exact). */
const addCase = broadcastableShapes({ maxRank: 4, maxSide: 3 }).chain(({ shapes, result }) =>
  fc.tuple(tensorsOf(shapes), tensorOf(result, { values: ints }), tensorOf(result, { values: ints })),
);

/** PyTorch's fixed broadcasting pairs (test_broadcast), plus scalars and zero-size. */
const fixedPairs: [number[], number[]][] = [
  [
    [5, 7, 3],
    [5, 7, 3],
  ],
  [
    [5, 3, 4, 1],
    [3, 1, 1],
  ],
  [[5, 3], [1]],
  [
    [3, 1],
    [1, 4],
  ],
  [[1], [3, 4]],
  [[], [2, 3]],
  [[2, 3], []],
  [[], []],
  [[0, 3], [3]],
  [[0], [1]],
  [
    [4, 0, 1],
    [1, 5],
  ],
];

const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
/** dL/da for L = <g, add(a, b)>, computed by our backward. */
const grads = (a: Tensor, b: Tensor, g: Tensor): Tensor[] => grad([add(a, b)], [a, b], { gradOutputs: [g] });

/** The naive reference: g summed over the axes `shape` was broadcast along, one element at a time. */
function naiveUnbroadcast(g: Tensor, shape: readonly number[]): number[] {
  const out = new Float64Array(shape.reduce((n, s) => n * s, 1));
  const lead = g.rank - shape.length;
  const gShape = g.shape;
  const idx = new Array<number>(g.rank).fill(0);
  for (let k = 0; k < g.size; k++) {
    let rem = k;
    for (let d = g.rank - 1; d >= 0; d--) {
      idx[d] = rem % gShape[d]!;
      rem = Math.floor(rem / gShape[d]!);
    }
    let at = 0;
    for (let d = 0; d < shape.length; d++) at = at * shape[d]! + (shape[d] === 1 ? 0 : idx[d + lead]!);
    out[at]! += g.data.get(idx);
  }
  return Array.from(out);
}

describe('add: properties', () => {
  test.prop([addCase], runs(60))('1. finite differences agree (float64 gradcheck)', ([[a, b]]) => {
    gradcheck(add, [a!, b!]);
  });

  test('1b. PyTorch fixed broadcasting pairs', () => {
    for (const [sa, sb] of fixedPairs) {
      const [a, b] = fc.sample(tensorsOf([sa, sb]), { numRuns: 1, seed: 1 })[0]!;
      gradcheck(add, [a!, b!], { name: `add ${JSON.stringify(sa)} + ${JSON.stringify(sb)}` });
    }
  });

  test.prop([addCase], runs(60))(
    '2. exact reduction: each gradient is g summed over its broadcast axes, bit for bit',
    ([[a, b], g]) => {
      const [da, db] = grads(a!, b!, g);
      expect(da!.shape).toEqual(a!.shape);
      expect(db!.shape).toEqual(b!.shape);
      expect(flat(da!)).toEqual(naiveUnbroadcast(g, a!.shape));
      expect(flat(db!)).toEqual(naiveUnbroadcast(g, b!.shape));
    },
  );

  test.prop([addCase, ints, ints], runs(60))(
    '3. linear in g: g = 0 gives 0; αg + βh gives α·grad(g) + β·grad(h)',
    ([[a, b], g, h], alpha, beta) => {
      const zero = new Tensor(new NDArray(new Float64Array(g.size), g.shape));
      for (const d of grads(a!, b!, zero)) expect(flat(d).every((v) => v === 0)).toBe(true);
      const combined = grads(a!, b!, g.mul(alpha).add(h.mul(beta)).detach());
      const [ga, gb] = grads(a!, b!, g);
      const [ha, hb] = grads(a!, b!, h);
      // (+0 and −0 are the same gradient: `+ 0` maps −0 to +0.)
      const same = (p: Tensor, q: Tensor): void => expect(flat(p).map((v) => v + 0)).toEqual(flat(q).map((v) => v + 0));
      same(combined[0]!, ga!.mul(alpha).add(ha!.mul(beta)));
      same(combined[1]!, gb!.mul(alpha).add(hb!.mul(beta)));
    },
  );

  test.prop([addCase], runs(60))('4. adjoint: <J·u, g> = <u, Jᵀ·g>', ([[a, b], g, u0]) => {
    // add is linear, so J·u is add applied to tangents (u_a, u_b) of the inputs' shapes.
    const [ua, ub] = [tensorLikeInts(a!, 3), tensorLikeInts(b!, 5)];
    const ju = flat(add(ua, ub));
    const [da, db] = grads(a!, b!, g);
    const lhs = ju.reduce((s, v, i) => s + v * flat(g)[i]!, 0);
    const rhs = dot(flat(ua), flat(da!)) + dot(flat(ub), flat(db!));
    expect(lhs).toBe(rhs);
    expect(u0.shape).toEqual(g.shape);
  });

  test.prop(
    [
      broadcastableShapes({ maxRank: 3, maxSide: 3 }).chain(({ shapes }) =>
        fc.tuple(tensorsOf(shapes), fc.constant(shapes)),
      ),
    ],
    runs(60),
  )('5. residual identity: y = x + c with c constant gives dx === g exactly', ([[x, c0]]) => {
    // x must have the output's shape for dx to be g itself (no unbroadcast).
    const c = c0!.detach();
    const out = add(x!, c);
    fc.pre(out.rank === x!.rank && out.shape.every((s, i) => s === x!.shape[i]));
    const g = fc.sample(tensorOf(out.shape), { numRuns: 1, seed: out.size })[0]!;
    const [dx] = grad([out], [x!], { gradOutputs: [g] });
    expect(flat(dx!)).toEqual(flat(g));
  });

  test.prop([addCase], runs(60))('6. forward equals a naive float64 loop', ([[a, b]]) => {
    const y = add(a!, b!);
    const shape = y.shape;
    const ea = a!.data.expand(shape);
    const eb = b!.data.expand(shape);
    const naive: number[] = [];
    const idx = new Array<number>(shape.length).fill(0);
    for (let k = 0; k < y.size; k++) {
      let rem = k;
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d] = rem % shape[d]!;
        rem = Math.floor(rem / shape[d]!);
      }
      naive.push(ea.get(idx) + eb.get(idx));
    }
    expect(flat(y)).toEqual(naive);
  });

  test.prop([addCase], runs(30))('deterministic: backward twice gives the same bits', ([[a, b], g]) => {
    expect(grads(a!, b!, g).map(flat)).toEqual(grads(a!, b!, g).map(flat));
  });

  test('a float32 residual add also passes g through exactly', () => {
    const x = tensor(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      { requiresGrad: true },
    );
    const g = tensor([
      [1e-7, 3.3],
      [-2.5, 1e20],
    ]);
    x.add(tensor([5, 6])).backward(g);
    expect(x.grad!.toArray()).toEqual(g.toArray());
  });
});

function tensorLikeInts(t: Tensor, seed: number): Tensor {
  const data = new Float64Array(t.size).map((_, i) => ((i * 7 + seed) % 11) - 5);
  return new Tensor(new NDArray(data, t.shape));
}

function dot(p: number[], q: number[]): number {
  return p.reduce((s, v, i) => s + v * q[i]!, 0);
}
