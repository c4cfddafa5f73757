/**
 * fold (col2im) — the adjoint of unfold: columns [N, C·k_h·k_w, L] are added back into an
 * image [N, C, H, W]; where windows overlap, their values sum.
 *
 *   y is a sum of copies of the column entries, so each entry's gradient is the gradient of
 *   the pixel it was added into: dcols = unfold(dy).
 */
import { SkipgradError, formatShape, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unfold } from './unfold.js';
import { type Pair, type WindowOptions, makeWindow, pair } from './window.js';

/**
 * Adds columns back into an image (col2im), summing overlaps.
 *
 * @example
 * fold(ones([1, 4, 4]), [3, 3], 2).toArray(); // [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]
 */
export function fold(cols: Tensor, outputSize: Pair, kernel: Pair, options: WindowOptions = {}): Tensor {
  checkOptions('fold', options, ['stride', 'padding', 'dilation']);
  const c = checkTensor('fold', 'cols', cols);
  const size = pair('fold', 'outputSize', outputSize, 1);
  const win = makeWindow('fold', kernel, options, size);
  const per = win.kernel[0] * win.kernel[1];
  const L = win.out[0] * win.out[1];
  if (c.rank !== 3 || c.shape[1]! % per !== 0 || c.shape[2] !== L) {
    throw new SkipgradError(
      'fold',
      'cols',
      `a tensor [N, C·${per}, ${L}] (kernel ${formatShape(win.kernel)}, ${L} windows)`,
      `shape ${formatShape(c.shape)}`,
    );
  }
  return builtinOp('fold', [c], ['cols'], getBackend().fold(c.data, size, win), (dy) => [unfold(dy, kernel, options)], {
    rule: 'dcols = unfold(dy) (im2col)',
  });
}
