/**
 * Classification losses, each a composite of differentiable ops (so each gradient comes for free).
 * With p = logSoftmax(logits) over the classes, y_n the class of sample n and w_c a class weight
 * (1 without `weight`):
 *
 *   nllLoss:        Σ_n −w_{y_n}·logp[n, y_n] / Σ_n w_{y_n}                (the weighted mean; 'sum' drops the divisor)
 *   crossEntropy:   nll of logSoftmax(logits), from raw logits, numerically stable;
 *                   label smoothing ε trains toward (1 − ε)·onehot + ε/C:
 *                     (1 − ε)·nll + (ε/C)·Σ_n Σ_c −w_c·logp[n, c] / Σ_n w_{y_n}
 *                   probability targets t (the logits' shape): Σ_n Σ_c −w_c·t[n, c]·logp[n, c] / N
 *   bceWithLogits:  posWeight·y·softplus(−x) + (1 − y)·softplus(x), times `weight`, with
 *                   softplus(x) = max(x, 0) + ln(1 + e^−|x|) — stable for any logit x
 *
 * As PyTorch: inputs [N, C, d₁, …] have the class axis second and each position is a sample;
 * a sample whose target is `ignoreIndex` counts for nothing, in the sum or in the divisor (a batch
 * with every sample ignored has mean NaN, 0/0, as PyTorch's). The class weights are constants.
 */
import { Tensor, gather } from '@skipgrad/autograd';
import { NDArray, SkipgradError, allocate, describe, formatShape, shapesEqual } from '@skipgrad/tensor';
import { type Reduction, checkSameShape, lossOptions, reduce } from './reduce.js';

export interface NllOptions {
  reduction?: Reduction;
  /** A weight per class [C] (a constant). */
  weight?: Tensor;
  /** A target value that marks a sample to leave out (PyTorch's default −100: none). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1): the share of the target spread evenly over all classes. Default 0. */
  labelSmoothing?: number;
}

export interface BceOptions {
  reduction?: Reduction;
  /** A weight per element, broadcast to the logits' shape. */
  weight?: Tensor;
  /** The weight of the positive term, broadcast to the logits' shape (one per class: [C]). */
  posWeight?: Tensor;
}

const DEFAULT_IGNORE = -100;

/** Logits [N, C] or [N, C, d₁, …] as rows [M, C] (the class axis last), and the samples' shape [N, d₁, …]. */
function classRows(op: string, x: unknown, arg = 'input'): { rows: Tensor; samples: number[]; classes: number } {
  if (!(x instanceof Tensor) || x.rank < 2)
    throw new SkipgradError(op, arg, 'a Tensor of shape [N, C] or [N, C, d₁, …]', describe(x));
  const classes = x.shape[1]!;
  if (classes === 0) throw new SkipgradError(op, arg, 'at least one class on axis 1', `shape ${formatShape(x.shape)}`);
  const samples = x.shape.filter((_, i) => i !== 1);
  if (x.rank === 2) return { rows: x, samples, classes };
  const toLast = [0, ...x.shape.map((_, i) => i).slice(2), 1];
  return { rows: x.permute(toLast).reshape([-1, classes]), samples, classes };
}

function checkIgnoreIndex(op: string, v: unknown): number {
  if (!Number.isInteger(v) || ((v as number) < 0 && v !== DEFAULT_IGNORE)) {
    throw new SkipgradError(
      op,
      'ignoreIndex',
      `a class index >= 0, or ${DEFAULT_IGNORE} (the default: none ignored)`,
      describe(v),
    );
  }
  return v as number;
}

/** The class weights as numbers, or null. */
function classWeights(op: string, weight: unknown, classes: number): Float64Array | null {
  if (weight === undefined) return null;
  if (!(weight instanceof Tensor) || weight.rank !== 1 || weight.shape[0] !== classes) {
    throw new SkipgradError(
      op,
      'weight',
      `a Tensor of shape [${classes}] (one weight per class)`,
      weight instanceof Tensor ? `shape ${formatShape(weight.shape)}` : describe(weight),
    );
  }
  return Float64Array.from(weight.data.toTypedArray());
}

/** Class indices, one per sample (an array, nested or flat, or a tensor of the samples' shape); each in [0, C) or the ignore index. */
function classTargets(
  op: string,
  target: unknown,
  samples: readonly number[],
  classes: number,
  ignoreIndex: number,
): number[] {
  const count = samples.reduce((p, s) => p * s, 1);
  let list: unknown[];
  if (target instanceof Tensor) {
    if (!shapesEqual(target.shape, samples)) {
      throw new SkipgradError(
        op,
        'target',
        `class indices of shape ${formatShape(samples)} (or probabilities of the input's shape)`,
        `shape ${formatShape(target.shape)}`,
      );
    }
    list = Array.from(target.data.toTypedArray());
  } else if (Array.isArray(target)) {
    list = target.flat(Infinity);
  } else {
    throw new SkipgradError(op, 'target', `${count} class indices (an array or a tensor)`, describe(target));
  }
  if (list.length !== count)
    throw new SkipgradError(op, 'target', `${count} class indices (an array or a tensor)`, `${list.length} values`);
  list.forEach((c, i) => {
    if (!Number.isInteger(c) || (((c as number) < 0 || (c as number) >= classes) && c !== ignoreIndex)) {
      throw new SkipgradError(
        op,
        `target[${i}]`,
        `a class index in [0, ${classes})${ignoreIndex !== DEFAULT_IGNORE ? ` or the ignoreIndex ${ignoreIndex}` : ''}`,
        describe(c),
      );
    }
  });
  return list as number[];
}

/** A constant tensor of the given values and shape, in `like`'s dtype. */
function constant(values: ArrayLike<number>, shape: readonly number[], like: Tensor): Tensor {
  const data = allocate(like.dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i]!;
  return new Tensor(new NDArray(data, [...shape]));
}

/**
 * The weighted negative log-likelihood of rows of log-probabilities [M, C] and their classes,
 * reduced, with the per-sample weights w_{y_n} (0 where ignored) and their sum for the mean.
 */
function nllOfRows(
  op: string,
  logp: Tensor,
  classes: readonly number[],
  samples: readonly number[],
  weights: Float64Array | null,
  ignoreIndex: number,
  reduction: Reduction,
): Tensor {
  const m = classes.length;
  const kept = classes.map((c) => c !== ignoreIndex);
  const index = constant(
    classes.map((c, i) => (kept[i] ? c : 0)),
    [m, 1],
    logp,
  );
  // −log p[i, target[i]]: gather picks one log-probability per row (its gradient scatters back).
  const picked = gather(logp, 1, index).squeeze(1).neg();
  if (!weights && kept.every(Boolean))
    return reduce(op, reduction === 'none' ? picked.reshape([...samples]) : picked, reduction);
  const perSample = classes.map((c, i) => (kept[i] ? (weights ? weights[c]! : 1) : 0));
  const weighted = picked.mul(constant(perSample, [m], logp));
  if (reduction === 'none') return weighted.reshape([...samples]);
  if (reduction === 'sum') return weighted.sum();
  if (reduction !== 'mean') return reduce(op, weighted, reduction);
  return weighted.sum().div(perSample.reduce((p, w) => p + w, 0));
}

/**
 * Negative log-likelihood of class indices under log-probabilities [N, C] (or [N, C, d₁, …]).
 * The third argument is a reduction or `{ reduction, weight, ignoreIndex }`.
 *
 * @example
 * nllLoss(tensor([[-1, -2]]), [1]).item(); // 2
 */
export function nllLoss(
  logProbs: Tensor,
  target: readonly number[] | Tensor,
  options: Reduction | NllOptions = 'mean',
): Tensor {
  const o = lossOptions('nllLoss', options);
  const { rows, samples, classes } = classRows('nllLoss', logProbs);
  const ignoreIndex = checkIgnoreIndex('nllLoss', o.ignoreIndex ?? DEFAULT_IGNORE);
  const weights = classWeights('nllLoss', o.weight, classes);
  return nllOfRows(
    'nllLoss',
    rows,
    classTargets('nllLoss', target, samples, classes, ignoreIndex),
    samples,
    weights,
    ignoreIndex,
    o.reduction,
  );
}

/**
 * Cross-entropy from logits [N, C] (or [N, C, d₁, …]) and class indices — or class
 * probabilities of the logits' shape. The third argument is a reduction or
 * `{ reduction, weight, ignoreIndex, labelSmoothing }`.
 *
 * @example
 * crossEntropy(tensor([[0, 0]], { dtype: 'float64' }), [1]).item(); // 0.6931471805599453
 */
export function crossEntropy(
  logits: Tensor,
  target: readonly number[] | Tensor,
  options: Reduction | CrossEntropyOptions = 'mean',
): Tensor {
  const op = 'crossEntropy';
  const o = lossOptions(op, options);
  const { rows, samples, classes } = classRows(op, logits);
  const eps = o.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 1))
    throw new SkipgradError(op, 'labelSmoothing', 'a number in [0, 1)', describe(eps));
  const weights = classWeights(op, o.weight, classes);
  if (o.weight && o.weight.dtype !== rows.dtype)
    throw new SkipgradError(
      op,
      'weight',
      `dtype ${rows.dtype} (the logits')`,
      o.weight.dtype,
      'convert it with .to(dtype)',
    );
  const logp = rows.logSoftmax(1);
  const byClass = (t: Tensor): Tensor => (weights ? t.mul(constant(weights, [classes], t)) : t);
  if (target instanceof Tensor && shapesEqual(target.shape, (logits as Tensor).shape)) {
    if (o.ignoreIndex !== undefined)
      throw new SkipgradError(
        op,
        'ignoreIndex',
        'no ignoreIndex with probability targets (it applies to class indices)',
        String(o.ignoreIndex),
      );
    if (target.dtype !== rows.dtype)
      throw new SkipgradError(
        op,
        'target',
        `probabilities of dtype ${rows.dtype} (the logits')`,
        target.dtype,
        'convert them with .to(dtype)',
      );
    let probs = classRows(op, target, 'target').rows;
    if (eps > 0) probs = probs.mul(1 - eps).add(eps / classes);
    const perSample = byClass(logp.mul(probs)).sum(1).neg();
    return reduce(op, o.reduction === 'none' ? perSample.reshape([...samples]) : perSample, o.reduction);
  }
  const ignoreIndex = checkIgnoreIndex(op, o.ignoreIndex ?? DEFAULT_IGNORE);
  const targets = classTargets(op, target, samples, classes, ignoreIndex);
  const nll = nllOfRows(op, logp, targets, samples, weights, ignoreIndex, o.reduction);
  if (eps === 0) return nll;
  // The smoothing term −Σ_c w_c·logp[n, c], for the samples not ignored, reduced as the nll is.
  const kept = targets.map((c) => (c === ignoreIndex ? 0 : 1));
  const smooth = byClass(logp)
    .sum(1)
    .neg()
    .mul(constant(kept, [kept.length], logp));
  let reduced: Tensor;
  if (o.reduction === 'none') reduced = smooth.reshape([...samples]);
  else if (o.reduction === 'sum') reduced = smooth.sum();
  else reduced = smooth.sum().div(targets.reduce((p, c) => p + (c === ignoreIndex ? 0 : weights ? weights[c]! : 1), 0));
  return nll.mul(1 - eps).add(reduced.mul(eps / classes));
}

/**
 * Binary cross-entropy from logits and targets in [0, 1] of the same shape. The third argument
 * is a reduction or `{ reduction, weight, posWeight }`.
 *
 * @example
 * bceWithLogits(tensor([0], { dtype: 'float64' }), tensor([1], { dtype: 'float64' })).item(); // 0.6931471805599453
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: Reduction | BceOptions = 'mean'): Tensor {
  const op = 'bceWithLogits';
  const o = lossOptions(op, options);
  const [x, y] = checkSameShape(op, logits, target);
  for (const name of ['weight', 'posWeight'] as const) {
    const w = o[name];
    if (w !== undefined && !(w instanceof Tensor))
      throw new SkipgradError(op, name, 'a Tensor that broadcasts to the logits', describe(w));
  }
  const softplusOfMinusAbs = x.abs().neg().exp().add(1).log();
  let loss: Tensor;
  if (o.posWeight) {
    const softplus = x.relu().add(softplusOfMinusAbs); // softplus(x); softplus(−x) = softplus(x) − x
    loss = softplus
      .sub(x)
      .mul(y)
      .mul(o.posWeight)
      .add(softplus.mul(y.neg().add(1)));
  } else {
    loss = x.relu().sub(x.mul(y)).add(softplusOfMinusAbs);
  }
  return reduce(op, o.weight ? loss.mul(o.weight) : loss, o.reduction);
}
