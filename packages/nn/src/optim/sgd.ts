/**
 * Stochastic gradient descent, with PyTorch's momentum, Nesterov and weight decay:
 *
 *   g ← ∇ + λ·p                                  (weight decay λ)
 *   b ← μ·b + (1 − dampening)·g   (b = g at the first step)
 *   g ← g + μ·b (Nesterov)  or  g ← b
 *   p ← p − lr·g
 */
import type { Tensor } from '@skipgrad/autograd';
import { SkipgradError } from '@skipgrad/tensor';
import type { Parameter } from '../module.js';
import { Optimizer, checkRange } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly buffers = new Map<number, Tensor>();

  protected override stateTensors(): Tensor[] {
    return [...this.buffers.values()];
  }

  constructor(params: Iterable<Parameter>, options: SGDOptions = {}) {
    super('SGD', params, options.lr ?? 0.01);
    this.momentum = checkRange('SGD', 'momentum', options.momentum ?? 0, 0, 1);
    this.dampening = checkRange('SGD', 'dampening', options.dampening ?? 0, 0, 1);
    this.weightDecay = checkRange('SGD', 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new SkipgradError('SGD', 'nesterov', 'momentum > 0 and dampening 0 with Nesterov', `momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  protected update(p: Tensor, grad: Tensor, index: number): Tensor {
    let g = this.weightDecay !== 0 ? grad.add(p.mul(this.weightDecay)) : grad;
    if (this.momentum !== 0) {
      const previous = this.buffers.get(index);
      const buf = previous === undefined ? g : previous.mul(this.momentum).add(g.mul(1 - this.dampening));
      this.buffers.set(index, buf);
      g = this.nesterov ? g.add(buf.mul(this.momentum)) : buf;
    }
    return p.sub(g.mul(this.lr));
  }
}
