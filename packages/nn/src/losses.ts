/**
 * Loss functions, each a composite of differentiable ops (so each gradient comes for free).
 *
 *   mse:            mean((ŷ − y)²)
 *   nll:            −mean_n logp[n, target_n]
 *   crossEntropy:   nll(logSoftmax(logits)) — from raw logits, numerically stable
 *   bceWithLogits:  mean(max(x, 0) − x·y + ln(1 + e^−|x|)) — stable for any logit x
 */
import { Tensor, gather } from '@skipgrad/autograd';
import { NDArray, SkipgradError, allocate, describe } from '@skipgrad/tensor';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'none') return loss;
  throw new SkipgradError(op, 'reduction', "'mean', 'sum' or 'none'", describe(reduction));
}

function checkSameShape(op: string, prediction: unknown, target: unknown): [Tensor, Tensor] {
  if (!(prediction instanceof Tensor)) throw new SkipgradError(op, 'prediction', 'a Tensor', describe(prediction));
  if (!(target instanceof Tensor)) throw new SkipgradError(op, 'target', 'a Tensor', describe(target));
  if (prediction.shape.length !== target.shape.length || prediction.shape.some((s, i) => s !== target.shape[i])) {
    throw new SkipgradError(op, 'target', `shape [${prediction.shape.join(', ')}] (the prediction's)`, `[${target.shape.join(', ')}]`);
  }
  return [prediction, target];
}

/**
 * Mean squared error.
 *
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export function mseLoss(prediction: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const [p, t] = checkSameShape('mseLoss', prediction, target);
  const d = p.sub(t);
  return reduce('mseLoss', d.mul(d), reduction);
}

/**
 * Class indices → an [N, 1] index tensor for gather. Indices are checked: an integer in
 * [0, C) for each of the N rows.
 */
function classIndex(op: string, target: unknown, n: number, classes: number, dtype: 'float32' | 'float64'): Tensor {
  const list = target instanceof Tensor ? Array.from(target.data.toTypedArray()) : target;
  if (!Array.isArray(list) || list.length !== n) {
    throw new SkipgradError(op, 'target', `${n} class indices (an array or a 1-D tensor)`, describe(target));
  }
  const data = allocate(dtype, n);
  list.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new SkipgradError(op, `target[${i}]`, `a class index in [0, ${classes})`, describe(c));
    }
    data[i] = c;
  });
  return new Tensor(new NDArray(data, [n, 1]));
}

function checkLogits(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor) || x.rank !== 2) {
    throw new SkipgradError(op, 'input', 'a Tensor of shape [N, C]', describe(x));
  }
  return x;
}

/**
 * Negative log-likelihood of class indices under log-probabilities [N, C].
 *
 * @example
 * nllLoss(tensor([[-1, -2]]), [1]).item(); // 2
 */
export function nllLoss(logProbs: Tensor, target: readonly number[] | Tensor, reduction: Reduction = 'mean'): Tensor {
  return nll('nllLoss', checkLogits('nllLoss', logProbs), target, reduction);
}

function nll(op: string, logProbs: Tensor, target: unknown, reduction: Reduction): Tensor {
  const [n, c] = logProbs.shape as [number, number];
  // −log p[i, target[i]]: gather picks one log-probability per row (its gradient scatters back).
  const picked = gather(logProbs, 1, classIndex(op, target, n, c, logProbs.dtype)).squeeze(1);
  return reduce(op, picked.neg(), reduction);
}

/**
 * Cross-entropy from logits [N, C] and class indices.
 *
 * @example
 * crossEntropy(tensor([[0, 0]], { dtype: 'float64' }), [1]).item(); // 0.6931471805599453
 */
export function crossEntropy(logits: Tensor, target: readonly number[] | Tensor, reduction: Reduction = 'mean'): Tensor {
  const x = checkLogits('crossEntropy', logits);
  return nll('crossEntropy', x.logSoftmax(1), target, reduction);
}

/**
 * Binary cross-entropy from logits and targets in [0, 1] of the same shape.
 *
 * @example
 * bceWithLogits(tensor([0], { dtype: 'float64' }), tensor([1], { dtype: 'float64' })).item(); // 0.6931471805599453
 */
export function bceWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const [x, y] = checkSameShape('bceWithLogits', logits, target);
  const softplusOfMinusAbs = x.abs().neg().exp().add(1).log();
  return reduce('bceWithLogits', x.relu().sub(x.mul(y)).add(softplusOfMinusAbs), reduction);
}

