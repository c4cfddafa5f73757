/**
 * mean — y = (Σ a over `axis`) / n, where n is the number of elements averaged.
 *
 *   ∂y/∂a[i] = 1/n  →  da = dy / n, broadcast back over the averaged axes.
 *
 * NOTE: a composite (sum, then div), so it needs no backward of its own. The mean of zero
 * elements is 0/0 = NaN, as in PyTorch and NumPy.
 */
import { normalizeAxes } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import type { Tensor } from '../tensor.js';
import { div } from './div.js';
import { checkKeepdim, sum } from './sum.js';

/**
 * Mean over `axis` (one, several, or all).
 *
 * @example
 * mean(tensor([[1, 2], [3, 4]]), 1, true).toArray(); // [[1.5], [3.5]]
 */
export function mean(a: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const x = checkTensor('mean', 'a', a);
  const axes = normalizeAxes('mean', axis, x.rank);
  checkKeepdim('mean', keepdim);
  const count = axes.reduce((n, i) => n * x.shape[i]!, 1);
  return div(sum(x, axes, keepdim), count);
}
