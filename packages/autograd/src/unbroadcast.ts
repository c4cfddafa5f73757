/**
 * The one place where a gradient is summed back to an input's shape.
 *
 * If a of shape [3] was broadcast to [2, 3] in a + b, each a[j] was used twice — once per row —
 * so its gradient is the sum of dy over the rows: dL/da[j] = Σ_i dy[i, j]. In general, sum dy
 * over every axis the input was broadcast along (missing leading axes and sides of 1), then
 * reshape to the input's shape. Written with differentiable ops, so it has a gradient too.
 */
import { reductionAxes, shapesEqual } from '@skipgrad/tensor';
import { reshape } from './ops/reshape.js';
import { sum } from './ops/sum.js';
import type { Tensor } from './tensor.js';

/**
 * Sums a gradient back to an input's shape: the one place where broadcasting is undone.
 *
 * @example
 * unbroadcast(ones([2, 3]), [3]).toArray(); // [2, 2, 2]
 */
export function unbroadcast(dy: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  return reshape(sum(dy, reductionAxes(shape, dy.shape)), shape);
}
