import { checkOptions } from '@skipgrad/tensor';
/**
 * unfold (im2col) — every k_h × k_w window of x [N, C, H, W] becomes a column:
 * y [N, C·k_h·k_w, L] with L = H_out·W_out windows. Convolution is then a matrix product.
 *
 *   Each output element is a copy of one input pixel (or a padding zero), and a pixel is
 *   copied into every window that covers it, so its gradient is the sum of the gradients of
 *   its copies: dx = fold(dy) (col2im). unfold and fold are each other's backward.
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { fold } from './fold.js';
import { type Pair, type WindowOptions, checkImage, makeWindow } from './window.js';

/**
 * Every window of an image as a column (im2col).
 *
 * @example
 * unfold(arange(9).reshape([1, 1, 3, 3]), 2).shape; // [1, 4, 4]
 */
export function unfold(a: Tensor, kernel: Pair, options: WindowOptions = {}): Tensor {
  checkOptions('unfold', options, ['stride', 'padding', 'dilation']);
  const x = checkTensor('unfold', 'a', a);
  checkImage('unfold', 'a', x);
  const size: [number, number] = [x.shape[2]!, x.shape[3]!];
  const win = makeWindow('unfold', kernel, options, size);
  return builtinOp('unfold', [x], ['a'], getBackend().unfold(x.data, win), (dy) => [fold(dy, size, kernel, options)], {
    rule: 'da = fold(dy) (col2im)',
  });
}
