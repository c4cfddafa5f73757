/**
 * RMSprop (Hinton's lecture 6e) and Adagrad (Duchi et al., 2011), as PyTorch has them:
 *
 *   RMSprop:  v ← α·v + (1 − α)·g²                 (a running mean of g²; v starts at 0)
 *             centred: ḡ ← α·ḡ + (1 − α)·g, and v − ḡ² replaces v (the variance, not the 2nd moment)
 *             s = g / (√v + eps);  with momentum μ: b ← μ·b + s, s = b
 *             p ← p − lr·s
 *   Adagrad:  Σ ← Σ + g²                           (the sum of every g² so far, from initialAccumulatorValue)
 *             p ← p − lr/(1 + (t − 1)·lrDecay) · g / (√Σ + eps)
 *
 * Both divide each coordinate's step by the size of its recent (RMSprop) or all (Adagrad)
 * gradients; weight decay adds λ·p to g first.
 */
import type { Tensor } from '@skipgrad/autograd';
import { SkipgradError, checkOptions, describe } from '@skipgrad/tensor';
import { type BaseOptions, Optimizer, type Params, type Update, checkBase, checkRange } from './optimizer.js';

export interface RMSpropGroupOptions extends BaseOptions {
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}
export type RMSpropOptions = Partial<RMSpropGroupOptions>;

/** RMSprop's state: the running mean of g², of g (centred) and the momentum buffer. */
type RMSpropState = { v: Tensor; mean: Tensor | null; buf: Tensor | null };

export class RMSprop extends Optimizer<RMSpropGroupOptions, RMSpropState> {
  constructor(params: Params<RMSpropGroupOptions>, options: RMSpropOptions = {}) {
    super(
      'RMSprop',
      params,
      {
        lr: 0.01,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
        ...checkOptions('RMSprop', options, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize']),
      },
      (o) => {
        checkBase('RMSprop', o);
        checkRange('RMSprop', 'alpha', o.alpha, 0, 1);
        checkRange('RMSprop', 'eps', o.eps, 0, Infinity);
        checkRange('RMSprop', 'weightDecay', o.weightDecay, 0, Infinity);
        checkRange('RMSprop', 'momentum', o.momentum, 0, 1);
        if (typeof o.centered !== 'boolean')
          throw new SkipgradError('RMSprop', 'centered', 'a boolean', describe(o.centered));
        return o;
      },
    );
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    previous: RMSpropState | undefined,
    o: RMSpropGroupOptions,
  ): Update<RMSpropState> {
    const g = o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    const v = previous ? previous.v.mul(o.alpha).add(g.mul(g).mul(1 - o.alpha)) : g.mul(g).mul(1 - o.alpha);
    const mean = !o.centered
      ? null
      : previous?.mean
        ? previous.mean.mul(o.alpha).add(g.mul(1 - o.alpha))
        : g.mul(1 - o.alpha);
    const spread = mean ? v.sub(mean.mul(mean)) : v;
    let step = g.div(spread.sqrt().add(o.eps));
    let buf: Tensor | null = null;
    if (o.momentum > 0) {
      buf = previous?.buf ? previous.buf.mul(o.momentum).add(step) : step;
      step = buf;
    }
    return { value: p.sub(step.mul(o.lr)), state: { v, mean, buf } };
  }
}

export interface AdagradGroupOptions extends BaseOptions {
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}
export type AdagradOptions = Partial<AdagradGroupOptions>;

/** Adagrad's state: the sum of every g² so far, and how many updates it has had. */
type AdagradState = { sum: Tensor; t: number };

export class Adagrad extends Optimizer<AdagradGroupOptions, AdagradState> {
  constructor(params: Params<AdagradGroupOptions>, options: AdagradOptions = {}) {
    super(
      'Adagrad',
      params,
      {
        lr: 0.01,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
        ...checkOptions('Adagrad', options, [
          'lr',
          'lrDecay',
          'weightDecay',
          'initialAccumulatorValue',
          'eps',
          'maximize',
        ]),
      },
      (o) => {
        checkBase('Adagrad', o);
        checkRange('Adagrad', 'lrDecay', o.lrDecay, 0, Infinity);
        checkRange('Adagrad', 'weightDecay', o.weightDecay, 0, Infinity);
        checkRange('Adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue, 0, Infinity);
        checkRange('Adagrad', 'eps', o.eps, 0, Infinity);
        return o;
      },
    );
  }

  protected update(
    p: Tensor,
    grad: Tensor,
    previous: AdagradState | undefined,
    o: AdagradGroupOptions,
  ): Update<AdagradState> {
    const g = o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    const start = previous?.sum ?? p.mul(0).add(o.initialAccumulatorValue);
    const sum = start.add(g.mul(g));
    const t = (previous?.t ?? 0) + 1;
    const lr = o.lr / (1 + (t - 1) * o.lrDecay);
    return { value: p.sub(g.div(sum.sqrt().add(o.eps)).mul(lr)), state: { sum, t } };
  }
}
