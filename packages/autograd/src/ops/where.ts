/**
 * where — y = cond ? a : b, elementwise, with cond, a and b broadcast together. cond is a
 * constant mask (nonzero means true); it gets no gradient.
 *
 *   ∂y/∂a = [cond], ∂y/∂b = [¬cond]  →  da = unbroadcast(where(cond, dy, 0)),
 *                                       db = unbroadcast(where(cond, 0, dy))
 *
 * Unlike cond·a + (1 − cond)·b, the branch not taken never touches the result: an Infinity
 * or NaN there does not leak into y or its gradient.
 */
import { broadcastShapes } from '@skipgrad/tensor';
import { checkSameDtype, checkTensor, operands, scalar } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Picks a where cond is nonzero, else b.
 *
 * @example
 * where(tensor([1, 0]), tensor([1, 2]), tensor([8, 9])).toArray(); // [1, 9]
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return whereTensors(checkTensor('where', 'cond', cond), ...operands('where', a, b));
}

function whereTensors(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  checkSameDtype('where', 'cond', cond, 'a', a);
  broadcastShapes('where', cond.shape, a.shape, b.shape);
  const mask = cond.detach();
  const zero = scalar(0, a.dtype);
  const y = getBackend().where(mask.data, a.data, b.data);
  return builtinOp(
    'where',
    [a, b],
    ['a', 'b'],
    y,
    (dy, needs) => [
      needs[0] ? unbroadcast(where(mask, dy, zero), a.shape) : null,
      needs[1] ? unbroadcast(where(mask, zero, dy), b.shape) : null,
    ],
    {
      rule: 'da = where(cond, dy, 0), db = where(cond, 0, dy)',
      onnx: { op: 'Where', inputs: [{ tensor: mask.data, as: 'bool' }, 0, 1] },
    },
  );
}
