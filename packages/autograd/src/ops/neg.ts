/**
 * neg — y = −a.
 *
 *   ∂y/∂a = −1  →  da = −dy
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';

/**
 * Elementwise −a.
 *
 * @example
 * neg(tensor([1, -2])).toArray(); // [-1, 2]
 */
export function neg(a: Tensor): Tensor {
  const x = checkTensor('neg', 'a', a);
  return builtinOp('neg', [x], ['a'], getBackend().unary('neg', x.data), (dy) => [neg(dy)], {
    rule: 'da = −dy',
    onnx: { op: 'Neg' },
  });
}
