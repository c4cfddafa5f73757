/**
 * div — y = a / b (elementwise), with broadcasting.
 *
 *   ∂y/∂a = 1/b     →  da = unbroadcast(dy / b)
 *   ∂y/∂b = −a/b²   →  db = unbroadcast(−dy · a / b²)
 */
import { type TensorLike, operands } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';
import { mul } from './mul.js';
import { neg } from './neg.js';

/**
 * Elementwise a / b with broadcasting.
 *
 * @example
 * div(tensor([1, 3]), 2).toArray(); // [0.5, 1.5]
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return divTensors(...operands('div', a, b));
}

function divTensors(a: Tensor, b: Tensor): Tensor {
  const y = getBackend().binary('div', a.data, b.data);
  return builtinOp(
    'div',
    [a, b],
    ['a', 'b'],
    y,
    (dy, needs) => [
      needs[0] ? unbroadcast(div(dy, b), a.shape) : null,
      needs[1] ? unbroadcast(neg(div(mul(dy, a), mul(b, b))), b.shape) : null,
    ],
    { rule: 'da = unbroadcast(dy/b), db = unbroadcast(−dy·a/b²)', onnx: { op: 'Div' } },
  );
}
