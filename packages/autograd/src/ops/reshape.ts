/**
 * reshape — the same elements in the same row-major order, with a new shape (one side may be
 * −1, inferred). A view when the strides allow, otherwise a copy.
 *
 *   Every element moves but keeps its value  →  da = reshape(dy, shape of a)
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';

/**
 * The same elements with a new shape (a view when possible).
 *
 * @example
 * reshape(arange(6), [2, -1]).shape; // [2, 3]
 */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const x = checkTensor('reshape', 'a', a);
  const inShape = x.shape;
  const out = x.data.reshape(shape, (a) => getBackend().copy(a)); // a copy only when no view can express it
  return builtinOp('reshape', [x], ['a'], out, (dy) => [reshape(dy, inShape)], {
    rule: 'da = reshape(dy, shape of a)',
    onnx: { op: 'Reshape', inputs: [0, { ints: out.shape }] },
  });
}
