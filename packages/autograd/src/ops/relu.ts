/**
 * relu — y = max(a, 0).
 *
 *   ∂y/∂a = 1 where a > 0, else 0  →  da = dy · [a > 0]
 *
 * At the kink a = 0 the derivative is taken as 0 (PyTorch's convention, the minimum-norm
 * subgradient). The mask [a > 0] is a constant: relu's second derivative is 0 almost everywhere.
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';

/**
 * Elementwise max(a, 0).
 *
 * @example
 * relu(tensor([-1, 0, 2])).toArray(); // [0, 0, 2]
 */
export function relu(a: Tensor): Tensor {
  const x = checkTensor('relu', 'a', a);
  return builtinOp(
    'relu',
    [x],
    ['a'],
    getBackend().unary('relu', x.data),
    (dy) => [mul(dy, new Tensor(getBackend().unary('step', x.data)))],
    { rule: 'da = dy·[a > 0]', onnx: { op: 'Relu' } },
  );
}
