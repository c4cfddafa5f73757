/**
 * Normalisation layers: x̂ = (x − μ) / √(σ² + eps), then y = γ·x̂ + β (γ, β learned).
 *
 * - LayerNorm: μ, σ² over the last axes of each sample (same in training and evaluation).
 * - BatchNorm: μ, σ² per channel (axis 1) over the batch and any spatial axes. Training uses
 *   the batch's statistics and updates running estimates
 *   (running ← (1 − momentum)·running + momentum·batch, with the unbiased variance);
 *   evaluation uses the running estimates.
 * All built from differentiable ops, so the gradient through μ and σ² comes for free.
 */
import { Tensor, noGrad } from '@skipgrad/autograd';
import { type DType, NDArray, SkipgradError, describe, full } from '@skipgrad/tensor';
import { Buffer, Module, Parameter, checkInput } from '../module.js';

export interface NormOptions {
  eps?: number;
  /** Learn γ and β (default true). */
  affine?: boolean;
  dtype?: DType;
}

/** (x − μ)/√(σ² + eps) with μ, σ² the mean and biased variance over `axes`. */
function standardise(x: Tensor, axes: number[], eps: number): { xhat: Tensor; mean: Tensor; variance: Tensor } {
  const mean = x.mean(axes, true);
  const centred = x.sub(mean);
  const variance = centred.mul(centred).mean(axes, true);
  return { xhat: centred.div(variance.add(eps).sqrt()), mean, variance };
}

function checkCount(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new SkipgradError(op, name, 'a positive integer', describe(v));
  return v as number;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: NormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    shape.forEach((s, i) => checkCount('LayerNorm', `normalizedShape[${i}]`, s));
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    const dtype = options.dtype ?? 'float32';
    this.weight = options.affine === false ? null : new Parameter(full(shape, 1, { dtype }));
    this.bias = options.affine === false ? null : new Parameter(full(shape, 0, { dtype }));
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('LayerNorm', x);
    const k = this.normalizedShape.length;
    const tail = input.shape.slice(input.rank - k);
    if (input.rank < k || tail.some((s, i) => s !== this.normalizedShape[i])) {
      throw new SkipgradError('LayerNorm', 'x', `a tensor of shape [..., ${this.normalizedShape.join(', ')}]`, `shape [${input.shape.join(', ')}]`);
    }
    const axes = tail.map((_, i) => input.rank - k + i);
    const { xhat } = standardise(input, axes, this.eps);
    return this.weight && this.bias ? xhat.mul(this.weight).add(this.bias) : xhat;
  }

  protected override describe(): string { return `[${this.normalizedShape.join(', ')}], eps=${this.eps}`; }
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Buffer;
  runningVar: Buffer;
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, options: NormOptions & { momentum?: number } = {}) {
    super();
    this.numFeatures = checkCount(this.constructor.name, 'numFeatures', numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const dtype = options.dtype ?? 'float32';
    this.weight = options.affine === false ? null : new Parameter(full([numFeatures], 1, { dtype }));
    this.bias = options.affine === false ? null : new Parameter(full([numFeatures], 0, { dtype }));
    this.runningMean = new Buffer(full([numFeatures], 0, { dtype }));
    this.runningVar = new Buffer(full([numFeatures], 1, { dtype }));
  }

  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    const input = checkInput(op, x);
    if (!this.ranks.includes(input.rank) || input.shape[1] !== this.numFeatures) {
      throw new SkipgradError(op, 'x', `a tensor of rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels on axis 1`, `shape [${input.shape.join(', ')}]`);
    }
    const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
    // Per-channel tensors of shape [C] become [C, 1, …] to broadcast against [N, C, …].
    const perChannel = (t: Tensor): Tensor => t.reshape([this.numFeatures, ...Array<number>(input.rank - 2).fill(1)]);
    let xhat: Tensor;
    if (this.training) {
      const n = axes.reduce((p, i) => p * input.shape[i]!, 1);
      if (n < 2) throw new SkipgradError(op, 'x', 'more than one value per channel in training mode', `shape [${input.shape.join(', ')}]`);
      const stats = standardise(input, axes, this.eps);
      xhat = stats.xhat;
      noGrad(() => {
        const m = this.momentum;
        const update = (running: Buffer, batch: Tensor): NDArray => running.mul(1 - m).add(batch.reshape([this.numFeatures]).mul(m)).data;
        this.runningMean.assign(update(this.runningMean, stats.mean));
        this.runningVar.assign(update(this.runningVar, stats.variance.mul(n / (n - 1))));
      });
    } else {
      xhat = input.sub(perChannel(this.runningMean)).div(perChannel(this.runningVar).add(this.eps).sqrt());
    }
    return this.weight && this.bias ? xhat.mul(perChannel(this.weight)).add(perChannel(this.bias)) : xhat;
  }

  protected override describe(): string { return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}`; }
}

/** Batch norm over [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
}

/** Batch norm over [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
}
