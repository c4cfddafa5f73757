/**
 * sum — y = Σ a over `axis` (one axis, a list, or all when omitted); keepdim keeps the
 * summed axes as sides of 1.
 *
 *   ∂y/∂a[i] = 1 for every a[i] that went into y  →  da = dy broadcast back over the summed
 *   axes (reshape dy to the kept shape, then expand). "Sum is broadcast in reverse", and
 *   broadcast's backward (unbroadcast) is a sum.
 */
import { SkipgradError, describe, normalizeAxes } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { expand } from './expand.js';
import { reshape } from './reshape.js';

/**
 * Sum over `axis` (one, several, or all).
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // [4, 6]
 */
export function sum(a: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const x = checkTensor('sum', 'a', a);
  const axes = normalizeAxes('sum', axis, x.rank);
  checkKeepdim('sum', keepdim);
  const out = getBackend().reduce('sum', x.data, axes, keepdim);
  const keptShape = keptShapeOf(x.shape, axes);
  const onnx = { op: 'ReduceSum', inputs: [0, { ints: axes }], attributes: { keepdims: keepdim ? 1 : 0 } };
  return builtinOp('sum', [x], ['a'], out, (dy) => [expand(reshape(dy, keptShape), x.shape)], {
    rule: 'da = expand(dy) over the summed axes',
    onnx,
  });
}

/** The input's shape with the reduced axes set to 1 (the keepdim output shape). */
export function keptShapeOf(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((side, i) => (axes.includes(i) ? 1 : side));
}

export function checkKeepdim(op: string, keepdim: unknown): void {
  if (typeof keepdim !== 'boolean') throw new SkipgradError(op, 'keepdim', 'a boolean', describe(keepdim));
}
