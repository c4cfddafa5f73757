// scaledDotProductAttention: its defining properties (order blindness, causality, masks), float64
// gradchecks over generated shapes, the formula checked against plain loops, and its errors.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  type Tensor,
  attentionWeights,
  grad,
  gradcheck,
  randn,
  scaledDotProductAttention,
  tensor,
} from '../src/index.js';
import { tensorOf } from '../src/testing/index.js';
import { runs } from '../../../tests/support.js';

const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const f64 = { dtype: 'float64' as const };

/** q [B, L, E], k [B, S, E], v [B, S, Ev] of small generated sizes. */
const qkv = fc
  .record({
    b: fc.integer({ min: 1, max: 2 }),
    l: fc.integer({ min: 1, max: 4 }),
    s: fc.integer({ min: 1, max: 4 }),
    e: fc.integer({ min: 1, max: 3 }),
    ev: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ b, l, s, e, ev }) => fc.tuple(tensorOf([b, l, e]), tensorOf([b, s, e]), tensorOf([b, s, ev])));
/** A permutation of 0..n−1. */
const permutationOf = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
/** Rows of [B, T, F] reordered by perm along the token axis. */
function permuteTokens(t: Tensor, perm: readonly number[]): Tensor {
  const [b, n, f] = t.shape as [number, number, number];
  const v = flat(t);
  const out = new Float64Array(v.length);
  for (let i = 0; i < b; i++)
    for (let j = 0; j < n; j++) out.set(v.slice((i * n + perm[j]!) * f, (i * n + perm[j]! + 1) * f), (i * n + j) * f);
  return tensor(out, { shape: [b, n, f], ...f64 });
}

/** The definition, one query at a time: y_i = Σ_j softmax_j(q_i·k_j/√E) v_j over the allowed keys. */
function naiveAttention(q: Tensor, k: Tensor, v: Tensor, allowed: (i: number, j: number) => boolean): number[] {
  const [b, l, e] = q.shape as [number, number, number];
  const [s, ev] = [k.shape[1]!, v.shape[2]!];
  const [Q, K, V] = [flat(q), flat(k), flat(v)];
  const out: number[] = [];
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < l; i++) {
      const scores = Array.from({ length: s }, (_, j) => {
        let dot = 0;
        for (let c = 0; c < e; c++) dot += Q[(n * l + i) * e + c]! * K[(n * s + j) * e + c]!;
        return allowed(i, j) ? dot / Math.sqrt(e) : -Infinity;
      });
      const m = Math.max(...scores);
      const w = scores.map((x) => Math.exp(x - m));
      const total = w.reduce((p, x) => p + x, 0);
      for (let c = 0; c < ev; c++) out.push(w.reduce((p, x, j) => p + (x / total) * V[(n * s + j) * ev + c]!, 0));
    }
  }
  return out;
}

describe('scaledDotProductAttention: properties', () => {
  test.prop([qkv], runs(30))('agrees with the definition, unmasked and causal', ([q, k, v]) => {
    for (const causal of [false, true]) {
      const y = scaledDotProductAttention(q, k, v, { causal });
      flat(y).forEach((x, i) => expect(x).toBeCloseTo(naiveAttention(q, k, v, (a, b) => !causal || b <= a)[i]!, 12));
    }
  });

  test.prop([qkv], runs(30))('float64 gradcheck in q, k and v (plain, causal, with a bias)', ([q, k, v]) => {
    gradcheck((a, b, c) => scaledDotProductAttention(a, b, c), [q, k, v]);
    gradcheck((a, b, c) => scaledDotProductAttention(a, b, c, { causal: true }), [q, k, v]);
    const bias = randn([q.shape[1]!, k.shape[1]!], { ...f64, requiresGrad: true, generator: new Generator(q.size) });
    gradcheck((a, b, c, d) => scaledDotProductAttention(a, b, c, { bias: d }), [q, k, v, bias]);
  });

  test.prop(
    [qkv.chain((t) => fc.tuple(fc.constant(t), permutationOf(t[0].shape[1]!), permutationOf(t[1].shape[1]!)))],
    runs(30),
  )(
    'is permutation equivariant in the queries and invariant to reordering keys with their values',
    ([[q, k, v], pq, pk]) => {
      const y = scaledDotProductAttention(q, k, v);
      const permutedQueries = scaledDotProductAttention(permuteTokens(q, pq), k, v);
      flat(permutedQueries).forEach((x, i) => expect(x).toBeCloseTo(flat(permuteTokens(y, pq))[i]!, 12));
      const permutedKeys = scaledDotProductAttention(q, permuteTokens(k, pk), permuteTokens(v, pk));
      flat(permutedKeys).forEach((x, i) => expect(x).toBeCloseTo(flat(y)[i]!, 12));
    },
  );

  test.prop(
    [fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 })],
    runs(30),
  )('a causal mask makes ∂y_t/∂x_s exactly 0 for s > t (self-attention)', (n, e, seed) => {
    const x = randn([1, n, e], { ...f64, requiresGrad: true, generator: new Generator(seed) });
    for (let t = 0; t < n; t++) {
      const y = scaledDotProductAttention(x, x, x, { causal: true });
      const [dx] = grad([y.narrow(1, t, 1).sum()], [x]);
      const rows = flat(dx!);
      for (let s = t + 1; s < n; s++) expect(rows.slice(s * e, (s + 1) * e)).toEqual(Array(e).fill(0));
      if (t > 0) expect(rows.slice(0, e).some((g) => g !== 0)).toBe(true); // earlier tokens do get a gradient
    }
  });

  test.prop(
    [
      qkv.chain((t) =>
        fc.tuple(fc.constant(t), fc.array(fc.boolean(), { minLength: t[1].shape[1]!, maxLength: t[1].shape[1]! })),
      ),
    ],
    runs(30),
  )(
    'a padding mask makes the output independent of the masked keys and values, and gives them no gradient',
    ([[q, k, v], keepFlags]) => {
      const keep = keepFlags.map((b) => (b ? 1 : 0));
      keep[0] = 1; // every query keeps at least one key
      const s = k.shape[1]!;
      const mask = tensor([keep], { ...f64 }); // [1, S] broadcasts over queries and batch
      const y = scaledDotProductAttention(q, k, v, { mask });
      // Overwrite the masked keys and values with other numbers: the output stays bit for bit the same.
      const scramble = (t: Tensor): Tensor => {
        const vals = flat(t);
        const f = t.shape[2]!;
        vals.forEach((_, i) => {
          if (keep[Math.floor(i / f) % s] === 0) vals[i] = 1e3 * Math.sin(i + 1);
        });
        return tensor(vals, { shape: [...t.shape], ...f64 });
      };
      expect(flat(scaledDotProductAttention(q, scramble(k), scramble(v), { mask }))).toEqual(flat(y));
      const [dk, dv] = grad([y.sum()], [k, v]);
      for (const [d, f] of [
        [dk!, k.shape[2]!],
        [dv!, v.shape[2]!],
      ] as const) {
        flat(d).forEach((g, i) => {
          if (keep[Math.floor(i / f) % s] === 0) expect(g).toBe(0);
        });
      }
      flat(y).forEach((x, i) => expect(x).toBeCloseTo(naiveAttention(q, k, v, (_, j) => keep[j] === 1)[i]!, 12));
    },
  );
});

describe('scaledDotProductAttention: options', () => {
  const g = new Generator(3);
  const q = randn([2, 3, 4], { ...f64, generator: g });
  const k = randn([2, 5, 4], { ...f64, generator: g });
  const v = randn([2, 5, 2], { ...f64, generator: g });

  it('weights rows sum to 1; broadcasts a shared k and v over the batch; scale replaces 1/√E', () => {
    const p = attentionWeights(q, k);
    expect(p.shape).toEqual([2, 3, 5]);
    flat(p.sum(-1)).forEach((s) => expect(s).toBeCloseTo(1, 14));
    const shared = scaledDotProductAttention(q, k.narrow(0, 0, 1).squeeze(0), v.narrow(0, 0, 1).squeeze(0));
    expect(shared.shape).toEqual([2, 3, 2]);
    expect(flat(scaledDotProductAttention(q, k, v, { scale: 0.5 }))).toEqual(
      flat(scaledDotProductAttention(q.mul(0.5 * 2), k, v)),
    );
  });

  it('dropout zeroes weights with a seeded generator and rescales the rest; 0 is the identity', () => {
    const a = scaledDotProductAttention(q, k, v, { dropout: 0.5, generator: new Generator(9) });
    const b = scaledDotProductAttention(q, k, v, { dropout: 0.5, generator: new Generator(9) });
    expect(flat(a)).toEqual(flat(b));
    expect(flat(a)).not.toEqual(flat(scaledDotProductAttention(q, k, v)));
    expect(flat(scaledDotProductAttention(q, k, v, { dropout: 0 }))).toEqual(flat(scaledDotProductAttention(q, k, v)));
  });

  it('refuses bad input by name', () => {
    expect(() => scaledDotProductAttention(q, randn([2, 5, 3], f64), v)).toThrow(
      /scaledDotProductAttention: argument 'k' expected a last axis of q's feature size 4, got shape \[2, 5, 3\]/,
    );
    expect(() => scaledDotProductAttention(q, k, randn([2, 4, 2], f64))).toThrow(
      /scaledDotProductAttention: argument 'v' expected a tensor \[\.\.\., S, Ev\] with as many tokens S as k \[2, 5, 4\], got shape \[2, 4, 2\]/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: tensor([[1, 0]], f64) })).toThrow(
      /argument 'mask' expected a shape that broadcasts to the scores' \[2, 3, 5\] \(\[\.\.\., L, S\]\), got \[1, 2\]/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: tensor([[1, 0, 1, 1, 1]]) })).toThrow(
      /argument 'mask' expected dtype float64 \(q's\), got float32/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: tensor([[0, -Infinity, 0, 0, 0]], f64) })).toThrow(
      /argument 'mask' expected only 0s and 1s \(1 = may attend\), got -Infinity.*options\.bias/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: tensor([[0, 0, 0, 0, 0]], f64) })).toThrow(
      /argument 'mask' expected at least one key each query may attend to, got query row 0/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { dropout: 1 })).toThrow(
      /argument 'dropout' expected a probability in \[0, 1\), got 1/,
    );
    expect(() => scaledDotProductAttention(q, k, v, { causal: 'yes' as never })).toThrow(
      /argument 'causal' expected a boolean/,
    );
    expect(() => scaledDotProductAttention(q, k, v, null as never)).toThrow(
      /argument 'options' expected an options object \({ mask, causal, bias, scale, dropout, generator }\), got null/,
    );
    expect(() => scaledDotProductAttention(tensor([1, 2], f64), k, v)).toThrow(
      /argument 'q' expected a tensor of rank >= 2/,
    );
    expect(() => scaledDotProductAttention(q, k.to('float32'), v)).toThrow(/argument 'k' expected dtype float64/);
  });
});
