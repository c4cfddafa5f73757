/**
 * log — y = ln a (natural logarithm; NaN for a < 0 and −∞ at 0, as in IEEE arithmetic).
 *
 *   ∂y/∂a = 1/a  →  da = dy / a
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';

/**
 * Elementwise natural logarithm.
 *
 * @example
 * log(tensor([1, Math.E], { dtype: 'float64' })).toArray(); // [0, 1]
 */
export function log(a: Tensor): Tensor {
  const x = checkTensor('log', 'a', a);
  return builtinOp('log', [x], ['a'], getBackend().unary('log', x.data), (dy) => [div(dy, x)], {
    rule: 'da = dy/a',
    onnx: { op: 'Log' },
  });
}
