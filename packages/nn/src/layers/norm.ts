/**
 * Normalisation layers: x̂ = (x − μ) / √(σ² + eps), then y = γ·x̂ + β (γ, β learned).
 *
 * - LayerNorm: μ, σ² over the last axes of each sample (same in training and evaluation).
 * - BatchNorm: μ, σ² per channel (axis 1) over the batch and any spatial axes. Training uses
 *   the batch's statistics and updates running estimates
 *   (running ← (1 − momentum)·running + momentum·batch, with the unbiased variance; with
 *   `momentum: null`, the cumulative average running ← running + (batch − running)/t over the
 *   t batches seen); evaluation uses the running estimates. `trackRunningStats: false` keeps no
 *   estimates and uses the batch's statistics in evaluation too. The buffers have PyTorch's
 *   names — `running_mean`, `running_var`, `num_batches_tracked` — so state dicts move both ways;
 *   files written before the rename (`runningMean`, `runningVar`) still load.
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

export interface BatchNormOptions extends NormOptions {
  /** The weight of each batch in the running estimates (default 0.1); null: their cumulative average. */
  momentum?: number | null;
  /** Keep running estimates for evaluation (default true); false: batch statistics always. */
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null;
  bias: Parameter | null;
  running_mean: Buffer | null;
  running_var: Buffer | null;
  /** Training batches seen (PyTorch counts it in int64; here a float, exact to 2⁵³). */
  num_batches_tracked: Buffer | null;
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const op = this.constructor.name;
    this.numFeatures = checkCount(op, 'numFeatures', numFeatures);
    this.eps = options.eps ?? 1e-5;
    const m = options.momentum === undefined ? 0.1 : options.momentum;
    if (m !== null && (typeof m !== 'number' || !(m >= 0 && m <= 1))) throw new SkipgradError(op, 'momentum', 'a number in [0, 1] or null (cumulative average)', describe(m));
    this.momentum = m;
    const track = options.trackRunningStats ?? true;
    if (typeof track !== 'boolean') throw new SkipgradError(op, 'trackRunningStats', 'a boolean', describe(track));
    const dtype = options.dtype ?? 'float32';
    this.weight = options.affine === false ? null : new Parameter(full([numFeatures], 1, { dtype }));
    this.bias = options.affine === false ? null : new Parameter(full([numFeatures], 0, { dtype }));
    this.running_mean = track ? new Buffer(full([numFeatures], 0, { dtype })) : null;
    this.running_var = track ? new Buffer(full([numFeatures], 1, { dtype })) : null;
    this.num_batches_tracked = track ? new Buffer(full([], 0, { dtype })) : null;
  }

  /** @deprecated The running mean under its old name: use `running_mean`. */
  get runningMean(): Buffer | null { return this.running_mean; }
  /** @deprecated The running variance under its old name: use `running_var`. */
  get runningVar(): Buffer | null { return this.running_var; }

  /**
   * Files written before the buffers took PyTorch's names say `runningMean` and `runningVar`,
   * and have no `num_batches_tracked` (PyTorch's own files before 0.4.1 lack it too; it loads as
   * 0, as there). A count saved by PyTorch is int64 and arrives as float64: it takes our dtype.
   */
  protected override upgradeState(state: Map<string, NDArray>, prefix: string): void {
    if (!this.running_mean) return;
    for (const [old, name] of [['runningMean', 'running_mean'], ['runningVar', 'running_var']]) {
      const value = state.get(prefix + old);
      if (value !== undefined && !state.has(prefix + name)) {
        state.delete(prefix + old);
        state.set(prefix + name, value);
      }
    }
    const count = state.get(`${prefix}num_batches_tracked`);
    const dtype = this.running_mean.dtype;
    if (count === undefined && state.has(`${prefix}running_mean`)) state.set(`${prefix}num_batches_tracked`, full([], 0, { dtype }));
    else if (count !== undefined && count.dtype !== dtype) state.set(`${prefix}num_batches_tracked`, count.copy(dtype));
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
    const [mean, variance, count] = [this.running_mean, this.running_var, this.num_batches_tracked];
    if (this.training || !mean || !variance || !count) {
      const n = axes.reduce((p, i) => p * input.shape[i]!, 1);
      if (n < 2) throw new SkipgradError(op, 'x', 'more than one value per channel in training mode', `shape [${input.shape.join(', ')}]`);
      const stats = standardise(input, axes, this.eps);
      xhat = stats.xhat;
      if (this.training && mean && variance && count) {
        noGrad(() => {
          const t = count.item() + 1;
          count.assign(full([], t, { dtype: count.dtype }));
          const m = this.momentum ?? 1 / t;
          const update = (running: Buffer, batch: Tensor): NDArray => running.mul(1 - m).add(batch.reshape([this.numFeatures]).mul(m)).data;
          mean.assign(update(mean, stats.mean));
          variance.assign(update(variance, stats.variance.mul(n / (n - 1))));
        });
      }
    } else {
      xhat = input.sub(perChannel(mean)).div(perChannel(variance).add(this.eps).sqrt());
    }
    return this.weight && this.bias ? xhat.mul(perChannel(this.weight)).add(perChannel(this.bias)) : xhat;
  }

  protected override describe(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}${this.running_mean ? '' : ', trackRunningStats=false'}`;
  }
}

/** Batch norm over [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
}

/** Batch norm over [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
}
