/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019):
 *
 *   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
 *   m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)          (bias correction)
 *   p ← p − lr · m̂ / (√v̂ + eps)
 *
 * Adam's weight decay adds λ·p to g (L2); AdamW instead shrinks p directly, p ← p − lr·λ·p,
 * before the update ("decoupled" weight decay). AMSGrad (Reddi et al., 2018) divides by the
 * largest v seen so far, v_max ← max(v_max, v), so the step size never grows back.
 *
 * t counts the updates of each parameter, not the optimizer's steps (as PyTorch does): a
 * parameter whose first gradient comes at step 5 is bias-corrected as at its first step.
 */
import { Tensor, getBackend, max, stack } from '@skipgrad/autograd';
import { SkipgradError, checkOptions, checkString, describe } from '@skipgrad/tensor';
import { type BaseOptions, Optimizer, type Params, type Update, checkBase, checkRange } from './optimizer.js';

export interface AdamGroupOptions extends BaseOptions {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}
export type AdamOptions = Partial<AdamGroupOptions>;

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

/** Per parameter: the moments, the largest v (AMSGrad) and how many updates it has had. */
type AdamState = { m: Tensor; v: Tensor; vMax: Tensor | null; t: number };

export class Adam extends Optimizer<AdamGroupOptions, AdamState> {
  protected readonly decoupled: boolean = false;

  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}, name = 'Adam') {
    super(
      checkString('Adam', 'name', name),
      params,
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        ...checkOptions(name, options, ADAM_KEYS),
      },
      (o) => {
        checkBase(name, o);
        if (!Array.isArray(o.betas) || o.betas.length !== 2)
          throw new SkipgradError(name, 'betas', 'a pair [β₁, β₂]', describe(o.betas));
        checkRange(name, 'betas[0]', o.betas[0], 0, 0.999999);
        checkRange(name, 'betas[1]', o.betas[1], 0, 0.999999);
        checkRange(name, 'eps', o.eps, 0, Infinity);
        checkRange(name, 'weightDecay', o.weightDecay, 0, Infinity);
        if (typeof o.amsgrad !== 'boolean') throw new SkipgradError(name, 'amsgrad', 'a boolean', describe(o.amsgrad));
        return o;
      },
    );
  }

  /** The first group's options (every group's, without groups). */
  get beta1(): number {
    return this.groups[0]!.betas[0];
  }
  get beta2(): number {
    return this.groups[0]!.betas[1];
  }
  get eps(): number {
    return this.groups[0]!.eps;
  }
  get weightDecay(): number {
    return this.groups[0]!.weightDecay;
  }

  protected update(p: Tensor, grad: Tensor, previous: AdamState | undefined, o: AdamGroupOptions): Update<AdamState> {
    const [b1, b2] = o.betas;
    const t = (previous?.t ?? 0) + 1;
    // One backend call when the backend has the update as a kernel (Backend.adam: the same
    // values as the ops below, bit for bit); AMSGrad's running max stays with the ops.
    const backend = getBackend();
    if (backend.adam && !o.amsgrad) {
      const r = backend.adam(p.data, grad.data, previous?.m.data ?? null, previous?.v.data ?? null, {
        lr: o.lr,
        beta1: b1,
        beta2: b2,
        eps: o.eps,
        weightDecay: o.weightDecay,
        decoupled: this.decoupled,
        correction1: 1 - b1 ** t,
        correction2: 1 - b2 ** t,
      });
      return { value: new Tensor(r.p), state: { m: new Tensor(r.m), v: new Tensor(r.v), vMax: null, t } };
    }
    const decayed = this.decoupled && o.weightDecay !== 0 ? p.mul(1 - o.lr * o.weightDecay) : p;
    const g = !this.decoupled && o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    const m = previous ? previous.m.mul(b1).add(g.mul(1 - b1)) : g.mul(1 - b1);
    const v = previous ? previous.v.mul(b2).add(g.mul(g).mul(1 - b2)) : g.mul(g).mul(1 - b2);
    const vMax = !o.amsgrad ? null : previous?.vMax ? max(stack([previous.vMax, v]), 0) : v;
    const mHat = m.div(1 - b1 ** t);
    const vHat = (vMax ?? v).div(1 - b2 ** t);
    return { value: decayed.sub(mHat.div(vHat.sqrt().add(o.eps)).mul(o.lr)), state: { m, v, vMax, t } };
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...checkOptions('AdamW', options, ADAM_KEYS) }, 'AdamW');
  }
}
