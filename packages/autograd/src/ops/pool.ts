/**
 * Pooling and upsampling, as composites of unfold, reductions and views:
 *
 *   maxPool2d:          max over each window     (padding is the lowest float, so it never wins)
 *   avgPool2d:          Σ over each window / its count: k·k with zero padding counted (PyTorch's
 *                       default), or only the input's pixels with countIncludePad false
 *   adaptiveAvgPool2d, adaptiveMaxPool2d:  mean / max over bins [⌊i·H/h⌋, ⌈(i+1)·H/h⌉) for an
 *                       output of size [h, w]
 *   upsampleNearest:    each pixel repeated s×s times (a stride-0 expand, then reshape)
 *
 * ceilMode rounds the number of windows up, as PyTorch: the last window may hang over the bottom
 * or right edge (the overhang is padding that never wins a max and is never counted in a mean),
 * but never starts in the padding alone.
 *
 * Gradients come from max (ties share), sum, unfold and expand.
 */
import { NDArray, SkipgradError, checkSize, describe, formatShape, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { type ExportForm, exportedAs, reportForExport } from '../export-form.js';
import { Tensor } from '../tensor.js';
import { concat } from './concat.js';
import { matmul } from './matmul.js';
import { pad } from './pad.js';
import { unfold } from './unfold.js';
import { type Pair, type WindowOptions, checkImage, makeWindow, pair } from './window.js';

export interface PoolOptions extends WindowOptions {
  /** Round the number of windows up instead of down. Default false. */
  ceilMode?: boolean;
}

export interface AvgPoolOptions extends Omit<PoolOptions, 'dilation'> {
  /** Divide by k·k, zero padding included (the default), or false: by the input pixels in the window. */
  countIncludePad?: boolean;
}

interface Windows {
  /** unfold's columns as [N, C, k·k, L], ready to reduce over axis 2. */
  cols: Tensor;
  out: [number, number];
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  ceil: boolean;
}

/** A pooling's ONNX node (MaxPool, AveragePool): the same window, the same ceil mode. */
function poolForm(
  op: string,
  win: Windows,
  extra: Record<string, number> = {},
  dilations?: readonly [number, number],
): ExportForm {
  const attributes = {
    kernel_shape: win.kernel,
    strides: win.stride,
    pads: [...win.padding, ...win.padding],
    ceil_mode: win.ceil ? 1 : 0,
    ...extra,
  };
  return { op, attributes: dilations ? { ...attributes, dilations } : attributes };
}

/** The output size along one axis, floor or ceil mode (PyTorch's rule for the last window). */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= size + p) out--; // the last window must start inside the input or its left padding
  return out;
}

function windows(op: string, x: Tensor, kernel: Pair, options: PoolOptions, padValue: number): Windows {
  checkImage(op, 'x', x);
  const ceil = options.ceilMode ?? false;
  if (typeof ceil !== 'boolean') throw new SkipgradError(op, 'ceilMode', 'a boolean', describe(ceil));
  const o = { stride: options.stride ?? kernel, padding: options.padding ?? 0, dilation: options.dilation ?? 1 };
  const win = makeWindow(op, kernel, o, [x.shape[2]!, x.shape[3]!]);
  if (win.padding[0] * 2 > win.kernel[0] || win.padding[1] * 2 > win.kernel[1]) {
    throw new SkipgradError(
      op,
      'padding',
      `at most half the kernel ${formatShape(win.kernel)}`,
      formatShape(win.padding),
    );
  }
  const sizes = [x.shape[2]!, x.shape[3]!];
  const out = [0, 1].map((d) =>
    pooledSize(sizes[d]!, win.kernel[d]!, win.stride[d]!, win.padding[d]!, win.dilation[d]!, ceil),
  ) as [number, number];
  // The windows ceil mode adds hang over the bottom/right: padding beyond the usual, on that side only.
  const overhang = [0, 1].map((d) =>
    Math.max(
      0,
      (out[d]! - 1) * win.stride[d]! + win.dilation[d]! * (win.kernel[d]! - 1) + 1 - (sizes[d]! + 2 * win.padding[d]!),
    ),
  );
  const explicit = padValue !== 0 || overhang.some((e) => e > 0);
  const padded = explicit
    ? pad(
        x,
        [
          [0, 0],
          [0, 0],
          [win.padding[0], win.padding[0] + overhang[0]!],
          [win.padding[1], win.padding[1] + overhang[1]!],
        ],
        padValue,
      )
    : x;
  const cols = unfold(padded, kernel, { stride: o.stride, padding: explicit ? 0 : o.padding, dilation: o.dilation });
  const [N, C] = x.shape as [number, number];
  return {
    cols: cols.reshape([N, C, win.kernel[0] * win.kernel[1], out[0] * out[1]]),
    out,
    kernel: win.kernel,
    stride: win.stride,
    padding: win.padding,
    dilation: win.dilation,
    ceil,
  };
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
  checkOptions('maxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode']);
  const input = checkTensor('maxPool2d', 'x', x);
  return exportedAs('maxPool2d', [input], () => {
    const win = windows('maxPool2d', input, kernel, options, LOWEST[input.dtype]);
    const output = win.cols.max(2).reshape([input.shape[0]!, input.shape[1]!, ...win.out]);
    return { output, form: poolForm('MaxPool', win, {}, win.dilation) };
  });
}

/**
 * maxPool2d and where each maximum came from: `indices` holds, per output, the flat index
 * h·W + w of its maximum in the input's [H, W] plane (the first one where several tie), as
 * PyTorch's `return_indices`. The indices are constants.
 *
 * @example
 * maxPool2dWithIndices(arange(16).reshape([1, 1, 4, 4]), 2).indices.toArray(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2dWithIndices(
  x: Tensor,
  kernel: Pair,
  options: PoolOptions = {},
): { values: Tensor; indices: Tensor } {
  checkOptions('maxPool2dWithIndices', options, ['stride', 'padding', 'dilation', 'ceilMode']);
  const input = checkTensor('maxPool2dWithIndices', 'x', x);
  const win = windows('maxPool2dWithIndices', input.detach(), kernel, options, LOWEST[input.dtype]); // checks every argument first
  const values = maxPool2d(input, kernel, options);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [h, w] = win.out;
  const data = input.data.toTypedArray();
  const index = new Float64Array(N * C * h * w);
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let best = -1;
        let bestValue = -Infinity;
        for (let a = 0; a < win.kernel[0]; a++) {
          const r = i * win.stride[0] - win.padding[0] + a * win.dilation[0];
          if (r < 0 || r >= H) continue;
          for (let b = 0; b < win.kernel[1]; b++) {
            const c = j * win.stride[1] - win.padding[1] + b * win.dilation[1];
            if (c < 0 || c >= W) continue;
            const v = data[plane * H * W + r * W + c]!;
            // NaN wins, as in PyTorch; of several NaNs the first stays (as argmax's)
            if (best < 0 || v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue)))
              [best, bestValue] = [r * W + c, v];
          }
        }
        index[(plane * h + i) * w + j] = best;
      }
    }
  }
  const indices = new Tensor(new NDArray(index, [N, C, h, w]).copy(input.dtype));
  reportForExport('maxPool2dWithIndices', undefined, [input], indices); // computed on the host: no ONNX form
  return { values, indices };
}

/**
 * Mean over each window (stride defaults to the kernel).
 *
 * @example
 * avgPool2d(arange(16).reshape([1, 1, 4, 4]), 2).toArray(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 */
export function avgPool2d(x: Tensor, kernel: Pair, options: AvgPoolOptions = {}): Tensor {
  checkOptions('avgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'dilation']);
  const input = checkTensor('avgPool2d', 'x', x);
  const include = options.countIncludePad ?? true;
  if (typeof include !== 'boolean')
    throw new SkipgradError('avgPool2d', 'countIncludePad', 'a boolean', describe(include));
  if ((options as PoolOptions).dilation !== undefined)
    throw new SkipgradError(
      'avgPool2d',
      'dilation',
      'no dilation (average pooling has none, as PyTorch)',
      describe((options as PoolOptions).dilation),
    );
  return exportedAs('avgPool2d', [input], () => {
    const win = windows('avgPool2d', input, kernel, options, 0);
    const [h, w] = win.out;
    const shape = [input.shape[0]!, input.shape[1]!, h, w];
    const counts = windowCounts(win, [input.shape[2]!, input.shape[3]!], include);
    const output =
      counts === null
        ? win.cols.mean(2).reshape(shape) // every window counts k·k
        : win.cols
            .sum(2)
            .reshape(shape)
            .div(new Tensor(new NDArray(counts, [h, w]).copy(input.dtype)));
    return { output, form: poolForm('AveragePool', win, { count_include_pad: include ? 1 : 0 }) };
  });
}

/**
 * Each window's divisor, PyTorch's way: the window clipped to the padded input (so ceil mode's
 * overhang never counts), then — without countIncludePad — to the input itself. Null when every
 * window counts all k·k.
 */
function windowCounts(win: Windows, size: [number, number], includePad: boolean): Float64Array | null {
  const along = (d: 0 | 1): number[] =>
    Array.from({ length: win.out[d] }, (_, i) => {
      const start = i * win.stride[d] - win.padding[d];
      const end = Math.min(start + win.kernel[d], size[d] + win.padding[d]);
      return includePad ? end - start : Math.min(end, size[d]) - Math.max(start, 0);
    });
  const [rows, cols] = [along(0), along(1)];
  if (rows.every((r) => r === win.kernel[0]) && cols.every((c) => c === win.kernel[1])) return null;
  return Float64Array.from(rows.flatMap((r) => cols.map((c) => r * c)));
}

/**
 * Average-pools to a given output size (1 is global average pooling). Each axis's averaging is
 * linear: with P_h [h, H] holding 1/|bin| over each output row's bin, y = P_h · x · P_wᵀ — two
 * matrix products, whatever the sizes (bins may overlap when the output is larger).
 *
 * @example
 * adaptiveAvgPool2d(arange(16).reshape([1, 1, 4, 4]), 1).toArray(); // [[[[7.5]]]]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  const { input, oh, ow, H, W } = adaptiveArgs('adaptiveAvgPool2d', x, outputSize, 'mean');
  checkSize('adaptiveAvgPool2d', [oh, H], 4, 'outputSize');
  checkSize('adaptiveAvgPool2d', [ow, W], 4, 'outputSize');
  if (H % oh === 0 && W % ow === 0) return avgPool2d(input, [H / oh, W / ow]); // equal bins
  const rows = binMatrix(oh, H, input.dtype);
  const cols = binMatrix(ow, W, input.dtype);
  return matmul(matmul(rows, input), cols.transpose());
}

/** The checks both adaptive poolings share: an image with pixels, an output size within the limits. */
function adaptiveArgs(
  op: string,
  x: unknown,
  outputSize: Pair,
  what: string,
): { input: Tensor; oh: number; ow: number; H: number; W: number } {
  const input = checkTensor(op, 'x', x);
  checkImage(op, 'x', input);
  const [oh, ow] = pair(op, 'outputSize', outputSize, 1);
  const [N, C, H, W] = input.shape as [number, number, number, number];
  checkSize(op, [N, C, oh, ow], 4, 'outputSize');
  if (H === 0 || W === 0)
    throw new SkipgradError(
      op,
      'x',
      `images with at least one pixel (the ${what} of nothing is undefined)`,
      `shape ${formatShape(input.shape)}`,
    );
  return { input, oh, ow, H, W };
}

/** [out, size]: row i averages the bin [⌊i·size/out⌋, ⌈(i+1)·size/out⌉). A constant. */
function binMatrix(out: number, size: number, dtype: Tensor['dtype']): Tensor {
  const m = Float64Array.from({ length: out * size }, (_, at) => {
    const [a, b] = bin(Math.floor(at / size), out, size);
    const j = at % size;
    return j >= a && j < b ? 1 / (b - a) : 0;
  });
  return new Tensor(new NDArray(m, [out, size]).copy(dtype));
}

const bin = (i: number, n: number, size: number): [number, number] => [
  Math.floor((i * size) / n),
  Math.ceil(((i + 1) * size) / n),
];

/**
 * Max-pools to a given output size, over the same bins as adaptiveAvgPool2d: the rows' bins
 * first, then the columns' (a rectangle's max is the max of its rows' maxima).
 *
 * @example
 * adaptiveMaxPool2d(arange(16).reshape([1, 1, 4, 4]), 1).toArray(); // [[[[15]]]]
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  const { input, oh, ow, H, W } = adaptiveArgs('adaptiveMaxPool2d', x, outputSize, 'max');
  if (oh > MAX_BINS || ow > MAX_BINS) {
    throw new SkipgradError(
      'adaptiveMaxPool2d',
      'outputSize',
      `at most ${MAX_BINS} bins along each axis`,
      formatShape([oh, ow]),
    );
  }
  if (H % oh === 0 && W % ow === 0) return maxPool2d(input, [H / oh, W / ow]); // equal bins
  const byRows = concat(
    Array.from({ length: oh }, (_, i) => {
      const [a, b] = bin(i, oh, H);
      return input.narrow(2, a, b - a).max(2, true);
    }),
    2,
  );
  return concat(
    Array.from({ length: ow }, (_, j) => {
      const [a, b] = bin(j, ow, W);
      return byRows.narrow(3, a, b - a).max(3, true);
    }),
    3,
  );
}

/** Each bin of adaptiveMaxPool2d is a slice and a reduction: beyond this many, a bad size. */
const MAX_BINS = 1 << 14;

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
  checkSize('upsampleNearest', [N, C, H * sh, W * sw], 4, 'scale');
  return input
    .reshape([N, C, H, 1, W, 1])
    .expand([N, C, H, sh, W, sw])
    .reshape([N, C, H * sh, W * sw]);
}
