/**
 * The optimizer base: holds the parameters, skips those without a gradient, and runs each
 * update under noGrad so that no graph is recorded. Updates replace a parameter's values
 * (Parameter.assign) instead of writing into shared storage.
 */
import { type Tensor, forgettingTemporaries, noGrad } from '@skipgrad/autograd';
import { SkipgradError, describe } from '@skipgrad/tensor';
import { Parameter } from '../module.js';

export abstract class Optimizer {
  readonly params: Parameter[];
  /** The learning rate; schedulers change it between steps. */
  lr: number;
  /** Completed steps. */
  stepCount = 0;

  constructor(op: string, params: Iterable<Parameter>, lr: number) {
    this.params = [...params];
    this.params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new SkipgradError(op, `params[${i}]`, 'a Parameter', describe(p));
    });
    if (typeof lr !== 'number' || !(lr >= 0)) throw new SkipgradError(op, 'lr', 'a non-negative learning rate', describe(lr));
    this.lr = lr;
  }

  /**
   * Applies one update to every parameter that has a gradient. On a backend that caches
   * arrays (wasm) it then forgets the cached copies of the update's intermediate values,
   * keeping the new parameters and the optimizer's state (Backend.forgetScope).
   */
  step(): void {
    this.stepCount++;
    forgettingTemporaries(() => {
      noGrad(() => {
        this.params.forEach((p, i) => {
          if (p.grad !== null) p.assign(this.update(p, p.grad, i).data);
        });
      });
      return [...this.params, ...this.stateTensors()];
    });
  }

  /** The tensors the optimizer carries from step to step (momentum, moments): kept by `step`. */
  protected stateTensors(): Tensor[] {
    return [];
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The new value of parameter `index` from its value and gradient. */
  protected abstract update(p: Tensor, grad: Tensor, index: number): Tensor;
}

export function checkRange(op: string, name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new SkipgradError(op, name, `a number in [${lo}, ${hi}]`, describe(v));
  return v;
}
