/**
 * interpolate — resizes images [N, C, H, W] to a size or by a scale factor (PyTorch's
 * F.interpolate), one spatial axis at a time. Output pixel i reads the input at a source
 * coordinate src(i) along each axis:
 *
 *   nearest:   the pixel ⌊i·r⌋                                  (r = 1/scaleFactor, or in/out for a size)
 *   bilinear:  (1 − λ)·x[i₀] + λ·x[i₀ + 1], i₀ = ⌊src⌋, λ = src − i₀, with
 *              src = (i + ½)·r − ½ (clamped at 0)               pixel centres line up (alignCorners false)
 *              src = i·(in − 1)/(out − 1)                       the corner pixels line up (alignCorners true)
 *
 * Both are gathers along the axis (the weights λ are constants), so the gradient scatters dy
 * back to the pixels each output read, weighted: the adjoint of the resize.
 */
import { NDArray, SkipgradError, describe, formatShape, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { gather } from './gather.js';
import { checkImage, pair } from './window.js';

export interface InterpolateOptions {
  /** The output's [height, width] (one number: both). */
  size?: number | readonly [number, number];
  /** Output = ⌊input · scaleFactor⌋ along each axis (one number: both). */
  scaleFactor?: number | readonly [number, number];
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: map the corner pixels onto each other. Default false (PyTorch's). */
  alignCorners?: boolean;
}

const OP = 'interpolate';

/**
 * Resizes images to `size` or by `scaleFactor`, nearest or bilinear.
 *
 * @example
 * interpolate(tensor([[[[1, 2]]]], { dtype: 'float64' }), { size: [1, 4], mode: 'bilinear' }).toArray(); // [[[[1, 1.25, 1.75, 2]]]]
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  checkOptions(OP, options, ['size', 'scaleFactor', 'mode', 'alignCorners']);
  const input = checkTensor(OP, 'x', x);
  checkImage(OP, 'x', input);
  if (options === undefined)
    // checkOptions refused every other non-object
    throw new SkipgradError(OP, 'options', 'an object with size or scaleFactor', describe(options));
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear')
    throw new SkipgradError(OP, 'mode', "'nearest' or 'bilinear'", describe(mode));
  const align = options.alignCorners;
  if (align !== undefined && (typeof align !== 'boolean' || mode !== 'bilinear')) {
    throw new SkipgradError(
      OP,
      'alignCorners',
      mode === 'bilinear' ? 'a boolean' : "nothing with mode 'nearest' (it applies to bilinear)",
      describe(align),
    );
  }
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new SkipgradError(
      OP,
      'options',
      'exactly one of size and scaleFactor',
      `${options.size === undefined ? 'neither' : 'both'}`,
    );
  }
  const inSize = [input.shape[2]!, input.shape[3]!];
  if (inSize.some((s) => s === 0))
    throw new SkipgradError(
      OP,
      'x',
      'images with at least one pixel along H and W',
      `shape ${formatShape(input.shape)}`,
    );
  let outSize: number[];
  let ratio: number[];
  if (options.size !== undefined) {
    outSize = pair(OP, 'size', options.size, 1);
    ratio = outSize.map((o, d) => inSize[d]! / o);
  } else {
    const f =
      typeof options.scaleFactor === 'number' ? [options.scaleFactor, options.scaleFactor] : options.scaleFactor;
    if (!Array.isArray(f) || f.length !== 2 || !f.every((v) => Number.isFinite(v) && v > 0)) {
      throw new SkipgradError(OP, 'scaleFactor', 'a number > 0 or a pair of them', describe(options.scaleFactor));
    }
    outSize = inSize.map((s, d) => Math.floor(s * f[d]!));
    if (outSize.some((o) => o < 1))
      throw new SkipgradError(
        OP,
        'scaleFactor',
        `a factor that leaves at least one pixel of ${formatShape(inSize)}`,
        formatShape(f),
      );
    ratio = f.map((v) => 1 / v);
  }
  let y = input;
  for (const d of [0, 1] as const) {
    if (ratio[d] === 1) continue; // the identity along this axis (the output has the input's size)
    y = resizeAxis(y, 2 + d, outSize[d]!, ratio[d]!, mode, align ?? false);
  }
  return y;
}

/** Resizes axis `axis` of t to `out`: one gather (nearest) or two, weighted (bilinear). */
function resizeAxis(
  t: Tensor,
  axis: number,
  out: number,
  ratio: number,
  mode: 'nearest' | 'bilinear',
  align: boolean,
): Tensor {
  const size = t.shape[axis]!;
  const low: number[] = [];
  const high: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < out; i++) {
    if (mode === 'nearest') {
      low.push(Math.min(Math.floor(i * ratio), size - 1));
      continue;
    }
    const src = align ? (out > 1 ? (i * (size - 1)) / (out - 1) : 0) : Math.max((i + 0.5) * ratio - 0.5, 0);
    const i0 = Math.min(Math.floor(src), size - 1);
    low.push(i0);
    high.push(Math.min(i0 + 1, size - 1));
    weight.push(src - i0);
  }
  const pick = (rows: number[]): Tensor => gather(t, axis, indexAlong(t, axis, rows));
  if (mode === 'nearest') return pick(low);
  const shape = t.shape.map((_, d) => (d === axis ? out : 1));
  const lambda = new Tensor(new NDArray(Float64Array.from(weight), shape).copy(t.dtype));
  return pick(low).mul(lambda.neg().add(1)).add(pick(high).mul(lambda));
}

/** A gather index of t's shape with `axis` resized to rows.length, holding rows[i] along it. */
function indexAlong(t: Tensor, axis: number, rows: number[]): Tensor {
  const shape = t.shape.map((s, d) => (d === axis ? rows.length : s));
  const inner = shape.slice(axis + 1).reduce((p, s) => p * s, 1);
  const total = shape.reduce((p, s) => p * s, 1);
  const data = Float64Array.from({ length: total }, (_, k) => rows[Math.floor(k / inner) % rows.length]!);
  return new Tensor(new NDArray(data, shape).copy(t.dtype));
}
