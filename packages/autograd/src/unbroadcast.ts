/**
 * The one place where a gradient is summed back to an input's shape.
 *
 * If a of shape [3] was broadcast to [2, 3] in a + b, each a[j] was used twice — once per row —
 * so its gradient is the sum of dy over the rows: dL/da[j] = Σ_i dy[i, j]. In general, sum dy
 * over every axis the input was broadcast along (missing leading axes and sides of 1), then
 * reshape to the input's shape. Written with differentiable ops, so it has a gradient too.
 */
import { SkipgradError, broadcastShapes, checkShape, formatShape, reductionAxes, shapesEqual } from '@skipgrad/tensor';
import { checkTensor } from './operands.js';
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
  const x = checkTensor('unbroadcast', 'dy', dy);
  checkShape('unbroadcast', 'shape', shape);
  if (shapesEqual(x.shape, shape)) return x;
  if (!shapesEqual(broadcastShapes('unbroadcast', shape, x.shape), x.shape)) {
    throw new SkipgradError(
      'unbroadcast',
      'shape',
      `a shape that broadcasts to dy's ${formatShape(x.shape)}`,
      formatShape(shape),
    );
  }
  return reshape(sum(x, reductionAxes(shape, x.shape)), shape);
}
