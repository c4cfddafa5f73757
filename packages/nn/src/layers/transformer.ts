/**
 * TransformerEncoderLayer: self-attention and a feed-forward network, each inside a residual
 * connection — the transformer's residual stream (Vaswani et al., 2017). With sa(x) the
 * attention sublayer and ff(x) = linear2(dropout(act(linear1(x)))):
 *
 *   post-LN (normFirst false, the original and PyTorch's default):
 *     x ← LN₁(x + sa(x));   x ← LN₂(x + ff(x))
 *   pre-LN (normFirst true):
 *     x ← x + sa(LN₁(x));   x ← x + ff(LN₂(x))
 *
 * In pre-LN the stream x itself is never normalised: ∂(x + f(LN(x)))/∂x = I + J, so dy reaches
 * the input of a stack of L layers as dy plus the branches' terms — it is carried through
 * unchanged, and the gradient norms stay flat over depth. In post-LN every gradient crosses L
 * layer norms on the way down; Xiong et al. (2020) show its gradients near the output are large
 * at initialisation, which is why post-LN transformers need a learning-rate warmup.
 *
 * The residual scale s in x + s·f(·) — an *adaptive residual pathway* when s is learned:
 *   'none'        s = 1
 *   'rezero'      s = α, a learned scalar starting at 0, and no layer norms at all
 *                 (Bachlechner et al., 2020): every layer starts as the identity
 *   'skipinit'    s = α, a learned scalar starting at `skipInit` (default 0), norms kept
 *                 (De & Smith, 2020, who use it in place of normalisation in ResNets)
 *   'layerscale'  s = diag(γ), a learned per-channel vector starting at `layerScaleInit`
 *                 (default 0.1; Touvron et al., 2021, "Going deeper with image transformers")
 *   'deepnorm'    post-LN with the stream up-weighted: x ← LN(α·x + f(x)), α = (2N)^¼, and the
 *                 feed-forward, value and output projections initialised Xavier-normal with gain
 *                 β = (8N)^−¼ (Wang et al., 2022, DeepNet, encoder-only), N = numLayers
 * `residual: false` drops the skip entirely: x ← LN(f(x)) or x ← f(LN(x)).
 *
 * Parameters are named as PyTorch's `nn.TransformerEncoderLayer` (self_attn, linear1, linear2,
 * norm1, norm2), so its state dicts load as they are; `scale1`/`scale2` hold the learned scales.
 */
import type { Tensor } from '@skipgrad/autograd';
import { dropout as dropoutOp, gelu } from '@skipgrad/autograd';
import {
  type DType,
  type Generator,
  NDArray,
  SkipgradError,
  checkSize,
  describe,
  formatShape,
  full,
  checkGenerator,
} from '@skipgrad/tensor';
import { xavierNormal } from '../init.js';
import { Module, Parameter, checkInput } from '../module.js';
import { type AttentionMasks, MultiheadAttention } from './attention.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';

export const RESIDUAL_SCALES = ['none', 'rezero', 'skipinit', 'layerscale', 'deepnorm'] as const;
export type ResidualScale = (typeof RESIDUAL_SCALES)[number];

export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward network. Default 2048 (PyTorch's). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward network. Default 0.1. */
  dropout?: number;
  activation?: 'relu' | 'gelu';
  layerNormEps?: number;
  /** Pre-LN (true) or post-LN (false, the default). */
  normFirst?: boolean;
  bias?: boolean;
  /** Keep the residual connections (default true). */
  residual?: boolean;
  residualScale?: ResidualScale;
  /** LayerScale's starting γ. Default 0.1. */
  layerScaleInit?: number;
  /** SkipInit's starting α. Default 0. */
  skipInit?: number;
  /** Layers in the stack: DeepNorm's N. Default 1. */
  numLayers?: number;
  generator?: Generator;
  dtype?: DType;
}

const OP = 'TransformerEncoderLayer';

export class TransformerEncoderLayer extends Module {
  readonly dModel: number;
  readonly normFirst: boolean;
  readonly residual: boolean;
  readonly residualScale: ResidualScale;
  readonly activation: 'relu' | 'gelu';
  readonly dropout: number;
  /** DeepNorm's α on the stream (1 otherwise). */
  readonly streamScale: number;
  self_attn: MultiheadAttention;
  linear1: Linear;
  linear2: Linear;
  norm1: LayerNorm | null;
  norm2: LayerNorm | null;
  scale1: Parameter | null;
  scale2: Parameter | null;
  private readonly generator: Generator | undefined;

  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const o = checkOptions(options);
    for (const [name, v] of [
      ['dModel', dModel],
      ['nhead', nhead],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new SkipgradError(OP, name, 'a positive integer', describe(v));
    }
    checkGenerator(OP, 'generator', o.generator);
    if (dModel % nhead !== 0) throw new SkipgradError(OP, 'nhead', `a divisor of dModel ${dModel}`, String(nhead));
    if (o.dimFeedforward !== undefined) checkSize(OP, [o.dimFeedforward, dModel], 4, 'dimFeedforward');
    checkSize(OP, [3 * dModel, dModel], 4, 'dModel');
    this.dModel = dModel;
    this.normFirst = o.normFirst ?? false;
    this.residual = o.residual ?? true;
    this.residualScale = o.residualScale ?? 'none';
    this.activation = o.activation ?? 'relu';
    this.dropout = o.dropout ?? 0.1;
    this.generator = o.generator;
    if (!this.residual && this.residualScale !== 'none') {
      throw new SkipgradError(
        OP,
        'residualScale',
        "'none' when residual is false (there is no skip to scale)",
        `'${this.residualScale}'`,
      );
    }
    if (this.residualScale === 'deepnorm' && this.normFirst) {
      throw new SkipgradError(
        OP,
        'residualScale',
        "a post-LN layer for 'deepnorm' (normFirst false)",
        'normFirst true',
      );
    }
    const dtype = o.dtype ?? 'float32';
    const common = { generator: o.generator, dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { ...common, bias: o.bias, dropout: this.dropout });
    const hidden = o.dimFeedforward ?? 2048;
    this.linear1 = new Linear(dModel, hidden, { ...common, bias: o.bias });
    this.linear2 = new Linear(hidden, dModel, { ...common, bias: o.bias });
    const withNorms = this.residualScale !== 'rezero';
    this.norm1 = withNorms ? new LayerNorm(dModel, { eps: o.layerNormEps, dtype }) : null;
    this.norm2 = withNorms ? new LayerNorm(dModel, { eps: o.layerNormEps, dtype }) : null;
    const scaleShape = this.residualScale === 'layerscale' ? [dModel] : [];
    const start =
      this.residualScale === 'layerscale'
        ? (o.layerScaleInit ?? 0.1)
        : this.residualScale === 'skipinit'
          ? (o.skipInit ?? 0)
          : 0;
    const learned = ['rezero', 'skipinit', 'layerscale'].includes(this.residualScale);
    this.scale1 = learned ? new Parameter(full(scaleShape, start, { dtype })) : null;
    this.scale2 = learned ? new Parameter(full(scaleShape, start, { dtype })) : null;
    const n = o.numLayers ?? 1;
    this.streamScale = this.residualScale === 'deepnorm' ? (2 * n) ** 0.25 : 1;
    if (this.residualScale === 'deepnorm') this.deepNormInit((8 * n) ** -0.25, common);
  }

  /** DeepNet's init: W_v, W_o and the feed-forward weights Xavier-normal with gain β; W_q, W_k gain 1. */
  private deepNormInit(beta: number, o: { generator?: Generator; dtype: DType }): void {
    const e = this.dModel;
    const w = this.self_attn.in_proj_weight.data.toTypedArray().slice();
    w.set(xavierNormal([e, e], o).toTypedArray(), 0);
    w.set(xavierNormal([e, e], o).toTypedArray(), e * e);
    w.set(xavierNormal([e, e], { ...o, gain: beta }).toTypedArray(), 2 * e * e);
    this.self_attn.in_proj_weight.assign(new NDArray(w, [3 * e, e]));
    for (const linear of [this.self_attn.out_proj, this.linear1, this.linear2]) {
      linear.weight.assign(xavierNormal(linear.weight.shape, { ...o, gain: beta }));
    }
  }

  forward(x: Tensor, masks: AttentionMasks = {}): Tensor {
    const input = checkInput(OP, x);
    if (input.rank < 2 || input.shape[input.rank - 1] !== this.dModel) {
      throw new SkipgradError(OP, 'x', `a tensor [N, tokens, ${this.dModel}]`, `shape ${formatShape(input.shape)}`);
    }
    const attention = (t: Tensor): Tensor => this.drop(this.self_attn.forward(t, masks));
    const feedForward = (t: Tensor): Tensor =>
      this.drop(this.linear2.forward(this.drop(this.act(this.linear1.forward(t)))));
    const h = this.sublayer(input, attention, this.norm1, this.scale1);
    return this.sublayer(h, feedForward, this.norm2, this.scale2);
  }

  /** One residual sublayer, pre- or post-LN: x + s·f(LN(x)), or LN(α·x + s·f(x)). */
  private sublayer(x: Tensor, f: (t: Tensor) => Tensor, norm: LayerNorm | null, scale: Parameter | null): Tensor {
    const ln = (t: Tensor): Tensor => (norm ? norm.forward(t) : t);
    const branch = (t: Tensor): Tensor => (scale ? f(t).mul(scale) : f(t));
    if (!this.residual) return this.normFirst ? branch(ln(x)) : ln(branch(x));
    if (this.normFirst) return x.add(branch(ln(x)));
    const stream = this.streamScale === 1 ? x : x.mul(this.streamScale);
    return ln(stream.add(branch(x)));
  }

  private act(t: Tensor): Tensor {
    return this.activation === 'gelu' ? gelu(t) : t.relu();
  }

  private drop(t: Tensor): Tensor {
    return this.training && this.dropout > 0 ? dropoutOp(t, this.dropout, { generator: this.generator }) : t;
  }

  protected override describe(): string {
    const parts = [`dModel=${this.dModel}`, this.normFirst ? 'pre-LN' : 'post-LN'];
    if (!this.residual) parts.push('no residual');
    if (this.residualScale !== 'none') parts.push(`residualScale=${this.residualScale}`);
    return parts.join(', ');
  }
}

function checkOptions(options: unknown): TransformerEncoderLayerOptions {
  if (options === null || typeof options !== 'object')
    throw new SkipgradError(OP, 'options', 'an object', describe(options));
  const o = options as TransformerEncoderLayerOptions;
  if (o.residualScale !== undefined && !RESIDUAL_SCALES.includes(o.residualScale)) {
    throw new SkipgradError(
      OP,
      'residualScale',
      `one of ${RESIDUAL_SCALES.map((s) => `'${s}'`).join(', ')}`,
      describe(o.residualScale),
    );
  }
  if (o.activation !== undefined && o.activation !== 'relu' && o.activation !== 'gelu') {
    throw new SkipgradError(OP, 'activation', "'relu' or 'gelu'", describe(o.activation));
  }
  for (const name of ['dimFeedforward', 'numLayers'] as const) {
    const v = o[name];
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new SkipgradError(OP, name, 'a positive integer', describe(v));
  }
  for (const name of ['layerScaleInit', 'skipInit'] as const) {
    const v = o[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v)))
      throw new SkipgradError(OP, name, 'a finite number', describe(v));
  }
  const p = o.dropout;
  if (p !== undefined && (typeof p !== 'number' || !(p >= 0 && p < 1)))
    throw new SkipgradError(OP, 'dropout', 'a probability in [0, 1)', describe(p));
  return o;
}
