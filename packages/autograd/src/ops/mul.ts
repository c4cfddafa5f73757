/**
 * mul — y = a · b (elementwise), with broadcasting.
 *
 *   ∂y/∂a = b  →  da = unbroadcast(dy · b)
 *   ∂y/∂b = a  →  db = unbroadcast(dy · a)
 *
 * Saves both inputs: each one's gradient needs the other's value.
 */
import { type TensorLike, operands } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Elementwise a · b with broadcasting.
 *
 * @example
 * mul(tensor([1, 2, 3]), tensor([[1], [10]])).toArray(); // [[1, 2, 3], [10, 20, 30]]
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return mulTensors(...operands('mul', a, b));
}

function mulTensors(a: Tensor, b: Tensor): Tensor {
  const y = getBackend().binary('mul', a.data, b.data);
  return builtinOp(
    'mul',
    [a, b],
    ['a', 'b'],
    y,
    (dy, needs) => [
      needs[0] ? unbroadcast(mul(dy, b), a.shape) : null,
      needs[1] ? unbroadcast(mul(dy, a), b.shape) : null,
    ],
    { rule: 'da = unbroadcast(dy·b), db = unbroadcast(dy·a)', onnx: { op: 'Mul' } },
  );
}
