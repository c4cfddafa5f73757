/**
 * Activation functions PyTorch users reach for, as composites of relu, exp, log, sigmoid and
 * where (so their gradients come from those):
 *
 *   silu(x)            = x·σ(x)                        (swish)              silu′ = σ(x)(1 + x(1 − σ(x)))
 *   leakyRelu(x, s)    = x for x > 0, s·x otherwise    (s = 0.01)           = relu(x) − s·relu(−x)
 *   elu(x, α)          = x for x > 0, α(eˣ − 1) otherwise (α = 1)           = relu(x) + α(e^(−relu(−x)) − 1)
 *   softplus(x, β, t)  = ln(1 + e^(βx))/β, and x where βx > t (t = 20, as PyTorch)
 *                      = (relu(βx) + ln(1 + e^(−|βx|)))/β, never overflowing
 *   hardtanh(x, lo, hi) = x clamped to [lo, hi]; the gradient passes strictly inside (as PyTorch)
 *
 * The rewritten forms keep exp's argument ≤ 0: the branch not taken never overflows, so neither
 * the value nor the gradient meets ∞·0.
 */
import { SkipgradError, checkNumber } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { where } from './where.js';

/**
 * SiLU (swish): x·σ(x).
 *
 * @example
 * silu(tensor([0, 1], { dtype: 'float64' })).toArray(); // [0, 0.7310585786300049]
 */
export function silu(a: Tensor): Tensor {
  const x = checkTensor('silu', 'a', a);
  return x.mul(sigmoid(x));
}

/**
 * Leaky ReLU: x for x > 0, slope·x otherwise.
 *
 * @example
 * leakyRelu(tensor([-2, 3], { dtype: 'float64' }), 0.1).toArray(); // [-0.2, 3]
 */
export function leakyRelu(a: Tensor, negativeSlope = 0.01): Tensor {
  const x = checkTensor('leakyRelu', 'a', a);
  const s = checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  return relu(x).sub(relu(x.neg()).mul(s));
}

/**
 * ELU: x for x > 0, α(eˣ − 1) otherwise.
 *
 * @example
 * elu(tensor([0, 2], { dtype: 'float64' })).toArray(); // [0, 2]
 */
export function elu(a: Tensor, alpha = 1): Tensor {
  const x = checkTensor('elu', 'a', a);
  const al = checkNumber('elu', 'alpha', alpha);
  return relu(x).add(exp(relu(x.neg()).neg()).sub(1).mul(al));
}

/**
 * Softplus: ln(1 + e^(βx))/β, the smooth ReLU; linear where βx > threshold.
 *
 * @example
 * softplus(tensor([0], { dtype: 'float64' })).item(); // 0.6931471805599453
 */
export function softplus(a: Tensor, beta = 1, threshold = 20): Tensor {
  const x = checkTensor('softplus', 'a', a);
  const b = checkNumber('softplus', 'beta', beta);
  if (b <= 0) throw new SkipgradError('softplus', 'beta', 'a number > 0', String(b));
  const t = checkNumber('softplus', 'threshold', threshold);
  const z = x.mul(b);
  const smooth = relu(z)
    .add(log(exp(abs(z).neg()).add(1)))
    .div(b);
  return where(isAbove(z, t), x, smooth);
}

/** The constant mask [z > t]. */
function isAbove(z: Tensor, t: number): Tensor {
  return new Tensor(getBackend().unary('step', z.sub(t).detach().data));
}

/**
 * Hardtanh: x clamped to [minVal, maxVal]; the gradient is 1 strictly inside, 0 elsewhere.
 *
 * @example
 * hardtanh(tensor([-3, 0.5, 2])).toArray(); // [-1, 0.5, 1]
 */
export function hardtanh(a: Tensor, minVal = -1, maxVal = 1): Tensor {
  const x = checkTensor('hardtanh', 'a', a);
  const lo = checkNumber('hardtanh', 'minVal', minVal);
  const hi = checkNumber('hardtanh', 'maxVal', maxVal);
  if (lo > hi) throw new SkipgradError('hardtanh', 'maxVal', `a bound >= minVal (${lo})`, String(hi));
  const inside = isAbove(x, lo).mul(isAbove(x.neg(), -hi));
  const bound = isAbove(x, lo)
    .mul(hi - lo)
    .add(lo); // hi above the interval, lo below it (a constant)
  return where(inside, x, bound);
}
