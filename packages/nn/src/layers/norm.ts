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
 * - GroupNorm (Wu & He, 2018): the C channels split into G groups; μ, σ² per sample and group,
 *   over the group's channels and all positions (G = 1: layer norm over [C, H, W]; G = C:
 *   instance norm). γ, β per channel. Independent of the batch, so it works at batch size 1.
 * - InstanceNorm2d (Ulyanov et al., 2016): μ, σ² per sample and channel over H, W; by default
 *   (as PyTorch) no γ, β and no running statistics.
 * All built from differentiable ops, so the gradient through μ and σ² comes for free — except
 * LayerNorm and BatchNorm in training, which are autograd's layerNorm and nativeBatchNorm ops:
 * one backend call forward and one backward (their gradient written out in ops/norm.ts, and as
 * ops when a graph of it is recorded).
 */
import { Tensor, exportedAs, layerNorm, nativeBatchNorm, noGrad } from '@skipgrad/autograd';
import {
  type DType,
  type NDArray,
  SkipgradError,
  checkList,
  checkOptions,
  checkSize,
  describe,
  full,
  formatShape,
} from '@skipgrad/tensor';
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
  checkSize(op, [v as number], 8, name);
  return v as number;
}

const NORM_KEYS = ['eps', 'affine', 'dtype'];
const BATCH_NORM_KEYS = [...NORM_KEYS, 'momentum', 'trackRunningStats'];

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: NormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, NORM_KEYS);
    const shape =
      typeof normalizedShape === 'number'
        ? [normalizedShape]
        : checkList('LayerNorm', 'normalizedShape', normalizedShape, (v) => v as number, 'a size or a list of sizes');
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
      throw new SkipgradError(
        'LayerNorm',
        'x',
        `a tensor of shape [..., ${this.normalizedShape.join(', ')}]`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    // One op (autograd's layerNorm): the backend normalises in one call, and its gradient in one more.
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  protected override describe(): string {
    return `${formatShape(this.normalizedShape)}, eps=${this.eps}`;
  }
}

export interface BatchNormOptions extends NormOptions {
  /** The weight of each batch in the running estimates (default 0.1); null: their cumulative average. */
  momentum?: number | null;
  /** Keep running estimates for evaluation (default true); false: batch statistics always. */
  trackRunningStats?: boolean;
}

function checkMomentum(op: string, options: BatchNormOptions): number | null {
  const m = options.momentum === undefined ? 0.1 : options.momentum;
  if (m !== null && (typeof m !== 'number' || !(m >= 0 && m <= 1)))
    throw new SkipgradError(op, 'momentum', 'a number in [0, 1] or null (cumulative average)', describe(m));
  return m;
}

/** The state a norm with running statistics keeps, under PyTorch's names. */
interface RunningStats {
  readonly momentum: number | null;
  running_mean: Buffer | null;
  running_var: Buffer | null;
  num_batches_tracked: Buffer | null;
}

/** Running mean 0, variance 1 and a batch count of 0 for `c` channels — or none, when not tracking. */
function runningBuffers(
  c: number,
  dtype: DType,
  track: boolean,
): Pick<RunningStats, 'running_mean' | 'running_var' | 'num_batches_tracked'> {
  return {
    running_mean: track ? new Buffer(full([c], 0, { dtype })) : null,
    running_var: track ? new Buffer(full([c], 1, { dtype })) : null,
    num_batches_tracked: track ? new Buffer(full([], 0, { dtype })) : null,
  };
}

/** One training batch into the estimates: t ← t + 1, running ← (1 − m)·running + m·batch, m = momentum or 1/t. */
function trackBatch(s: RunningStats, batchMean: Tensor, batchVariance: Tensor): void {
  const [mean, variance, count] = [s.running_mean, s.running_var, s.num_batches_tracked];
  if (!mean || !variance || !count) return;
  noGrad(() => {
    const t = count.item() + 1;
    count.assign(full([], t, { dtype: count.dtype }));
    const m = s.momentum ?? 1 / t;
    const update = (running: Buffer, batch: Tensor): NDArray =>
      running.mul(1 - m).add(batch.reshape([running.size]).mul(m)).data;
    mean.assign(update(mean, batchMean));
    variance.assign(update(variance, batchVariance));
  });
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
    checkOptions(op, options, BATCH_NORM_KEYS);
    this.numFeatures = checkCount(op, 'numFeatures', numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = checkMomentum(op, options);
    const track = options.trackRunningStats ?? true;
    if (typeof track !== 'boolean') throw new SkipgradError(op, 'trackRunningStats', 'a boolean', describe(track));
    const dtype = options.dtype ?? 'float32';
    this.weight = options.affine === false ? null : new Parameter(full([numFeatures], 1, { dtype }));
    this.bias = options.affine === false ? null : new Parameter(full([numFeatures], 0, { dtype }));
    ({
      running_mean: this.running_mean,
      running_var: this.running_var,
      num_batches_tracked: this.num_batches_tracked,
    } = runningBuffers(numFeatures, dtype, track));
  }

  /** @deprecated The running mean under its old name: use `running_mean`. */
  get runningMean(): Buffer | null {
    return this.running_mean;
  }
  /** @deprecated The running variance under its old name: use `running_var`. */
  get runningVar(): Buffer | null {
    return this.running_var;
  }

  /**
   * Files written before the buffers took PyTorch's names say `runningMean` and `runningVar`,
   * and have no `num_batches_tracked` (PyTorch's own files before 0.4.1 lack it too; it loads as
   * 0, as there). A count saved by PyTorch is int64 and arrives as float64: it takes our dtype.
   */
  protected override upgradeState(state: Map<string, NDArray>, prefix: string): void {
    if (!this.running_mean) return;
    for (const [old, name] of [
      ['runningMean', 'running_mean'],
      ['runningVar', 'running_var'],
    ]) {
      const value = state.get(prefix + old);
      if (value !== undefined && !state.has(prefix + name)) {
        state.delete(prefix + old);
        state.set(prefix + name, value);
      }
    }
    const count = state.get(`${prefix}num_batches_tracked`);
    const dtype = this.running_mean.dtype;
    if (count === undefined && state.has(`${prefix}running_mean`))
      state.set(`${prefix}num_batches_tracked`, full([], 0, { dtype }));
    else if (count !== undefined && count.dtype !== dtype) state.set(`${prefix}num_batches_tracked`, count.copy(dtype));
  }

  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    const input = checkInput(op, x);
    if (!this.ranks.includes(input.rank) || input.shape[1] !== this.numFeatures) {
      throw new SkipgradError(
        op,
        'x',
        `a tensor of rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels on axis 1`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
    // Per-channel tensors of shape [C] become [C, 1, …] to broadcast against [N, C, …].
    const perChannel = (t: Tensor): Tensor => t.reshape([this.numFeatures, ...Array<number>(input.rank - 2).fill(1)]);
    const [mean, variance, count] = [this.running_mean, this.running_var, this.num_batches_tracked];
    if (this.training || !mean || !variance || !count) {
      const n = axes.reduce((p, i) => p * input.shape[i]!, 1);
      if (n < 2)
        throw new SkipgradError(
          op,
          'x',
          'more than one value per channel in training mode',
          `shape ${formatShape(input.shape)}`,
        );
      // One op (autograd's nativeBatchNorm): the backend normalises in one call, its gradient in one more.
      const batch = nativeBatchNorm(input, { weight: this.weight, bias: this.bias, eps: this.eps });
      // The running variance is the unbiased one: the batch's σ² times n/(n − 1).
      if (this.training)
        trackBatch(
          this,
          batch.mean,
          noGrad(() => batch.variance.mul(n / (n - 1))),
        );
      return batch.output;
    } else {
      // Evaluation with the running estimates: in ONNX, one BatchNormalization node.
      const [weight, bias] = [this.weight, this.bias];
      const C = this.numFeatures;
      const affine = weight && bias ? [weight, bias] : [];
      const constant = (v: number) => ({ op: 'Expand', inputs: [{ scalar: v }, { ints: [C] }] });
      const form = {
        op: 'BatchNormalization',
        inputs: affine.length ? [0, 1, 2, 3, 4] : [0, constant(1), constant(0), 1, 2],
        attributes: { epsilon: { float: this.eps } },
      };
      return exportedAs(op, [input, ...affine, mean, variance], () => {
        const normalised = input.sub(perChannel(mean)).div(perChannel(variance).add(this.eps).sqrt());
        return { output: weight && bias ? normalised.mul(perChannel(weight)).add(perChannel(bias)) : normalised, form };
      });
    }
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

export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: NormOptions = {}) {
    super();
    checkOptions('GroupNorm', options, NORM_KEYS);
    this.numGroups = checkCount('GroupNorm', 'numGroups', numGroups);
    this.numChannels = checkCount('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new SkipgradError('GroupNorm', 'numGroups', `a divisor of numChannels ${numChannels}`, String(numGroups));
    }
    this.eps = options.eps ?? 1e-5;
    const dtype = options.dtype ?? 'float32';
    this.weight = options.affine === false ? null : new Parameter(full([numChannels], 1, { dtype }));
    this.bias = options.affine === false ? null : new Parameter(full([numChannels], 0, { dtype }));
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('GroupNorm', x);
    if (input.rank < 2 || input.shape[1] !== this.numChannels) {
      throw new SkipgradError(
        'GroupNorm',
        'x',
        `a tensor [N, ${this.numChannels}, …]`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const [n, c] = [input.shape[0]!, this.numChannels];
    // [N, C, …] → [N, G, C/G·…]: each row of a sample is one group's channels and positions.
    const grouped = input.reshape([n, this.numGroups, -1]);
    const { xhat } = standardise(grouped, [2], this.eps);
    const y = xhat.reshape([...input.shape]);
    const perChannel = (t: Tensor): Tensor => t.reshape([c, ...Array<number>(input.rank - 2).fill(1)]);
    return this.weight && this.bias ? y.mul(perChannel(this.weight)).add(perChannel(this.bias)) : y;
  }

  protected override describe(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}`;
  }
}

export class InstanceNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null;
  bias: Parameter | null;
  running_mean: Buffer | null;
  running_var: Buffer | null;
  num_batches_tracked: Buffer | null;

  /** Defaults as PyTorch's: affine false, trackRunningStats false. */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    checkOptions('InstanceNorm2d', options, BATCH_NORM_KEYS);
    this.numFeatures = checkCount('InstanceNorm2d', 'numFeatures', numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = checkMomentum('InstanceNorm2d', options);
    const dtype = options.dtype ?? 'float32';
    const affine = options.affine ?? false;
    const track = options.trackRunningStats ?? false;
    if (typeof track !== 'boolean')
      throw new SkipgradError('InstanceNorm2d', 'trackRunningStats', 'a boolean', describe(track));
    this.weight = affine ? new Parameter(full([numFeatures], 1, { dtype })) : null;
    this.bias = affine ? new Parameter(full([numFeatures], 0, { dtype })) : null;
    ({
      running_mean: this.running_mean,
      running_var: this.running_var,
      num_batches_tracked: this.num_batches_tracked,
    } = runningBuffers(numFeatures, dtype, track));
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('InstanceNorm2d', x);
    if (input.rank !== 4 || input.shape[1] !== this.numFeatures) {
      throw new SkipgradError(
        'InstanceNorm2d',
        'x',
        `a tensor [N, ${this.numFeatures}, H, W]`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const c = this.numFeatures;
    const perChannel = (t: Tensor): Tensor => t.reshape([c, 1, 1]);
    const [mean, variance] = [this.running_mean, this.running_var];
    let xhat: Tensor;
    if (!this.training && mean && variance) {
      xhat = input.sub(perChannel(mean)).div(perChannel(variance).add(this.eps).sqrt());
    } else {
      const n = input.shape[2]! * input.shape[3]!;
      const stats = standardise(input, [2, 3], this.eps);
      xhat = stats.xhat;
      // The estimates follow the batch's average instance statistics (unbiased variance), as PyTorch's.
      if (this.training) trackBatch(this, stats.mean.mean(0), stats.variance.mul(n / Math.max(n - 1, 1)).mean(0));
    }
    return this.weight && this.bias ? xhat.mul(perChannel(this.weight)).add(perChannel(this.bias)) : xhat;
  }

  protected override describe(): string {
    return `${this.numFeatures}, eps=${this.eps}${this.weight ? ', affine' : ''}${this.running_mean ? ', trackRunningStats' : ''}`;
  }
}
