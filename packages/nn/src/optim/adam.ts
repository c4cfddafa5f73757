/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019):
 *
 *   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)          (bias correction)
 *   p ← p − lr · m̂ / (√v̂ + eps)
 *
 * Adam's weight decay adds λ·p to g (L2); AdamW instead shrinks p directly, p ← p − lr·λ·p,
 * before the update ("decoupled" weight decay).
 *
 * t counts the updates of each parameter, not the optimizer's steps (as PyTorch does): a
 * parameter whose first gradient comes at step 5 is bias-corrected as at its first step.
 */
import type { Tensor } from '@skipgrad/autograd';
import type { Parameter } from '../module.js';
import { Optimizer, checkRange } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  /** Per parameter: the moments and how many updates it has had. */
  private readonly moments = new Map<number, { m: Tensor; v: Tensor; t: number }>();

  protected override stateTensors(): Tensor[] {
    return [...this.moments.values()].flatMap(({ m, v }) => [m, v]);
  }

  constructor(params: Iterable<Parameter>, options: AdamOptions = {}, name = 'Adam') {
    super(name, params, options.lr ?? 1e-3);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.beta1 = checkRange(name, 'betas[0]', b1, 0, 0.999999);
    this.beta2 = checkRange(name, 'betas[1]', b2, 0, 0.999999);
    this.eps = checkRange(name, 'eps', options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = checkRange(name, 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
  }

  protected update(p: Tensor, grad: Tensor, index: number): Tensor {
    const decayed = this.decoupled && this.weightDecay !== 0 ? p.mul(1 - this.lr * this.weightDecay) : p;
    const g = !this.decoupled && this.weightDecay !== 0 ? grad.add(p.mul(this.weightDecay)) : grad;
    const previous = this.moments.get(index);
    const m = previous ? previous.m.mul(this.beta1).add(g.mul(1 - this.beta1)) : g.mul(1 - this.beta1);
    const v = previous ? previous.v.mul(this.beta2).add(g.mul(g).mul(1 - this.beta2)) : g.mul(g).mul(1 - this.beta2);
    const t = (previous?.t ?? 0) + 1;
    this.moments.set(index, { m, v, t });
    const mHat = m.div(1 - this.beta1 ** t);
    const vHat = v.div(1 - this.beta2 ** t);
    return decayed.sub(mHat.div(vHat.sqrt().add(this.eps)).mul(this.lr));
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Iterable<Parameter>, options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...options }, 'AdamW');
  }
}
