/**
 * Small composites: each is a line or two of primitives, so its gradient needs no code.
 */
import {
  type Generator,
  NDArray,
  SkipgradError,
  allocate,
  defaultGenerator,
  describe,
  checkOptions,
  checkGenerator,
} from '@skipgrad/tensor';
import { checkTensor } from '../args.js';
import { getBackend } from '../backend.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';
import { pow } from './pow.js';
import { erf } from './erf.js';
import { tanh } from './tanh.js';
import { where } from './where.js';

/**
 * √a = a^½, so d√a/da = ½·a^(−½) comes from pow.
 *
 * @example
 * sqrt(tensor([4, 9])).toArray(); // [2, 3]
 */
export function sqrt(a: Tensor): Tensor {
  return pow(checkTensor('sqrt', 'a', a), 0.5);
}

export interface DropoutOptions {
  /** Dropout is the identity when not training. Default true. */
  training?: boolean;
  /** Where the random mask comes from (seed it to replay a run). Default: the global generator. */
  generator?: Generator;
}

/**
 * Inverted dropout: each element is zeroed with probability p, survivors are scaled by
 * 1/(1 − p) so the expectation is unchanged. y = a · m with m a constant random mask, so
 * da = dy · m: dropped elements get no gradient.
 *
 * @example
 * dropout(x, 0.5, { generator: new Generator(1) });
 */
export function dropout(a: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkOptions('dropout', options, ['training', 'generator']);
  const x = checkTensor('dropout', 'a', a);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new SkipgradError('dropout', 'p', 'a probability in [0, 1]', describe(p));
  if (options.training !== undefined && typeof options.training !== 'boolean')
    throw new SkipgradError('dropout', 'training', 'a boolean', describe(options.training));
  const g = checkGenerator('dropout', 'generator', options.generator) ?? defaultGenerator;
  if (options.training === false || p === 0) return x;
  const mask = allocate(x.dtype, x.size);
  const keep = 1 - p;
  for (let i = 0; i < mask.length; i++) mask[i] = g.uniform() < keep ? 1 / keep : 0;
  return mul(x, new Tensor(new NDArray(mask, [...x.shape])));
}

/**
 * Clamps into [min, max] (either bound may be omitted): y = where(a > max, max, where(a < min, min, a)).
 * The gradient passes where a is inside the bounds, boundaries included (as PyTorch).
 *
 * @example
 * clamp(tensor([-2, 0.5, 3]), -1, 1).toArray(); // [-1, 0.5, 1]
 */
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  const x = checkTensor('clamp', 'a', a);
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v)))
      throw new SkipgradError('clamp', name, 'a number or undefined', describe(v));
  }
  if (min !== undefined && max !== undefined && min > max)
    throw new SkipgradError('clamp', 'max', `a bound >= min (${min})`, String(max));
  const backend = getBackend();
  /** The constant mask [u > v], computed without recording a graph. */
  const greater = (u: Tensor, v: number): Tensor =>
    new Tensor(backend.unary('step', backend.binary('sub', u.data, scalarArray(v, u))));
  let y = x;
  if (max !== undefined) y = where(greater(x, max), max, y);
  if (min !== undefined) y = where(greater(x.neg(), -min), min, y);
  return y;
}

function scalarArray(value: number, like: Tensor): NDArray {
  const storage = allocate(like.dtype, 1);
  storage[0] = value;
  return new NDArray(storage, []);
}

/**
 * GELU (Hendrycks & Gimpel, 2016): y = x·Φ(x), Φ the standard normal CDF.
 *   exact (default):      gelu(x) = ½·x·(1 + erf(x/√2))
 *   approximate 'tanh':   gelu(x) ≈ ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))   (PyTorch's option)
 *
 * @example
 * gelu(tensor([0, 1], { dtype: 'float64' })).toArray(); // [0, 0.8413447460685428]
 */
export function gelu(a: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkOptions('gelu', options, ['approximate']);
  const x = checkTensor('gelu', 'a', a);
  const approximate = options.approximate ?? 'none';
  if (approximate === 'none') return x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  if (approximate !== 'tanh') throw new SkipgradError('gelu', 'approximate', "'none' or 'tanh'", describe(approximate));
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(tanh(inner).add(1)).mul(0.5);
}
