/**
 * Learning-rate schedules and gradient clipping.
 *
 * A scheduler sets `optimizer.lr = baseLr · factor(step)`; call `scheduler.step()` once per
 * epoch (or per iteration, as you define the steps).
 *   step:    factor = γ^⌊t / stepSize⌋
 *   cosine:  factor = η + (1 − η)·(1 + cos(π·t/T))/2, η = minLr/baseLr, t clamped to T
 *   warmup:  factor = (t + 1)/warmupSteps for t < warmupSteps, then the wrapped schedule's
 */
import { SkipgradError, checkList, describe } from '@skipgrad/tensor';
import { noGrad } from '@skipgrad/autograd';
import { Parameter } from '../module.js';
import { Optimizer } from './optimizer.js';

export type LRFactor = (step: number) => number;

export class LRScheduler {
  /** Each parameter group's learning rate when the scheduler was made. */
  readonly baseLrs: number[];
  /** Steps taken so far. */
  t = 0;

  constructor(
    readonly optimizer: Optimizer,
    readonly factor: LRFactor,
  ) {
    if (!(optimizer instanceof Optimizer))
      throw new SkipgradError('LRScheduler', 'optimizer', 'an Optimizer', describe(optimizer));
    if (typeof factor !== 'function')
      throw new SkipgradError(
        'LRScheduler',
        'factor',
        'a function of the step (stepLR, cosineLR, …)',
        describe(factor),
      );
    this.baseLrs = optimizer.groups.map((g) => g.lr);
    this.apply();
  }

  /** The first group's base learning rate (every group's, without groups). */
  get baseLr(): number {
    return this.baseLrs[0] ?? 0;
  }

  step(): void {
    this.t++;
    this.apply();
  }

  /** Every group's lr ← its base lr × factor(t). */
  private apply(): void {
    const f = this.factor(this.t);
    if (typeof f !== 'number' || !(f >= 0) || !Number.isFinite(f)) {
      throw new SkipgradError(
        'LRScheduler',
        'factor',
        'a function returning a finite number >= 0',
        `${describe(f)} at step ${this.t}`,
      );
    }
    this.optimizer.groups.forEach((g, i) => {
      g.lr = this.baseLrs[i]! * f;
    });
  }
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new SkipgradError(op, name, 'a positive integer', describe(v));
  return v as number;
}

/**
 * A schedule factor γ^⌊t / stepSize⌋.
 *
 * @example
 * [0, 1, 2, 3].map(stepLR(2, 0.5)); // [1, 1, 0.5, 0.5]
 */
export function stepLR(stepSize: number, gamma = 0.1): LRFactor {
  positiveInt('stepLR', 'stepSize', stepSize);
  return (t) => gamma ** Math.floor(t / stepSize);
}

/**
 * A cosine-annealing schedule factor from 1 down to minFactor.
 *
 * @example
 * [0, 5, 10].map(cosineLR(10)); // [1, 0.5, 0]
 */
export function cosineLR(totalSteps: number, minFactor = 0): LRFactor {
  positiveInt('cosineLR', 'totalSteps', totalSteps);
  return (t) => minFactor + ((1 - minFactor) * (1 + Math.cos((Math.PI * Math.min(t, totalSteps)) / totalSteps))) / 2;
}

/**
 * A linear warm-up over the first steps, then another schedule.
 *
 * @example
 * [0, 1, 2, 3].map(linearWarmup(2)); // [0.5, 1, 1, 1]
 */
export function linearWarmup(warmupSteps: number, after: LRFactor = () => 1): LRFactor {
  positiveInt('linearWarmup', 'warmupSteps', warmupSteps);
  return (t) => (t < warmupSteps ? (t + 1) / warmupSteps : after(t - warmupSteps));
}

/**
 * Scales all gradients together so that their global L2 norm is at most maxNorm
 * (clip when ‖g‖ > maxNorm: g ← g · maxNorm / ‖g‖). Returns the norm before clipping.
 *
 * @example
 * const p = new Parameter(tensor([3, 4]).data);
 * p.grad = tensor([3, 4]);
 * clipGradNorm([p], 1); // 5
 */
export function clipGradNorm(params: Iterable<Parameter>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0))
    throw new SkipgradError('clipGradNorm', 'maxNorm', 'a positive number', describe(maxNorm));
  const list = checkList(
    'clipGradNorm',
    'params',
    params,
    (p, i) => {
      if (!(p instanceof Parameter))
        throw new SkipgradError('clipGradNorm', `params[${i}]`, 'a Parameter', describe(p));
      return p;
    },
    'a list of Parameters (module.parameters())',
  ).filter((p) => p.grad !== null);
  return noGrad(() => {
    const total = Math.sqrt(list.reduce((s, p) => s + p.grad!.mul(p.grad!).sum().item(), 0));
    if (total > maxNorm) {
      const scale = maxNorm / (total + 1e-6);
      for (const p of list) p.grad = p.grad!.mul(scale);
    }
    return total;
  });
}
