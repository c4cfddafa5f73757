/**
 * Scaled dot-product attention (Vaswani et al., 2017): every query takes a weighted mean of the
 * values, weighted by how well it matches each key.
 *
 *   S = q kᵀ · scale            [..., L, S]   one score per (query, key); scale = 1/√E by default
 *   P = softmax(S + bias, keys)  masked-out keys get a score of −∞, so a weight of exactly 0
 *   y = P v                      [..., L, Ev]
 *
 * with q [..., L, E], k [..., S, E], v [..., S, Ev] and the leading (batch, head) axes broadcast.
 *
 * A composite of matmul (the scores' scale fused into it: scaledMatmul), where, softmax and
 * dropout, so its gradient comes from theirs. Written out, with g = dy (this is what flows
 * back; the tutorial derives it):
 *
 *   dv = Pᵀ g                          each value gets the gradient of the queries that read it
 *   dP = g vᵀ
 *   dS = P ⊙ (dP − rowsum(dP ⊙ P))     softmax's backward, one query row at a time
 *   dq = dS k · scale,   dk = dSᵀ q · scale,   dbias = dS
 *
 * A masked key has P = 0, hence dS = 0: it receives no gradient from that query, and a causal
 * mask makes ∂y_t/∂x_s exactly 0 for s > t. Attention has no notion of order: permuting the
 * tokens of q (or of k and v together) permutes y the same way — positions must be added.
 */
import {
  type Generator,
  NDArray,
  SkipgradError,
  broadcastShapes,
  checkGenerator,
  checkOptions as checkKnownOptions,
  checkString,
  describe,
  formatShape,
  shapesEqual,
} from '@skipgrad/tensor';
import { checkSameDtype, checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { dropout } from './dropout.js';
import { matmul, scaledMatmul } from './matmul.js';
import { mul } from './mul.js';
import { transpose } from './shape.js';
import { softmax } from './softmax.js';
import { where } from './where.js';

export interface AttentionOptions {
  /**
   * Which keys each query may attend to: 1 = may attend, 0 = masked out (PyTorch's boolean
   * `attn_mask` of `scaled_dot_product_attention`, True = attend). Broadcasts to [..., L, S];
   * holds only 0s and 1s (an additive mask of 0 / −∞ goes in `bias`); a constant.
   */
  mask?: Tensor;
  /** Query i attends to keys 0..i only (top-left aligned, as PyTorch's `is_causal`). */
  causal?: boolean;
  /** Added to the scores before the softmax (relative positions, ALiBi); broadcasts to [..., L, S]; may require grad. */
  bias?: Tensor;
  /** The factor on q kᵀ. Default 1/√E. */
  scale?: number;
  /** Dropout probability on the attention weights P (pass 0, the default, when not training). */
  dropout?: number;
  /** Where the dropout mask comes from. */
  generator?: Generator;
}

const OP = 'scaledDotProductAttention';

/**
 * The attention weights P = softmax(q kᵀ · scale + bias) over the keys, masked; each row sums to 1.
 *
 * @example
 * attentionWeights(tensor([[1, 0]]), tensor([[1, 0], [0, 1]])).shape; // [1, 2]
 */
export function attentionWeights(
  q: Tensor,
  k: Tensor,
  options: AttentionOptions = {},
  op = 'attentionWeights',
): Tensor {
  checkString('attentionWeights', 'op', op, 'the name its errors use (a string; a layer passes its own)');
  const query = checkTensor(op, 'q', q);
  const key = checkTensor(op, 'k', k);
  checkSameDtype(op, 'k', key, 'q', query);
  for (const [name, t] of [
    ['q', query],
    ['k', key],
  ] as const) {
    if (t.rank < 2)
      throw new SkipgradError(
        op,
        name,
        'a tensor of rank >= 2 ([..., tokens, features])',
        `shape ${formatShape(t.shape)}`,
      );
  }
  const e = query.shape[query.rank - 1]!;
  if (key.shape[key.rank - 1] !== e) {
    throw new SkipgradError(
      op,
      'k',
      `a last axis of q's feature size ${e}`,
      `shape ${formatShape(key.shape)}`,
      'queries and keys must have the same head dimension',
    );
  }
  const o = checkOptions(op, options);
  const lead = broadcastShapes(op, query.shape.slice(0, -2), key.shape.slice(0, -2));
  const scoresShape = [...lead, query.shape[query.rank - 2]!, key.shape[key.rank - 2]!];
  let scores = scaledMatmul(query, transpose(key, -2, -1), o.scale ?? 1 / Math.sqrt(e));
  if (o.bias) {
    checkSameDtype(op, 'bias', o.bias, 'q', query);
    checkBroadcastsTo(op, 'bias', o.bias.shape, scoresShape);
    scores = add(scores, o.bias);
  }
  const keep = keepMask(op, o, scoresShape, query.dtype);
  if (keep) scores = where(keep, scores, -Infinity);
  return softmax(scores, -1);
}

/**
 * Scaled dot-product attention: softmax(q kᵀ/√E) v, with an optional keep-mask, causal mask,
 * additive bias and dropout on the weights.
 *
 * @example
 * const x = randn([2, 5, 8]); // [batch, tokens, features]
 * scaledDotProductAttention(x, x, x, { causal: true }).shape; // [2, 5, 8]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const query = checkTensor(OP, 'q', q);
  const key = checkTensor(OP, 'k', k);
  const value = checkTensor(OP, 'v', v);
  checkSameDtype(OP, 'k', key, 'q', query);
  checkSameDtype(OP, 'v', value, 'q', query);
  const weights = attentionWeights(query, key, options, OP); // checks q and k (k of rank >= 2)
  if (value.shape.at(-2) !== key.shape.at(-2)) {
    throw new SkipgradError(
      OP,
      'v',
      `a tensor [..., S, Ev] with as many tokens S as k ${formatShape(key.shape)}`,
      `shape ${formatShape(value.shape)}`,
    );
  }
  return matmul(dropout(weights, options.dropout ?? 0, { generator: options.generator }), value); // p = 0: the weights
}

function checkOptions(op: string, options: unknown): AttentionOptions {
  const o = checkKnownOptions<AttentionOptions>(op, options, [
    'mask',
    'causal',
    'bias',
    'scale',
    'dropout',
    'generator',
  ]);
  if (o.mask !== undefined) checkTensor(op, 'mask', o.mask);
  if (o.bias !== undefined) checkTensor(op, 'bias', o.bias);
  if (o.causal !== undefined && typeof o.causal !== 'boolean')
    throw new SkipgradError(op, 'causal', 'a boolean', describe(o.causal));
  if (o.scale !== undefined && !Number.isFinite(o.scale)) {
    throw new SkipgradError(op, 'scale', 'a finite number', describe(o.scale));
  }
  if (o.dropout !== undefined && (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout < 1))) {
    throw new SkipgradError(op, 'dropout', 'a probability in [0, 1)', describe(o.dropout));
  }
  checkGenerator(op, 'generator', o.generator);
  return o;
}

function checkBroadcastsTo(op: string, arg: string, shape: readonly number[], target: readonly number[]): void {
  let ok: boolean; // broadcasting with the target gives the target itself (a longer shape gives more axes)
  try {
    ok = shapesEqual(broadcastShapes(op, shape, target), target);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new SkipgradError(
      op,
      arg,
      `a shape that broadcasts to the scores' ${formatShape(target)} ([..., L, S])`,
      formatShape(shape),
    );
}

/**
 * The combined keep-mask (user mask × causal), or null when every key may be attended. Checked
 * on the host: only 0s and 1s, and at least one key left for every query (a query with none
 * would divide 0 by 0).
 */
function keepMask(
  op: string,
  o: AttentionOptions,
  scoresShape: readonly number[],
  dtype: Tensor['dtype'],
): Tensor | null {
  const [l, s] = scoresShape.slice(-2) as [number, number];
  let keep: Tensor | null = null;
  if (o.mask) {
    const mask = o.mask.detach();
    if (mask.dtype !== dtype)
      throw new SkipgradError(op, 'mask', `dtype ${dtype} (q's)`, mask.dtype, 'convert it with .to(dtype)');
    checkBroadcastsTo(op, 'mask', mask.shape, scoresShape);
    const bad = mask.data.toTypedArray().find((m) => m !== 0 && m !== 1);
    if (bad !== undefined) {
      throw new SkipgradError(
        op,
        'mask',
        'only 0s and 1s (1 = may attend)',
        String(bad),
        'an additive mask of 0 / −∞ goes in options.bias',
      );
    }
    keep = mask;
  }
  if (o.causal) {
    // query i may attend to key j when j <= i: the lower triangle of the [l, s] scores
    const lower = Float64Array.from({ length: l * s }, (_, at) => (at % s <= Math.floor(at / s) ? 1 : 0));
    const causal = new Tensor(new NDArray(lower, [l, s]).copy(dtype));
    keep = keep ? mul(keep, causal) : causal;
  }
  if (keep) {
    const rows = keep.data.toTypedArray();
    for (let row = 0; row * s < rows.length; row++) {
      if (rows.subarray(row * s, (row + 1) * s).every((m) => m === 0)) {
        // (a causal mask alone always keeps key 0: an empty row comes from the mask)
        throw new SkipgradError(
          op,
          'mask',
          'at least one key each query may attend to',
          `query row ${row % l} of the mask ${formatShape(keep.shape)} with every key masked out`,
        );
      }
    }
  }
  return keep;
}
