/**
 * Pooling and upsampling, as composites of unfold, reductions and views:
 *
 *   maxPool2d:          max over each window     (padding is the lowest float, so it never wins)
 *   avgPool2d:          mean over each window    (zero padding counts, PyTorch's default)
 *   adaptiveAvgPool2d:  mean over bins [⌊i·H/h⌋, ⌈(i+1)·H/h⌉) for an output of size [h, w]
 *   upsampleNearest:    each pixel repeated s×s times (a stride-0 expand, then reshape)
 *
 * Gradients come from max (ties share), mean, unfold and expand.
 */
import { SkipgradError, formatShape } from '@skipgrad/tensor';
import { checkTensor } from '../args.js';
import type { Tensor } from '../tensor.js';
import { concat } from './concat.js';
import { pad } from './pad.js';
import { unfold } from './unfold.js';
import { type Pair, type WindowOptions, checkImage, makeWindow, pair } from './window.js';

type PoolOptions = Omit<WindowOptions, 'dilation'> & { dilation?: Pair };

/** unfold's columns as [N, C, k·k, L], ready to reduce over axis 2, and the output size. */
function windows(op: string, x: Tensor, kernel: Pair, options: PoolOptions, padValue: number): [Tensor, [number, number]] {
  checkImage(op, 'x', x);
  const o = { stride: options.stride ?? kernel, padding: options.padding ?? 0, dilation: options.dilation ?? 1 };
  const win = makeWindow(op, kernel, o, [x.shape[2]!, x.shape[3]!]);
  if (win.padding[0] * 2 > win.kernel[0] || win.padding[1] * 2 > win.kernel[1]) {
    throw new SkipgradError(op, 'padding', `at most half the kernel ${formatShape(win.kernel)}`, formatShape(win.padding));
  }
  const padded = padValue === 0 ? x : pad(x, [[0, 0], [0, 0], [win.padding[0], win.padding[0]], [win.padding[1], win.padding[1]]], padValue);
  const cols = unfold(padded, kernel, { stride: o.stride, padding: padValue === 0 ? o.padding : 0, dilation: o.dilation });
  const [N, C] = x.shape as [number, number];
  return [cols.reshape([N, C, win.kernel[0] * win.kernel[1], -1]), win.out];
}

/** Max pooling pads with the lowest finite value, not −∞: it never wins, and anomaly mode stays quiet. */
const LOWEST = { float32: -3.4028234663852886e38, float64: -Number.MAX_VALUE };

/**
 * Maximum over each window (stride defaults to the kernel).
 *
 * @example
 * maxPool2d(arange(16).reshape([1, 1, 4, 4]), 2).toArray(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2d(x: Tensor, kernel: Pair, options: PoolOptions = {}): Tensor {
  const input = checkTensor('maxPool2d', 'x', x);
  const [cols, [h, w]] = windows('maxPool2d', input, kernel, options, LOWEST[input.dtype]);
  return cols.max(2).reshape([input.shape[0]!, input.shape[1]!, h, w]);
}

/**
 * Mean over each window (stride defaults to the kernel).
 *
 * @example
 * avgPool2d(arange(16).reshape([1, 1, 4, 4]), 2).toArray(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 */
export function avgPool2d(x: Tensor, kernel: Pair, options: Omit<PoolOptions, 'dilation'> = {}): Tensor {
  const input = checkTensor('avgPool2d', 'x', x);
  const [cols, [h, w]] = windows('avgPool2d', input, kernel, options, 0);
  return cols.mean(2).reshape([input.shape[0]!, input.shape[1]!, h, w]);
}

/**
 * Average-pools to a given output size (1 is global average pooling).
 *
 * @example
 * adaptiveAvgPool2d(arange(16).reshape([1, 1, 4, 4]), 1).toArray(); // [[[[7.5]]]]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  const input = checkTensor('adaptiveAvgPool2d', 'x', x);
  checkImage('adaptiveAvgPool2d', 'x', input);
  const [oh, ow] = pair('adaptiveAvgPool2d', 'outputSize', outputSize, 1);
  const [H, W] = [input.shape[2]!, input.shape[3]!];
  if (H % oh === 0 && W % ow === 0) return avgPool2d(input, [H / oh, W / ow]); // equal bins
  const bin = (i: number, n: number, size: number): [number, number] => [Math.floor((i * size) / n), Math.ceil(((i + 1) * size) / n)];
  const rows = Array.from({ length: oh }, (_, i) => {
    const [r0, r1] = bin(i, oh, H);
    const cells = Array.from({ length: ow }, (_, j) => {
      const [c0, c1] = bin(j, ow, W);
      return input.slice([[0, input.shape[0]!], [0, input.shape[1]!], [r0, r1], [c0, c1]]).mean([2, 3], true);
    });
    return concat(cells, 3);
  });
  return concat(rows, 2);
}

/**
 * Repeats each pixel scale × scale times.
 *
 * @example
 * upsampleNearest(tensor([[[[1, 2]]]]), 2).toArray(); // [[[[1, 1, 2, 2], [1, 1, 2, 2]]]]
 */
export function upsampleNearest(x: Tensor, scale: Pair): Tensor {
  const input = checkTensor('upsampleNearest', 'x', x);
  checkImage('upsampleNearest', 'x', input);
  const [sh, sw] = pair('upsampleNearest', 'scale', scale, 1);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  return input.reshape([N, C, H, 1, W, 1]).expand([N, C, H, sh, W, sw]).reshape([N, C, H * sh, W * sw]);
}
