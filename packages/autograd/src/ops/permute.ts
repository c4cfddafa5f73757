/**
 * permute — reorders the axes: output axis i is input axis axes[i]. A view (no copy).
 *
 *   The backward undoes the reordering: da = permute(dy, inverse of axes), where
 *   inverse[axes[i]] = i.
 */
import { checkPermutation } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';

/**
 * Reorders the axes (a view).
 *
 * @example
 * permute(zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 */
export function permute(a: Tensor, axes: readonly number[]): Tensor {
  const x = checkTensor('permute', 'a', a);
  const perm = checkPermutation('permute', axes, x.rank);
  const inverse = perm.map((_, axis) => perm.indexOf(axis)); // where each axis went
  return builtinOp('permute', [x], ['a'], x.data.permute(perm), (dy) => [permute(dy, inverse)], {
    rule: 'da = permute(dy, inverse axes)',
    onnx: { op: 'Transpose', attributes: { perm } },
  });
}
