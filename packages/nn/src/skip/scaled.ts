/**
 * Adaptive residual pathways: y = x + s ⊙ f(x), where the scale s on the residual branch is
 * learned, so each block decides how much of f to let into the stream. Starting s small keeps a
 * very deep stack close to the identity at initialisation — the gradient reaching x is
 * g + J_fᵀ(s ⊙ g) ≈ g — and lets depth be "switched on" as training needs it.
 *
 *   ReZero (residual.ts)  s = α, one scalar starting at exactly 0 (Bachlechner et al., 2020)
 *   SkipInit              s = α, one scalar starting at `init` (De & Smith, 2020: 0, or a small
 *                         constant ≲ 1/√depth; they use it in place of batch norm)
 *   LayerScale            s = γ, one value per channel starting at `init` (Touvron et al., 2021:
 *                         0.1 up to 18 blocks, 1e-5 at 24, 1e-6 deeper)
 *
 * ∂y/∂s = f(x) (summed over all but the channel axis for LayerScale): a block whose branch helps
 * the loss grows its s. The α (or γ) per layer over training is what the lab's adaptive-hybrid
 * experiment plots.
 */
import type { Tensor } from '@skipgrad/autograd';
import {
  type DType,
  SkipgradError,
  describe,
  formatShape,
  full,
  normalizeAxis,
  checkOptions,
  checkNumber,
  shapesEqual,
} from '@skipgrad/tensor';
import { Module, Parameter, checkInput } from '../module.js';

function checkModule(op: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new SkipgradError(op, 'f', 'a Module', describe(m));
  return m;
}

const checkInit = (op: string, v: unknown): number => checkNumber(op, 'init', v);

/** Checks that f kept x's shape, which the sum x + s·f(x) needs. */
function sameShape(op: string, x: Tensor, fx: Tensor): void {
  if (!shapesEqual(fx.shape, x.shape)) {
    throw new SkipgradError(op, 'f', `an output of x's shape ${formatShape(x.shape)}`, formatShape(fx.shape));
  }
}

export class SkipInit extends Module {
  readonly f: Module;
  alpha: Parameter;

  /** y = x + α·f(x), α a learned scalar starting at `init` (default 0). */
  constructor(f: Module, options: { init?: number; dtype?: DType } = {}) {
    super();
    checkOptions('SkipInit', options, ['init', 'dtype']);
    this.f = checkModule('SkipInit', f);
    this.alpha = new Parameter(
      full([], checkInit('SkipInit', options.init ?? 0), { dtype: options.dtype ?? 'float32' }),
    );
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('SkipInit', x);
    const fx = this.f.forward(input);
    sameShape('SkipInit', input, fx);
    return input.add(fx.mul(this.alpha));
  }
}

export class LayerScale extends Module {
  readonly f: Module;
  readonly channels: number;
  /** The channel axis: 1 for images [N, C, H, W], −1 (the default) for tokens or features. */
  readonly axis: number;
  gamma: Parameter;

  /** y = x + γ ⊙ f(x), γ [channels] learned, starting at `init` (default 0.1), along `axis`. */
  constructor(f: Module, channels: number, options: { init?: number; axis?: number; dtype?: DType } = {}) {
    super();
    checkOptions('LayerScale', options, ['init', 'axis', 'dtype']);
    this.f = checkModule('LayerScale', f);
    if (!Number.isInteger(channels) || channels < 1)
      throw new SkipgradError('LayerScale', 'channels', 'a positive integer', describe(channels));
    this.channels = channels;
    this.axis = options.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new SkipgradError('LayerScale', 'axis', 'an integer', describe(options.axis));
    this.gamma = new Parameter(
      full([channels], checkInit('LayerScale', options.init ?? 0.1), { dtype: options.dtype ?? 'float32' }),
    );
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('LayerScale', x);
    const d = normalizeAxis('LayerScale', this.axis, input.rank);
    if (input.shape[d] !== this.channels) {
      throw new SkipgradError(
        'LayerScale',
        'x',
        `${this.channels} channels on axis ${this.axis}`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const fx = this.f.forward(input);
    sameShape('LayerScale', input, fx);
    // γ [C] → [C, 1, …, 1] so that it lines up with axis d and broadcasts over the axes after it.
    const gamma = this.gamma.reshape([this.channels, ...Array<number>(input.rank - 1 - d).fill(1)]);
    return input.add(fx.mul(gamma));
  }

  protected override describe(): string {
    return `channels=${this.channels}, axis=${this.axis}`;
  }
}
