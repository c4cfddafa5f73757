/**
 * Shape composites: built from reshape, permute and slice, so they need no backward of their
 * own — the gradient flows through the primitives they are made of.
 */
import { SkipgradError, formatShape, normalizeAxis } from '@skipgrad/tensor';
import { checkInt, checkTensor } from '../operands.js';
import type { Tensor } from '../tensor.js';
import { permute } from './permute.js';
import { reshape } from './reshape.js';
import { slice } from './slice.js';

/**
 * Swaps two axes (default: the last two).
 *
 * @example
 * transpose(zeros([2, 3])).shape; // [3, 2]
 */
export function transpose(a: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const x = checkTensor('transpose', 'a', a);
  const i = normalizeAxis('transpose', axis0, x.rank, 'axis0');
  const j = normalizeAxis('transpose', axis1, x.rank, 'axis1');
  return permute(
    x,
    x.shape.map((_, d) => (d === i ? j : d === j ? i : d)),
  );
}

/**
 * Removes `axis` (which must have side 1), or every side-1 axis when omitted.
 *
 * @example
 * squeeze(zeros([2, 1, 3])).shape; // [2, 3]
 */
export function squeeze(a: Tensor, axis?: number): Tensor {
  const x = checkTensor('squeeze', 'a', a);
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((side) => side !== 1),
    );
  const d = normalizeAxis('squeeze', axis, x.rank);
  if (x.shape[d] !== 1) {
    throw new SkipgradError(
      'squeeze',
      'axis',
      'an axis of side 1',
      `axis ${axis} of side ${x.shape[d]}`,
      `shape ${formatShape(x.shape)}`,
    );
  }
  return reshape(
    x,
    x.shape.filter((_, i) => i !== d),
  );
}

/**
 * Inserts an axis of side 1 at `axis` (in [−(rank+1), rank]).
 *
 * @example
 * unsqueeze(zeros([2, 3]), 0).shape; // [1, 2, 3]
 */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  const x = checkTensor('unsqueeze', 'a', a);
  const d = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/**
 * Merges axes startAxis..endAxis (inclusive) into one.
 *
 * @example
 * flatten(zeros([2, 3, 4]), 1).shape; // [2, 12]
 */
export function flatten(a: Tensor, startAxis = 0, endAxis = -1): Tensor {
  const x = checkTensor('flatten', 'a', a);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startAxis, x.rank, 'startAxis');
  const e = normalizeAxis('flatten', endAxis, x.rank, 'endAxis');
  if (s > e) throw new SkipgradError('flatten', 'endAxis', `an axis >= startAxis (${s})`, String(endAxis));
  const merged = x.shape.slice(s, e + 1).reduce((n, side) => n * side, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/**
 * `length` elements along `axis` from `start`: a slice on one axis.
 *
 * @example
 * narrow(arange(5), 0, 1, 3).toArray(); // [1, 2, 3]
 */
export function narrow(a: Tensor, axis: number, start: number, length: number): Tensor {
  const x = checkTensor('narrow', 'a', a);
  const d = normalizeAxis('narrow', axis, x.rank);
  checkInt('narrow', 'start', start);
  checkInt('narrow', 'length', length, 0);
  const from = start < 0 ? start + x.shape[d]! : start;
  if (from < 0 || from + length > x.shape[d]!) {
    throw new SkipgradError(
      'narrow',
      'start',
      `a range [start, start + length) inside axis ${d} of side ${x.shape[d]}`,
      `start ${start}, length ${length}`,
    );
  }
  return slice(
    x,
    x.shape.map((side, i): [number, number] => (i === d ? [from, from + length] : [0, side])),
  );
}
