/**
 * sub — y = a − b, with broadcasting.
 *
 *   ∂y/∂a = 1  →  da = unbroadcast(dy)
 *   ∂y/∂b = −1 →  db = unbroadcast(−dy)
 */
import { type TensorLike, operands } from '../args.js';
import { getBackend } from '../backend.js';
import { fromOp } from '../record.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';
import { neg } from './neg.js';

/**
 * Elementwise a − b with broadcasting.
 *
 * @example
 * sub(tensor([5, 7]), 2).toArray(); // [3, 5]
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('sub', a, b);
  const out = getBackend().binary('sub', x.data, y.data);
  const [xShape, yShape] = [x.shape, y.shape];
  return fromOp('sub', [x, y], ['a', 'b'], out, (dy, needs) => [
    unbroadcast(dy, xShape),
    needs[1] ? unbroadcast(neg(dy), yShape) : null,
  ], { rule: 'da = unbroadcast(dy), db = unbroadcast(−dy)', onnx: { op: 'Sub' } });
}
