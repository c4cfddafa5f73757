/**
 * Stochastic gradient descent, with PyTorch's momentum, Nesterov and weight decay:
 *
 *   g ← ∇ + λ·p                                  (weight decay λ)
 *   b ← μ·b + (1 − dampening)·g   (b = g at the first step)
 *   g ← g + μ·b (Nesterov)  or  g ← b
 *   p ← p − lr·g
 */
import { Tensor, getBackend } from '@skipgrad/autograd';
import { SkipgradError, checkOptions, describe } from '@skipgrad/tensor';
import { type BaseOptions, Optimizer, type Params, type Update, checkBase, checkRange } from './optimizer.js';

export interface SGDGroupOptions extends BaseOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}
export type SGDOptions = Partial<SGDGroupOptions>;

const SGD_KEYS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'];

/** SGD's state: the momentum buffer (none without momentum). */
type SGDState = { buf: Tensor | null };

export class SGD extends Optimizer<SGDGroupOptions, SGDState> {
  constructor(params: Params<SGDGroupOptions>, options: SGDOptions = {}) {
    super(
      'SGD',
      params,
      {
        lr: 0.01,
        momentum: 0,
        dampening: 0,
        nesterov: false,
        weightDecay: 0,
        maximize: false,
        ...checkOptions('SGD', options, SGD_KEYS),
      },
      (o) => {
        checkBase('SGD', o);
        checkRange('SGD', 'momentum', o.momentum, 0, 1);
        checkRange('SGD', 'dampening', o.dampening, 0, 1);
        checkRange('SGD', 'weightDecay', o.weightDecay, 0, Infinity);
        if (typeof o.nesterov !== 'boolean')
          throw new SkipgradError('SGD', 'nesterov', 'a boolean', describe(o.nesterov));
        if (o.nesterov && (o.momentum === 0 || o.dampening !== 0)) {
          throw new SkipgradError(
            'SGD',
            'nesterov',
            'momentum > 0 and dampening 0 with Nesterov',
            `momentum ${o.momentum}, dampening ${o.dampening}`,
          );
        }
        return o;
      },
    );
  }

  /** The first group's momentum (every group's, without groups). */
  get momentum(): number {
    return this.groups[0]!.momentum;
  }
  get weightDecay(): number {
    return this.groups[0]!.weightDecay;
  }

  protected update(p: Tensor, grad: Tensor, previous: SGDState | undefined, o: SGDGroupOptions): Update<SGDState> {
    // One backend call when the backend has the update as a kernel (Backend.sgd: the same
    // values as the ops below, bit for bit).
    const backend = getBackend();
    if (backend.sgd) {
      const { momentum, dampening, nesterov, weightDecay, lr } = o;
      const r = backend.sgd(p.data, grad.data, previous?.buf?.data ?? null, {
        lr,
        momentum,
        dampening,
        nesterov,
        weightDecay,
      });
      return { value: new Tensor(r.p), state: { buf: r.buf ? new Tensor(r.buf) : null } };
    }
    let g = o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    let buf: Tensor | null = null;
    if (o.momentum !== 0) {
      buf = previous?.buf ? previous.buf.mul(o.momentum).add(g.mul(1 - o.dampening)) : g;
      g = o.nesterov ? g.add(buf.mul(o.momentum)) : buf;
    }
    return { value: p.sub(g.mul(o.lr)), state: { buf } };
  }
}
