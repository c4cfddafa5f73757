/**
 * fast-check arbitraries for testing ops and layers, shipped to users:
 * `import { shape, broadcastableShapes, concatShapes, tensorOf } from '@skipgrad/autograd/testing'`.
 * (fast-check is an optional peer dependency, loaded only through this entry.)
 *
 * Values come from an offset grid, (k + 0.5)/16 for k in [−48, 47]: never 0, so relu, abs
 * and max kinks are never straddled by a finite difference, and exactly representable in
 * float32, so float32 and float64 runs see the same inputs (raw `fc.double()` puts most of
 * its mass near zero and in subnormals, where float32 and float64 part ways).
 */
import fc from 'fast-check';
import { type DType, NDArray, broadcastShapes } from '@skipgrad/tensor';
import { Tensor } from '../tensor.js';

export interface ShapeConstraints {
  minRank?: number;
  maxRank?: number;
  minSide?: number;
  maxSide?: number;
}

/** A shape of rank minRank..maxRank (default 0..4) with sides minSide..maxSide (default 0..4). */
export function shape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 4, minSide = 0, maxSide = 4 } = c;
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `numShapes` shapes that broadcast together, and the shape they broadcast to. A port of
 * Hypothesis's `mutually_broadcastable_shapes`: draw one side per right-aligned axis; each
 * shape takes that side or 1 on each axis; each shape's rank is cut independently.
 */
export function broadcastableShapes(
  c: ShapeConstraints & { numShapes?: number } = {},
): fc.Arbitrary<{ shapes: number[][]; result: number[] }> {
  const { numShapes = 2, minRank = 0, maxRank = 4, minSide = 0, maxSide = 4 } = c;
  const base = fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: maxRank, maxLength: maxRank });
  const one = fc.record({
    rank: fc.integer({ min: minRank, max: maxRank }),
    ones: fc.array(fc.boolean(), { minLength: maxRank, maxLength: maxRank }),
  });
  return fc.tuple(base, fc.array(one, { minLength: numShapes, maxLength: numShapes })).map(([sides, picks]) => {
    const shapes = picks.map(({ rank, ones }) =>
      sides.slice(maxRank - rank).map((side, i) => (ones[maxRank - rank + i] ? 1 : side)),
    );
    return { shapes, result: broadcastShapes('broadcastableShapes', ...shapes) };
  });
}

/**
 * Shapes for concat: a base shape of rank minRank..maxRank, an axis in [−rank, rank), and
 * 1..maxPieces pieces whose side on that axis is 0..maxPieceSide (zero-size pieces included).
 */
export function concatShapes(
  c: ShapeConstraints & { maxPieces?: number; maxPieceSide?: number } = {},
): fc.Arbitrary<{ shapes: number[][]; axis: number; result: number[] }> {
  const { minRank = 1, maxRank = 4, minSide = 0, maxSide = 3, maxPieces = 4, maxPieceSide = 3 } = c;
  return shape({ minRank: Math.max(1, minRank), maxRank, minSide, maxSide }).chain((base) =>
    fc
      .record({
        axis: fc.integer({ min: -base.length, max: base.length - 1 }),
        sides: fc.array(fc.integer({ min: 0, max: maxPieceSide }), { minLength: 1, maxLength: maxPieces }),
      })
      .map(({ axis, sides }) => {
        const d = axis < 0 ? axis + base.length : axis;
        const shapes = sides.map((side) => base.map((s, i) => (i === d ? side : s)));
        const result = base.map((s, i) => (i === d ? sides.reduce((t, n) => t + n, 0) : s));
        return { shapes, axis, result };
      }),
  );
}

/** One value of the offset grid (k + 0.5)/16, k in [−48, 47]: in (−3, 3), never 0. */
export function gridValue(): fc.Arbitrary<number> {
  return fc.integer({ min: -48, max: 47 }).map((k) => (k + 0.5) / 16);
}

export interface TensorArbOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Distinct values (for max-like ops, where ties change the derivative). */
  unique?: boolean;
  /** Values (default: the offset grid). */
  values?: fc.Arbitrary<number>;
}

/** A tensor of the given shape with grid values. */
export function tensorOf(dims: readonly number[], o: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const n = dims.reduce((p, s) => p * s, 1);
  const values = o.values ?? gridValue();
  const list = o.unique
    ? fc
        .uniqueArray(fc.integer({ min: -48 * 8, max: 47 * 8 }), { minLength: n, maxLength: n })
        .map((ks) => ks.map((k) => (k + 0.5) / 128))
    : fc.array(values, { minLength: n, maxLength: n });
  return list.map((xs) => {
    const storage = (o.dtype ?? 'float64') === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs);
    return new Tensor(new NDArray(storage, [...dims]), { requiresGrad: o.requiresGrad ?? true });
  });
}

/** A shape and a tensor of that shape. */
export function anyTensor(c: ShapeConstraints & TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  return shape(c).chain((dims) => tensorOf(dims, c));
}

/** Tensors for each of the given shapes. */
export function tensorsOf(shapes: readonly (readonly number[])[], o: TensorArbOptions = {}): fc.Arbitrary<Tensor[]> {
  return fc.tuple(...shapes.map((s) => tensorOf(s, o)));
}
