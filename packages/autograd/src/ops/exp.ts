/**
 * exp — y = e^a.
 *
 *   ∂y/∂a = e^a = y  →  da = dy · y   (saves its own output)
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { mul } from './mul.js';

/**
 * Elementwise e^a.
 *
 * @example
 * exp(tensor([0, 1], { dtype: 'float64' })).toArray(); // [1, 2.718281828459045]
 */
export function exp(a: Tensor): Tensor {
  const x = checkTensor('exp', 'a', a);
  const y: Tensor = builtinOp('exp', [x], ['a'], getBackend().unary('exp', x.data), (dy) => [mul(dy, y)], {
    rule: 'da = dy·y',
    onnx: { op: 'Exp' },
  });
  return y;
}
