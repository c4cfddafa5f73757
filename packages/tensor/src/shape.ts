/**
 * Shape algebra, in one place: sizes, contiguous strides, NumPy broadcasting, the axes that
 * undo a broadcast, and axis normalisation. Everything that reasons about shapes calls these.
 */
import { checkSize } from './args.js';
import { SkipgradError, describe, formatShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements: the product of the sides (1 for a scalar, 0 if any side is 0). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const side of shape) n *= side;
  return n;
}

/** Row-major strides: the last axis moves by 1, each earlier axis by the product of later sides. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((side, i) => side === b[i]);
}

/** Checks that `shape` is an array of non-negative integers, of at most MAX_ELEMENTS elements. */
export function checkShape(op: string, arg: string, shape: unknown): number[] {
  const ok = Array.isArray(shape) && shape.every((s) => Number.isInteger(s) && s >= 0);
  if (!ok) {
    const given = Array.isArray(shape) ? `[${shape.map(describe).join(', ')}]` : describe(shape);
    throw new SkipgradError(op, arg, 'a shape (an array of non-negative integers)', given);
  }
  checkSize(op, shape as number[], 4, arg);
  return [...(shape as number[])];
}

/**
 * NumPy broadcasting: align shapes on the right; on each axis the sides must be equal or 1,
 * and the result takes the larger. `[2, 1, 3]` and `[4, 1]` broadcast to `[2, 4, 3]`.
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 1; i <= shape.length; i++) {
      const side = shape[shape.length - i]!;
      const current = out[rank - i]!;
      if (side === current || side === 1) continue;
      if (current === 1) out[rank - i] = side;
      else {
        throw new SkipgradError(
          op,
          'shapes',
          'shapes that broadcast (sides equal or 1, aligned on the right)',
          shapes.map(formatShape).join(' and '),
          `axis ${-i} has sides ${current} and ${side}`,
        );
      }
    }
  }
  checkSize(op, out, 4, 'shapes');
  return out;
}

/**
 * The axes of `outShape` that a tensor of `inShape` was broadcast along: leading axes it did
 * not have, and axes where it had side 1 but the output has another. Summing a gradient of
 * `outShape` over these axes (then reshaping) gives a gradient of `inShape`.
 */
export function reductionAxes(inShape: Shape, outShape: Shape): number[] {
  const lead = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < outShape.length; axis++) {
    if (axis < lead || (inShape[axis - lead] === 1 && outShape[axis] !== 1)) axes.push(axis);
  }
  return axes;
}

/** Maps an axis in [-rank, rank) to [0, rank); anything else is an error naming the op. */
export function normalizeAxis(op: string, axis: unknown, rank: number, arg = 'axis'): number {
  if (!Number.isInteger(axis) || (axis as number) < -rank || (axis as number) >= rank) {
    const range = rank === 0 ? 'no axis (the tensor is a scalar)' : `an integer axis in [${-rank}, ${rank})`;
    throw new SkipgradError(op, arg, range, describe(axis), `for a tensor of rank ${rank}`);
  }
  const a = axis as number;
  return a < 0 ? a + rank : a;
}

/** Normalises a list of axes (or all axes when undefined), refusing repeats. Result is sorted. */
export function normalizeAxes(op: string, axes: unknown, rank: number, arg = 'axis'): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axes) ? axes : [axes];
  const out = list.map((a) => normalizeAxis(op, a, rank, arg));
  if (new Set(out).size !== out.length) {
    throw new SkipgradError(op, arg, 'distinct axes', `[${list.join(', ')}]`);
  }
  return out.sort((x, y) => x - y);
}
