/**
 * MultiheadAttention (Vaswani et al., 2017), batch first: [N, L, E] → [N, L, E].
 *
 *   Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v     (W_q, W_k, W_v: [E, E])
 *   split E into H heads of E/H features:  [N, L, E] → [N, H, L, E/H]
 *   head_h = scaledDotProductAttention(Q_h, K_h, V_h)  (softmax(Q_h K_hᵀ/√(E/H)) V_h)
 *   y = concat(head_1 … head_H) W_oᵀ + b_o
 *
 * Weights are laid out and named as PyTorch's `nn.MultiheadAttention`, so state dicts move both
 * ways: `in_proj_weight` [3E, E] holds W_q, W_k, W_v stacked (rows 0..E, E..2E, 2E..3E),
 * `in_proj_bias` [3E], and `out_proj` is a Linear (`out_proj.weight`, `out_proj.bias`). The
 * initialisation is PyTorch's too: in_proj_weight Xavier-uniform, both biases 0.
 *
 * Masks: `mask` has scaledDotProductAttention's meaning (1 = may attend; PyTorch's boolean
 * `attn_mask` of nn.MultiheadAttention means the opposite, True = masked out) and
 * `keyPaddingMask` [N, S] PyTorch's (1 = a padding key, ignored by every query).
 */
import { type Tensor, attentionWeights, linear, matmul, ones, dropout as dropoutOp } from '@skipgrad/autograd';
import {
  type DType,
  type Generator,
  SkipgradError,
  describe,
  formatShape,
  full,
  checkOptions,
  checkGenerator,
  checkSize,
} from '@skipgrad/tensor';
import { xavierUniform } from '../init.js';
import { Module, Parameter, checkInput } from '../module.js';
import { Linear } from './linear.js';

export interface AttentionMasks {
  /** Which keys each query may attend to (1 = may attend), broadcast to [N, H, L, S]: e.g. [L, S]. */
  mask?: Tensor;
  /** Query i attends to keys 0..i only. */
  causal?: boolean;
  /** [N, S]: 1 marks a padding key that no query attends to (PyTorch's key_padding_mask). */
  keyPaddingMask?: Tensor;
}

export interface MultiheadAttentionOptions {
  bias?: boolean;
  /** Dropout on the attention weights while training. Default 0. */
  dropout?: number;
  generator?: Generator;
  dtype?: DType;
}

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: Linear;
  private readonly generator: Generator | undefined;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', options, ['bias', 'dropout', 'generator', 'dtype']);
    for (const [name, v] of [
      ['embedDim', embedDim],
      ['numHeads', numHeads],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new SkipgradError('MultiheadAttention', name, 'a positive integer', describe(v));
    }
    if (embedDim % numHeads !== 0) {
      throw new SkipgradError('MultiheadAttention', 'numHeads', `a divisor of embedDim ${embedDim}`, String(numHeads));
    }
    checkGenerator('MultiheadAttention', 'generator', options.generator);
    checkSize('MultiheadAttention', [3 * embedDim, embedDim], 4, 'embedDim');
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1))
      throw new SkipgradError('MultiheadAttention', 'dropout', 'a probability in [0, 1)', describe(p));
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    this.generator = options.generator;
    const dtype = options.dtype ?? 'float32';
    this.in_proj_weight = new Parameter(
      xavierUniform([3 * embedDim, embedDim], { generator: options.generator, dtype }),
    );
    this.in_proj_bias = options.bias === false ? null : new Parameter(full([3 * embedDim], 0, { dtype }));
    this.out_proj = new Linear(embedDim, embedDim, {
      bias: options.bias !== false,
      generator: options.generator,
      dtype,
    });
    if (this.out_proj.bias) this.out_proj.bias.assign(full([embedDim], 0, { dtype }));
  }

  /** Self-attention: query = key = value = x. */
  forward(x: Tensor, masks: AttentionMasks = {}): Tensor {
    return this.attend(x, x, x, masks).output;
  }

  /**
   * Attention of `query` [N, L, E] over `key` [N, S, E] and `value` [N, S, E] (unbatched
   * [L, E] inputs work too). Returns the output [N, L, E] and, with `needWeights`, the
   * attention weights averaged over the heads [N, L, S] (PyTorch's default).
   */
  attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    masks: AttentionMasks & { needWeights?: boolean } = {},
  ): { output: Tensor; weights: Tensor | null } {
    const [q, k, v] = (['query', 'key', 'value'] as const).map((name, i) =>
      this.checkTokens(name, [query, key, value][i]),
    );
    const unbatched = q!.rank === 2;
    const [qb, kb, vb] = [q!, k!, v!].map((t) => (unbatched ? t.unsqueeze(0) : t)) as [Tensor, Tensor, Tensor];
    if (
      kb.rank !== qb.rank ||
      vb.rank !== qb.rank ||
      kb.shape[0] !== qb.shape[0] ||
      vb.shape[0] !== qb.shape[0] ||
      kb.shape[1] !== vb.shape[1]
    ) {
      throw new SkipgradError(
        'MultiheadAttention',
        'key',
        `key and value of query's batch ${formatShape(qb.shape)} with as many tokens as each other`,
        `key ${formatShape(kb.shape)}, value ${formatShape(vb.shape)}`,
      );
    }
    const heads = (t: Tensor, part: number): Tensor =>
      this.project(t, part).reshape([t.shape[0]!, t.shape[1]!, this.numHeads, this.headDim]).permute([0, 2, 1, 3]);
    const [Q, K, V] = [heads(qb, 0), heads(kb, 1), heads(vb, 2)] as [Tensor, Tensor, Tensor];
    const weights = attentionWeights(
      Q,
      K,
      { mask: this.keepMask(masks, qb, kb, unbatched), causal: masks.causal },
      'MultiheadAttention',
    );
    const dropped =
      this.training && this.dropout > 0 ? dropoutOp(weights, this.dropout, { generator: this.generator }) : weights;
    const [n, l] = [qb.shape[0]!, qb.shape[1]!];
    const merged = matmul(dropped, V).permute([0, 2, 1, 3]).reshape([n, l, this.embedDim]);
    const output = this.out_proj.forward(merged);
    const averaged = masks.needWeights ? weights.mean(1) : null;
    return unbatched
      ? { output: output.squeeze(0), weights: averaged?.squeeze(0) ?? null }
      : { output, weights: averaged };
  }

  /**
   * x W_partᵀ + b_part, with W_part rows part·E .. (part+1)·E of in_proj_weight: the linear op,
   * so the bias is added inside the product (no [N, L, E] array of its own, no add on the tape)
   * and W_part's gradient is one product over all N·L tokens (dzᵀ·x).
   */
  private project(x: Tensor, part: number): Tensor {
    const e = this.embedDim;
    return linear(x, this.in_proj_weight.narrow(0, part * e, e), this.in_proj_bias?.narrow(0, part * e, e) ?? null);
  }

  private checkTokens(name: string, t: unknown): Tensor {
    const x = checkInput('MultiheadAttention', t);
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== this.embedDim) {
      throw new SkipgradError(
        'MultiheadAttention',
        name,
        `a tensor [N, tokens, ${this.embedDim}] or [tokens, ${this.embedDim}]`,
        `shape ${formatShape(x.shape)}`,
      );
    }
    return x;
  }

  /** The user's keep-mask combined with the key-padding mask, as a keep-mask over [N, H, L, S]. */
  private keepMask(masks: AttentionMasks, q: Tensor, k: Tensor, unbatched: boolean): Tensor | undefined {
    const pad = masks.keyPaddingMask;
    if (pad === undefined) return masks.mask;
    checkInput('MultiheadAttention', pad);
    const [n, s] = [q.shape[0]!, k.shape[1]!];
    const expected = unbatched ? [s] : [n, s];
    if (pad.rank !== expected.length || pad.shape.some((side, i) => side !== expected[i])) {
      throw new SkipgradError(
        'MultiheadAttention',
        'keyPaddingMask',
        `shape ${formatShape(expected)} (1 = padding)`,
        `shape ${formatShape(pad.shape)}`,
      );
    }
    const bad = pad.data.toTypedArray().find((m) => m !== 0 && m !== 1);
    if (bad !== undefined)
      throw new SkipgradError('MultiheadAttention', 'keyPaddingMask', 'only 0s and 1s (1 = padding)', String(bad));
    const keep = ones([n, 1, 1, s], { dtype: pad.dtype }).sub(pad.detach().reshape([n, 1, 1, s]));
    return masks.mask ? keep.mul(masks.mask.detach()) : keep;
  }

  protected override describe(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.dropout > 0 ? `, dropout=${this.dropout}` : ''}`;
  }
}
