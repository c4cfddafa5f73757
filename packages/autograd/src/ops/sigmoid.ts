/**
 * sigmoid — y = σ(a) = 1 / (1 + e^−a). The gate of Highway networks.
 *
 *   ∂y/∂a = σ(a)(1 − σ(a)) = y(1 − y)  →  da = dy · y · (1 − y)   (saves its own output)
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/**
 * Elementwise logistic function 1 / (1 + e^−a).
 *
 * @example
 * sigmoid(tensor([0])).toArray(); // [0.5]
 */
export function sigmoid(a: Tensor): Tensor {
  const x = checkTensor('sigmoid', 'a', a);
  const y: Tensor = builtinOp(
    'sigmoid',
    [x],
    ['a'],
    getBackend().unary('sigmoid', x.data),
    (dy) => [mul(dy, mul(y, sub(1, y)))],
    { rule: 'da = dy·y·(1 − y)', onnx: { op: 'Sigmoid' } },
  );
  return y;
}
