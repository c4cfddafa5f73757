/**
 * tanh — y = tanh a.
 *
 *   ∂y/∂a = 1 − tanh² a = 1 − y²  →  da = dy · (1 − y²)   (saves its own output)
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/**
 * Elementwise hyperbolic tangent.
 *
 * @example
 * tanh(tensor([0])).toArray(); // [0]
 */
export function tanh(a: Tensor): Tensor {
  const x = checkTensor('tanh', 'a', a);
  const y: Tensor = builtinOp(
    'tanh',
    [x],
    ['a'],
    getBackend().unary('tanh', x.data),
    (dy) => [mul(dy, sub(1, mul(y, y)))],
    { rule: 'da = dy·(1 − y²)', onnx: { op: 'Tanh' } },
  );
  return y;
}
