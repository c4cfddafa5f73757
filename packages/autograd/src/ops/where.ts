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
import { checkSameDtype, checkTensor, operands, scalar } from '../args.js';
import { getBackend } from '../backend.js';
import { fromOp } from '../record.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Picks a where cond is nonzero, else b.
 *
 * @example
 * where(tensor([1, 0]), tensor([1, 2]), tensor([8, 9])).toArray(); // [1, 9]
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const c = checkTensor('where', 'cond', cond);
  const [x, y] = operands('where', a, b);
  checkSameDtype('where', 'cond', c, 'a', x);
  broadcastShapes('where', c.shape, x.shape, y.shape);
  const mask = c.detach();
  const zero = scalar(0, x.dtype);
  return fromOp('where', [x, y], ['a', 'b'], getBackend().where(mask.data, x.data, y.data), (dy, needs) => [
    needs[0] ? unbroadcast(where(mask, dy, zero), x.shape) : null,
    needs[1] ? unbroadcast(where(mask, zero, dy), y.shape) : null,
  ], { rule: 'da = where(cond, dy, 0), db = where(cond, 0, dy)', onnx: { op: 'Where', inputs: [{ tensor: mask.data, as: 'bool' }, 0, 1] } });
}
