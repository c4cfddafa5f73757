/**
 * expand — broadcasts a to `shape`: new leading axes, and sides of 1 repeated. A view: the
 * repeated axes get stride 0, so nothing is copied.
 *
 *   Each a[i] is used once per copy, so its gradient is the sum over the copies:
 *   da = unbroadcast(dy, shape of a)   ("expand is sum in reverse")
 */
import { checkTensor } from '../operands.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Broadcasts to a larger shape (a stride-0 view).
 *
 * @example
 * expand(tensor([1, 2]), [3, 2]).toArray(); // [[1, 2], [1, 2], [1, 2]]
 */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const x = checkTensor('expand', 'a', a);
  const inShape = x.shape;
  const out = x.data.expand(shape);
  return builtinOp('expand', [x], ['a'], out, (dy) => [unbroadcast(dy, inShape)], {
    rule: 'da = unbroadcast(dy) (sum over the repeated axes)',
    onnx: { op: 'Expand', inputs: [0, { ints: out.shape }] },
  });
}
