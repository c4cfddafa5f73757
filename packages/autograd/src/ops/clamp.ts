/** clamp: a limited to [min, max], a composite of where (the gradient passes where a is inside). */
import { NDArray, SkipgradError, allocate, describe } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { Tensor } from '../tensor.js';
import { where } from './where.js';

/**
 * Clamps into [min, max] (either bound may be omitted): y = where(a > max, max, where(a < min, min, a)).
 * The gradient passes where a is inside the bounds, boundaries included (as PyTorch).
 *
 * @example
 * clamp(tensor([-2, 0.5, 3]), -1, 1).toArray(); // [-1, 0.5, 1]
 */
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  const x = checkTensor('clamp', 'a', a);
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v)))
      throw new SkipgradError('clamp', name, 'a number or undefined', describe(v));
  }
  if ((min ?? -Infinity) > (max ?? Infinity))
    throw new SkipgradError('clamp', 'max', `a bound >= min (${min})`, String(max));
  const backend = getBackend();
  /** The constant mask [u > v], computed without recording a graph. */
  const greater = (u: Tensor, v: number): Tensor =>
    new Tensor(backend.unary('step', backend.binary('sub', u.data, scalarArray(v, u))));
  let y = x;
  if (max !== undefined) y = where(greater(x, max), max, y);
  if (min !== undefined) y = where(greater(x.neg(), -min), min, y);
  return y;
}

function scalarArray(value: number, like: Tensor): NDArray {
  const storage = allocate(like.dtype, 1);
  storage[0] = value;
  return new NDArray(storage, []);
}
