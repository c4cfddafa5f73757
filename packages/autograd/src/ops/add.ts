/**
 * add — y = a + b, with NumPy broadcasting.
 *
 *   ∂y/∂a = 1 and ∂y/∂b = 1, so each input receives the upstream gradient dy unchanged,
 *   summed back to its own shape over the axes it was broadcast along (unbroadcast).
 *
 * This is the residual connection's op. In y = x + f(x), x gets dy from this add *and* what
 * flows back through f; the engine adds the two. That sum, I + J_f, is why gradients survive
 * deep residual networks: even when J_f is tiny, the identity carries dy through.
 */
import { type TensorLike, operands } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

/**
 * Elementwise a + b, NumPy broadcasting; numbers are constants.
 *
 * @example
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray(); // [[11, 22], [13, 24]]
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return addTensors(...operands('add', a, b));
}

function addTensors(a: Tensor, b: Tensor): Tensor {
  const y = getBackend().binary('add', a.data, b.data);
  const [aShape, bShape] = [a.shape, b.shape]; // all the backward needs: no tensor is saved
  return builtinOp('add', [a, b], ['a', 'b'], y, (dy) => [unbroadcast(dy, aShape), unbroadcast(dy, bShape)], {
    rule: 'da = unbroadcast(dy), db = unbroadcast(dy)',
    onnx: { op: 'Add' },
  });
}
