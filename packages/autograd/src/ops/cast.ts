/**
 * cast — the same values in another dtype (`tensor.to('float64')`).
 *
 *   The identity on values  →  da = dy cast back to a's dtype.
 */
import { checkDType } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';

/**
 * The same values in another dtype.
 *
 * @example
 * cast(tensor([1.5]), 'float64').dtype; // 'float64'
 */
export function cast(a: Tensor, dtype: 'float32' | 'float64'): Tensor {
  const x = checkTensor('cast', 'a', a);
  const to = checkDType('cast', dtype);
  if (to === x.dtype) return x;
  const from = x.dtype;
  return builtinOp('cast', [x], ['a'], getBackend().copy(x.data, to), (dy) => [cast(dy, from)], {
    rule: "da = cast(dy) back to a's dtype",
    onnx: { op: 'Cast', attributes: { to: to === 'float32' ? 1 : 11 } },
  }); // ONNX's FLOAT, DOUBLE
}
