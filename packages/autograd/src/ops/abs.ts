/**
 * abs — y = |a|.
 *
 *   ∂y/∂a = sign(a) (−1, or 1; at the kink a = 0 taken as 0, PyTorch's convention)
 *   →  da = dy · sign(a), with sign(a) a constant mask.
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';

/**
 * Elementwise |a|.
 *
 * @example
 * abs(tensor([-1.5, 2])).toArray(); // [1.5, 2]
 */
export function abs(a: Tensor): Tensor {
  const x = checkTensor('abs', 'a', a);
  return builtinOp(
    'abs',
    [x],
    ['a'],
    getBackend().unary('abs', x.data),
    (dy) => [mul(dy, new Tensor(getBackend().unary('sign', x.data)))],
    { rule: 'da = dy·sign(a)', onnx: { op: 'Abs' } },
  );
}
