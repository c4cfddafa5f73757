// The CPU backend is the reference, so it is checked against the most naive loops possible,
// on strided inputs (transposed, sliced, expanded with stride 0, offset) in both dtypes.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { type DType, NDArray, broadcastShapes, sizeOf } from '@skipgrad/tensor';
import { BINARY_OPS, UNARY_OPS, cpuBackend as cpu } from '../src/index.js';
import { runs } from '../../../tests/support.js';
import { dtypes, pairArb, shapeArb, stridedView } from './arbitraries.js';

/** Every multi-index of `shape`, row-major. */
function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const side of shape) out = out.flatMap((prefix) => Array.from({ length: side }, (_, i) => [...prefix, i]));
  return sizeOf(shape) === 0 ? [] : out;
}
const values = (a: NDArray): number[] => indices(a.shape).map((i) => a.get(i));
const round = (dtype: DType, v: number): number => (dtype === 'float32' ? Math.fround(v) : v);

/** erf by Simpson's rule on 2/√π ∫₀ˣ e^(−t²) dt: slow, plainly right. */
function erfReference(x: number): number {
  const n = 2000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
}

describe('cpu backend against naive loops', () => {
  test.prop([pairArb, fc.constantFrom(...BINARY_OPS)], runs(100))(
    'binary ops broadcast over strided views',
    ([a, b], op) => {
      const out = cpu.binary(op, a, b);
      const shape = broadcastShapes(op, a.shape, b.shape);
      expect(out.shape).toEqual(shape);
      expect(out.dtype).toBe(a.dtype);
      const ea = a.expand(shape);
      const eb = b.expand(shape);
      const f = {
        add: (x: number, y: number) => x + y,
        sub: (x: number, y: number) => x - y,
        mul: (x: number, y: number) => x * y,
        div: (x: number, y: number) => x / y,
        pow: Math.pow,
        eq: (x: number, y: number) => Number(x === y),
      }[op];
      expect(values(out)).toEqual(indices(shape).map((i) => round(a.dtype, f(ea.get(i), eb.get(i)))));
    },
  );

  test.prop([shapeArb.chain((s) => stridedView(s, 'float64')), fc.constantFrom(...UNARY_OPS)], runs(60))(
    'unary ops on strided views',
    (a, op) => {
      const f = {
        neg: (x: number) => -x,
        exp: Math.exp,
        log: Math.log,
        tanh: Math.tanh,
        sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
        relu: (x: number) => Math.max(x, 0),
        step: (x: number) => Number(x > 0),
        abs: Math.abs,
        sign: (x: number) => Math.sign(x),
        erf: (x: number) => erfReference(x),
      }[op];
      const out = values(cpu.unary(op, a));
      values(a).forEach((x, k) => {
        const want = f(x);
        if (Number.isNaN(want))
          expect(out[k]).toBeNaN(); // log of a negative number
        else expect(out[k]).toBeCloseTo(want, op === 'erf' ? 11 : 12);
      });
    },
  );

  test.prop(
    [
      fc
        .tuple(shapeArb, dtypes)
        .chain(([s, d]) => fc.tuple(stridedView(s, d), fc.subarray(s.map((_, i) => i)), fc.boolean())),
    ],
    runs(80),
  )('sum and max reduce any set of axes', ([a, axes, keepdim]) => {
    for (const op of ['sum', 'max'] as const) {
      if (op === 'max' && axes.some((d) => a.shape[d] === 0)) continue;
      const out = cpu.reduce(op, a, axes, keepdim);
      const kept = a.shape.map((s, d) => (axes.includes(d) ? 1 : s));
      expect(out.shape).toEqual(keepdim ? kept : a.shape.filter((_, d) => !axes.includes(d)));
      const expected = indices(kept).map((o) => {
        const members = indices(a.shape).filter((i) => i.every((v, d) => axes.includes(d) || v === o[d]));
        const vs = members.map((i) => a.get(i));
        return round(a.dtype, op === 'sum' ? vs.reduce((s, v) => s + v, 0) : Math.max(...vs));
      });
      expect(Array.from(out.toTypedArray())).toEqual(expected);
    }
  });

  // k up to 9 reaches the four-at-a-time loops and their remainders; `packed` picks which
  // operand is a transposed view (columns packed), which selects each loop order in the kernel.
  const transposedView = (shape: [number, number, number], d: DType, on: boolean): fc.Arbitrary<NDArray> =>
    on
      ? stridedView([shape[0], shape[2], shape[1]], d).map((v) => v.contiguous().transpose(1, 2))
      : stridedView(shape, d);
  const mm = fc
    .tuple(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 1, max: 2 }),
      fc.boolean(),
      dtypes,
      fc.boolean(),
      fc.boolean(),
    )
    .chain(([n, k, m, batch, bBroadcast, d, aT, bT]) =>
      fc.tuple(
        transposedView([batch, n, k], d, aT),
        bBroadcast ? stridedView([k, m], d) : transposedView([batch, k, m], d, bT),
      ),
    );
  test.prop([mm], runs(80))('matmul of strided, batch-broadcast operands', ([a, b]) => {
    const out = cpu.matmul(a, b);
    const [batch, n, k] = a.shape as [number, number, number];
    const m = b.shape[b.rank - 1]!;
    const bAt = (p: number, i: number, j: number): number => (b.rank === 2 ? b.get([i, j]) : b.get([p, i, j]));
    expect(out.shape).toEqual([batch, n, m]);
    const expected = indices([batch, n, m]).map(([p, i, j]) => {
      let s = 0;
      for (let q = 0; q < k; q++) s += a.get([p!, i!, q]) * bAt(p!, q, j!);
      return round(a.dtype, s);
    });
    expect(values(out)).toEqual(expected);
  });

  test.prop(
    [
      fc
        .tuple(
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          dtypes,
        )
        .chain(([base, sides, d]) =>
          fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.constant(base), fc.constant(sides), fc.constant(d)),
        )
        .chain(([axis, base, sides, d]) =>
          fc.tuple(
            fc.constant(axis),
            fc.tuple(
              ...sides.map((side) =>
                stridedView(
                  base.map((s, i) => (i === axis ? side : s)),
                  d,
                ),
              ),
            ),
          ),
        ),
    ],
    runs(60),
  )('concat copies each strided piece into place', ([axis, pieces]) => {
    const out = cpu.concat(pieces, axis);
    let offset = 0;
    for (const p of pieces) {
      for (const i of indices(p.shape)) expect(out.get(i.map((v, d) => (d === axis ? v + offset : v)))).toBe(p.get(i));
      offset += p.shape[axis]!;
    }
    expect(out.shape[axis]).toBe(offset);
  });

  test.prop(
    [
      shapeArb.chain((s) =>
        fc.tuple(stridedView(s, 'float32'), fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2))))),
      ),
    ],
    runs(60),
  )('pad surrounds a strided view with the value', ([a, pads]) => {
    const out = cpu.pad(a, pads, -7);
    expect(out.shape).toEqual(a.shape.map((s, d) => s + pads[d]![0] + pads[d]![1]));
    for (const i of indices(out.shape)) {
      const inner = i.map((v, d) => v - pads[d]![0]);
      const inside = inner.every((v, d) => v >= 0 && v < a.shape[d]!);
      expect(out.get(i)).toBe(inside ? a.get(inner) : -7);
    }
  });

  test.prop([shapeArb.chain((s) => stridedView(s, 'float64'))], runs(40))(
    'copy makes a contiguous copy and converts dtype',
    (a) => {
      const c = cpu.copy(a, 'float32');
      expect(c.isContiguous()).toBe(true);
      expect(c.dtype).toBe('float32');
      expect(values(c)).toEqual(values(a).map(Math.fround));
      expect(values(cpu.full(a.shape, 2.5, 'float64'))).toEqual(values(a).map(() => 2.5));
    },
  );
});
