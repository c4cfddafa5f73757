/**
 * sub — y = a − b, with broadcasting.
 *
 *   ∂y/∂a = 1  →  da = unbroadcast(dy)
 *   ∂y/∂b = −1 →  db = unbroadcast(−dy)
 */
import { type TensorLike, operands } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
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
  return subTensors(...operands('sub', a, b));
}

function subTensors(a: Tensor, b: Tensor): Tensor {
  const y = getBackend().binary('sub', a.data, b.data);
  const [aShape, bShape] = [a.shape, b.shape];
  return builtinOp(
    'sub',
    [a, b],
    ['a', 'b'],
    y,
    (dy, needs) => [unbroadcast(dy, aShape), needs[1] ? unbroadcast(neg(dy), bShape) : null],
    { rule: 'da = unbroadcast(dy), db = unbroadcast(−dy)', onnx: { op: 'Sub' } },
  );
}
