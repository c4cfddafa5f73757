/**
 * Regression losses, of d = ŷ − y elementwise, then reduced:
 *
 *   mseLoss        d²
 *   l1Loss         |d|
 *   smoothL1Loss   ½d²/β where |d| < β, |d| − ½β elsewhere     (β = 1; β = 0 is l1Loss)
 *   huberLoss      ½d² where |d| ≤ δ, δ(|d| − ½δ) elsewhere     (δ = 1; = δ·smoothL1 with β = δ)
 *
 * Quadratic near 0, linear far away: the gradient is d (or d/β) for small errors and a constant
 * ±1 (or ±δ) for outliers, which stops one bad sample from dominating the step.
 */
import { Tensor, abs, where } from '@skipgrad/autograd';
import { NDArray, SkipgradError, describe } from '@skipgrad/tensor';
import { type Reduction, checkSameShape, lossOptions, reduce } from './reduce.js';

/**
 * Mean squared error.
 *
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export function mseLoss(
  prediction: Tensor,
  target: Tensor,
  reduction: Reduction | { reduction?: Reduction } = 'mean',
): Tensor {
  const [p, t] = checkSameShape('mseLoss', prediction, target);
  const d = p.sub(t);
  return reduce('mseLoss', d.mul(d), lossOptions('mseLoss', reduction).reduction);
}

/**
 * Mean absolute error.
 *
 * @example
 * l1Loss(tensor([1, 2]), tensor([2, 4])).item(); // 1.5
 */
export function l1Loss(
  prediction: Tensor,
  target: Tensor,
  reduction: Reduction | { reduction?: Reduction } = 'mean',
): Tensor {
  const [p, t] = checkSameShape('l1Loss', prediction, target);
  return reduce('l1Loss', abs(p.sub(t)), lossOptions('l1Loss', reduction).reduction);
}

/**
 * Smooth L1: quadratic below β, linear above.
 *
 * @example
 * smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { reduction: 'none' }).toArray(); // [0.125, 2.5]
 */
export function smoothL1Loss(
  prediction: Tensor,
  target: Tensor,
  options: Reduction | { reduction?: Reduction; beta?: number } = {},
): Tensor {
  const o = lossOptions('smoothL1Loss', options);
  const beta = checkScale('smoothL1Loss', 'beta', o.beta ?? 1, true);
  const [p, t] = checkSameShape('smoothL1Loss', prediction, target);
  const d = p.sub(t);
  const size = abs(d);
  if (beta === 0) return reduce('smoothL1Loss', size, o.reduction);
  return reduce('smoothL1Loss', where(below(size, beta), d.mul(d).mul(0.5 / beta), size.sub(0.5 * beta)), o.reduction);
}

/**
 * Huber loss: quadratic up to δ, linear beyond.
 *
 * @example
 * huberLoss(tensor([0, 3]), tensor([0.5, 0]), { reduction: 'none', delta: 2 }).toArray(); // [0.125, 4]
 */
export function huberLoss(
  prediction: Tensor,
  target: Tensor,
  options: Reduction | { reduction?: Reduction; delta?: number } = {},
): Tensor {
  const o = lossOptions('huberLoss', options);
  const delta = checkScale('huberLoss', 'delta', o.delta ?? 1, false);
  const [p, t] = checkSameShape('huberLoss', prediction, target);
  const d = p.sub(t);
  const size = abs(d);
  return reduce(
    'huberLoss',
    where(below(size, delta, true), d.mul(d).mul(0.5), size.sub(0.5 * delta).mul(delta)),
    o.reduction,
  );
}

/** The constant mask [|d| < limit] (or ≤ with `inclusive`). */
function below(size: Tensor, limit: number, inclusive = false): Tensor {
  const mask = size.data.toTypedArray().map((v) => ((inclusive ? v <= limit : v < limit) ? 1 : 0));
  return new Tensor(new NDArray(mask, [...size.shape]));
}

function checkScale(op: string, name: string, v: unknown, zeroAllowed: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zeroAllowed && v === 0)) {
    throw new SkipgradError(op, name, zeroAllowed ? 'a finite number >= 0' : 'a finite number > 0', describe(v));
  }
  return v;
}
