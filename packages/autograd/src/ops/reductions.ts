/**
 * Reductions built on the primitives: min, argmax/argmin, variance and standard deviation.
 *
 *   min(a)                   = −max(−a)                      (tied minima share the gradient, as in max)
 *   argmax(a), argmin(a)     the index of the first largest / smallest element — an integer, no gradient
 *   variance(a, correction)  = Σ (a − ā)² / (N − correction)   (correction 1: Bessel's, the unbiased estimate)
 *   std(a, correction)       = √variance
 *
 * with N the number of elements reduced. d variance/da_i = 2(a_i − ā)/(N − correction): the term
 * through ā vanishes because the deviations sum to 0 — the composite's gradient finds that by itself.
 */
import {
  NDArray,
  SkipgradError,
  describe,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  checkOptions,
} from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { reportForExport } from '../export-form.js';
import { Tensor } from '../tensor.js';
import { pow } from './pow.js';
import { max } from './max.js';
import { mean } from './mean.js';
import { neg } from './neg.js';
import { sub } from './sub.js';
import { checkKeepdim, sum } from './sum.js';

/**
 * Minimum over one axis, a list of axes, or all.
 *
 * @example
 * min(tensor([[1, 5], [7, 2]]), 1).toArray(); // [1, 2]
 */
export function min(a: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const x = checkTensor('min', 'a', a);
  const axes = normalizeAxes('min', axis, x.rank);
  checkKeepdim('min', keepdim);
  const empty = axes.find((i) => x.shape[i] === 0);
  if (empty !== undefined) {
    throw new SkipgradError(
      'min',
      'a',
      'a non-zero side on the reduced axis (the min of nothing is undefined)',
      `shape ${formatShape(x.shape)}`,
      `axis ${empty} has side 0`,
    );
  }
  return neg(max(neg(x), axis, keepdim));
}

/**
 * Index of the largest element along `axis` (of the flattened tensor when omitted); the first
 * one where several tie, as PyTorch. A constant of a's dtype holding integers.
 *
 * @example
 * argmax(tensor([[1, 5], [7, 2]]), 1).toArray(); // [1, 0]
 */
export function argmax(a: Tensor, axis?: number, keepdim = false): Tensor {
  return argBest('argmax', a, axis, keepdim, (v, best) => v > best);
}

/**
 * Index of the smallest element along `axis` (of the flattened tensor when omitted); the first
 * one where several tie.
 *
 * @example
 * argmin(tensor([[1, 5], [7, 2]]), 1).toArray(); // [0, 1]
 */
export function argmin(a: Tensor, axis?: number, keepdim = false): Tensor {
  return argBest('argmin', a, axis, keepdim, (v, best) => v < best);
}

/** Scans each line along the axis for the first element that beats all before it. NaN wins, as in PyTorch. */
function argBest(
  op: string,
  a: Tensor,
  axis: number | undefined,
  keepdim: boolean,
  beats: (v: number, best: number) => boolean,
): Tensor {
  const x = checkTensor(op, 'a', a);
  checkKeepdim(op, keepdim);
  const flat = axis === undefined;
  const d = flat ? 0 : normalizeAxis(op, axis, x.rank);
  const shape = flat ? [x.size] : [...x.shape];
  const side = shape[d] ?? 1;
  if (x.size === 0)
    throw new SkipgradError(
      op,
      'a',
      'a non-empty tensor (the index of nothing is undefined)',
      `shape ${formatShape(x.shape)}`,
    );
  const values = x.data.toTypedArray();
  // Line j of the result is values[o, 0..side, i] with o = ⌊j / inner⌋ and i = j mod inner.
  const inner = shape.slice(d + 1).reduce((p, s) => p * s, 1);
  const out = Float64Array.from({ length: x.size / side }, (_, j) => {
    const first = Math.floor(j / inner) * side * inner + (j % inner);
    let best = 0;
    let bestValue = values[first]!;
    for (let k = 1; k < side && !Number.isNaN(bestValue); k++) {
      const v = values[first + k * inner]!;
      if (Number.isNaN(v) || beats(v, bestValue)) [best, bestValue] = [k, v];
    }
    return best;
  });
  const outShape = flat
    ? keepdim
      ? x.shape.map(() => 1)
      : []
    : keepdim
      ? shape.map((s, i) => (i === d ? 1 : s))
      : shape.filter((_, i) => i !== d);
  const result = new Tensor(new NDArray(out, outShape).copy(x.dtype));
  // ONNX's ArgMax/ArgMin give int64 (first index of the best), cast back to the input's dtype.
  const best = {
    op: op === 'argmax' ? 'ArgMax' : 'ArgMin',
    inputs: [flat ? { op: 'Reshape', inputs: [0, { ints: [-1] }] } : 0],
    attributes: { axis: flat ? 0 : d, keepdims: keepdim && !flat ? 1 : 0 },
  };
  const form = {
    op: 'Cast',
    inputs: [flat && keepdim ? { op: 'Reshape', inputs: [best, { ints: outShape }] } : best],
    attributes: { to: x.dtype === 'float32' ? 1 : 11 },
  };
  reportForExport(op, form, [x], result);
  return result;
}

export interface VarianceOptions {
  /** Subtracted from N in the denominator: 1 (default, unbiased) or 0 (the population variance). */
  correction?: number;
  keepdim?: boolean;
}

/**
 * Variance over `axis` (one, a list, or all): Σ (a − ā)² / (N − correction).
 *
 * @example
 * variance(tensor([1, 2, 3, 4], { dtype: 'float64' })).item(); // 1.6666666666666667
 */
export function variance(a: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return varianceOf('variance', a, axis, options);
}

/**
 * Standard deviation over `axis`: √variance, with the same correction.
 *
 * @example
 * std(tensor([1, 3], { dtype: 'float64' }), undefined, { correction: 0 }).item(); // 1
 */
export function std(a: Tensor, axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return pow(varianceOf('std', a, axis, options), 0.5);
}

function varianceOf(
  op: string,
  a: Tensor,
  axis: number | readonly number[] | undefined,
  options: VarianceOptions,
): Tensor {
  checkOptions(op, options, ['correction', 'keepdim']);
  const x = checkTensor(op, 'a', a);
  const correction = options.correction ?? 1;
  const keepdim = options.keepdim ?? false;
  checkKeepdim(op, keepdim);
  if (!Number.isFinite(correction) || correction < 0) {
    throw new SkipgradError(op, 'correction', 'a finite number >= 0', describe(correction));
  }
  const axes = normalizeAxes(op, axis, x.rank);
  const n = axes.reduce((p, i) => p * x.shape[i]!, 1);
  if (n - correction <= 0) {
    throw new SkipgradError(
      op,
      'correction',
      `less than the ${n} element${n === 1 ? '' : 's'} reduced (N − correction is the divisor)`,
      String(correction),
    );
  }
  const deviation = sub(x, mean(x, axes, true));
  return sum(deviation.mul(deviation), axes, keepdim).div(n - correction);
}
