/**
 * A small Vision Transformer (Dosovitskiy et al., 2021): an image cut into P×P patches, each
 * patch a token, a learned class token in front, learned positions, a stack of transformer
 * encoder layers (the residual stream), and a linear head on the class token's output.
 *
 *   [N, C, H, W] → patches [N, T, C·P²] (T = HW/P²) → patchEmbed → [N, T, dim]
 *   → concat(classToken, tokens) + positions → layers → (LN if pre-LN) → head(token 0)
 *
 * Pre-LN by default, as ViT; `normFirst: false`, `residual: false` and `residualScale` switch
 * each layer as TransformerEncoderLayer does, so the lab can compare them on one task.
 */
import { type Tensor, concat } from '@skipgrad/autograd';
import { type DType, type Generator, SkipgradError, describe, formatShape, full } from '@skipgrad/tensor';
import { LearnedPositionalEncoding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { LayerNorm } from '../layers/norm.js';
import { type ResidualScale, TransformerEncoderLayer } from '../layers/transformer.js';
import { Module, Parameter, checkInput } from '../module.js';

export interface ViTOptions {
  imageSize: number;
  patchSize: number;
  inChannels?: number;
  classes: number;
  dim: number;
  depth: number;
  heads: number;
  /** Feed-forward width. Default 4·dim. */
  mlpDim?: number;
  /** Default true (ViT is pre-LN). */
  normFirst?: boolean;
  residual?: boolean;
  residualScale?: ResidualScale;
  layerScaleInit?: number;
  dropout?: number;
  activation?: 'relu' | 'gelu';
  generator?: Generator;
  dtype?: DType;
}

export class VisionTransformer extends Module {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly inChannels: number;
  readonly tokens: number;
  readonly normFirst: boolean;
  patchEmbed: Linear;
  classToken: Parameter;
  positions: LearnedPositionalEncoding;
  layers: TransformerEncoderLayer[];
  norm: LayerNorm | null;
  head: Linear;

  constructor(o: ViTOptions) {
    super();
    if (o === null || typeof o !== 'object')
      throw new SkipgradError('VisionTransformer', 'options', 'an object', describe(o));
    for (const name of ['imageSize', 'patchSize', 'classes', 'dim', 'depth', 'heads'] as const) {
      const v = o[name];
      if (!Number.isInteger(v) || v < 1)
        throw new SkipgradError('VisionTransformer', name, 'a positive integer', describe(v));
    }
    if (o.imageSize % o.patchSize !== 0) {
      throw new SkipgradError(
        'VisionTransformer',
        'patchSize',
        `a divisor of imageSize ${o.imageSize}`,
        String(o.patchSize),
      );
    }
    this.imageSize = o.imageSize;
    this.patchSize = o.patchSize;
    this.inChannels = o.inChannels ?? 1;
    this.tokens = (o.imageSize / o.patchSize) ** 2;
    this.normFirst = o.normFirst ?? true;
    const dtype = o.dtype ?? 'float32';
    const common = { generator: o.generator, dtype };
    this.patchEmbed = new Linear(this.inChannels * o.patchSize ** 2, o.dim, common);
    this.classToken = new Parameter(full([1, 1, o.dim], 0, { dtype }));
    this.positions = new LearnedPositionalEncoding(this.tokens + 1, o.dim, common);
    this.layers = Array.from(
      { length: o.depth },
      () =>
        new TransformerEncoderLayer(o.dim, o.heads, {
          ...common,
          dimFeedforward: o.mlpDim ?? 4 * o.dim,
          dropout: o.dropout ?? 0,
          activation: o.activation ?? 'gelu',
          normFirst: this.normFirst,
          residual: o.residual,
          residualScale: o.residualScale,
          layerScaleInit: o.layerScaleInit,
          numLayers: o.depth,
        }),
    );
    this.norm = this.normFirst ? new LayerNorm(o.dim, { dtype }) : null;
    this.head = new Linear(o.dim, o.classes, common);
  }

  /** [N, C, H, W] → [N, T, C·P²]: each row one patch, its pixels channel by channel, row by row. */
  patches(x: Tensor): Tensor {
    const input = checkInput('VisionTransformer', x);
    const [c, s, p] = [this.inChannels, this.imageSize, this.patchSize];
    if (input.rank !== 4 || input.shape[1] !== c || input.shape[2] !== s || input.shape[3] !== s) {
      throw new SkipgradError(
        'VisionTransformer',
        'x',
        `images [N, ${c}, ${s}, ${s}]`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const n = input.shape[0]!;
    const g = s / p;
    return input
      .reshape([n, c, g, p, g, p])
      .permute([0, 2, 4, 1, 3, 5])
      .reshape([n, g * g, c * p * p]);
  }

  /** The token stream entering layer `upTo` (all layers by default), [N, T + 1, dim]. */
  stream(x: Tensor, upTo = this.layers.length): Tensor {
    const tokens = this.patchEmbed.forward(this.patches(x));
    const n = tokens.shape[0]!;
    let h = this.positions.forward(concat([this.classToken.expand([n, 1, tokens.shape[2]!]), tokens], 1));
    for (const layer of this.layers.slice(0, upTo)) h = layer.forward(h);
    return h;
  }

  forward(x: Tensor): Tensor {
    let h = this.stream(x);
    if (this.norm) h = this.norm.forward(h);
    return this.head.forward(h.narrow(1, 0, 1).squeeze(1));
  }

  protected override describe(): string {
    return `image=${this.imageSize}, patch=${this.patchSize}, tokens=${this.tokens}, ${this.normFirst ? 'pre-LN' : 'post-LN'}`;
  }
}
