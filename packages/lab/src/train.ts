/**
 * What every experiment shares: turning digits into batches, a training loop that records a
 * loss curve (and stops, marked diverged, if the loss stops being a number), and evaluation.
 */
import { type Tensor, noGrad, tensor } from '@skipgrad/autograd';
import { type Module, type Optimizer, clipGradNorm, crossEntropy } from '@skipgrad/nn';
import type { Generator } from '@skipgrad/tensor';
import { type Digits, permutation } from './data/digits.js';
import type { Progress } from './progress.js';

/** A curve: values at training steps (each value the mean over the steps since the last point). */
export interface Curve {
  step: number[];
  value: number[];
}

/** Images as a batch: [n, side²] for an MLP, [n, 1, side, side] for a CNN. */
export function batchOf(d: Digits, indices: readonly number[], layout: 'flat' | 'image'): { x: Tensor; y: number[] } {
  const size = d.side * d.side;
  const data = new Float32Array(indices.length * size);
  indices.forEach((from, to) => data.set(d.images.subarray(from * size, (from + 1) * size), to * size));
  const shape = layout === 'flat' ? [indices.length, size] : [indices.length, 1, d.side, d.side];
  return { x: tensor(data, { shape }), y: indices.map((i) => d.labels[i]!) };
}

/** Endless shuffled minibatches: every image once per epoch, in a new seeded order each epoch. */
export function* minibatches(count: number, batch: number, g: Generator): IterableIterator<number[]> {
  for (;;) {
    const order = permutation(count, g);
    for (let at = 0; at + batch <= count; at += batch) yield order.slice(at, at + batch);
  }
}

export interface TrainResult {
  loss: Curve;
  /** Fraction of each logged stretch's training examples classified wrong. */
  error: Curve;
  /** The step at which the loss became NaN or infinite, else null. */
  divergedAt: number | null;
}

export interface TrainOptions {
  model: Module;
  optimizer: Optimizer;
  data: Digits;
  layout: 'flat' | 'image';
  steps: number;
  batch: number;
  logEvery: number;
  generator: Generator;
  progress?: Progress;
  /** Rescale the gradients to at most this norm before each step (clipGradNorm). */
  clipNorm?: number;
  /** Called after each optimizer step (a learning-rate schedule, recording a learned scale). */
  afterStep?: (step: number) => void;
}

/** The fraction of rows of `logits` whose largest entry is not the label. */
export function errorRate(logits: Tensor, labels: readonly number[]): number {
  const rows = logits.toArray() as number[][];
  let wrong = 0;
  rows.forEach((row, i) => {
    if (row.indexOf(Math.max(...row)) !== labels[i]) wrong++;
  });
  return rows.length === 0 ? 0 : wrong / rows.length;
}

/** Trains a classifier with cross-entropy, recording loss and error every `logEvery` steps. */
export function trainClassifier(o: TrainOptions): TrainResult {
  const result: TrainResult = { loss: { step: [], value: [] }, error: { step: [], value: [] }, divergedAt: null };
  const batches = minibatches(o.data.count, Math.min(o.batch, o.data.count), o.generator);
  let lossSum = 0;
  let errorSum = 0;
  let since = 0;
  o.model.train();
  for (let step = 1; step <= o.steps; step++) {
    const { x, y } = batchOf(o.data, batches.next().value as number[], o.layout);
    o.optimizer.zeroGrad();
    const logits = o.model.forward(x);
    const loss = crossEntropy(logits, y);
    const value = loss.item();
    if (!Number.isFinite(value)) {
      result.divergedAt = step;
      o.progress?.finish(`diverged at step ${step}`);
      return result;
    }
    loss.backward();
    if (o.clipNorm !== undefined) clipGradNorm(o.model.parameters(), o.clipNorm);
    o.optimizer.step();
    o.afterStep?.(step);
    lossSum += value;
    errorSum += errorRate(logits, y);
    since++;
    if (step % o.logEvery === 0 || step === o.steps) {
      result.loss.step.push(step);
      result.loss.value.push(lossSum / since);
      result.error.step.push(step);
      result.error.value.push(errorSum / since);
      lossSum = errorSum = since = 0;
    }
    o.progress?.tick(1, `loss ${value.toFixed(3)}  epoch ${((step * o.batch) / o.data.count).toFixed(1)}`);
  }
  o.progress?.finish(`loss ${result.loss.value.at(-1)?.toFixed(3) ?? '—'}`);
  return result;
}

/** Mean loss and accuracy over the first `count` images of `d`, in evaluation mode, no graph. */
export function evaluate(
  model: Module,
  d: Digits,
  layout: 'flat' | 'image',
  count = d.count,
  batch = 250,
): { loss: number; accuracy: number } {
  model.eval();
  const n = Math.min(count, d.count);
  let loss = 0;
  let wrong = 0;
  noGrad(() => {
    for (let at = 0; at < n; at += batch) {
      const indices = Array.from({ length: Math.min(batch, n - at) }, (_, i) => at + i);
      const { x, y } = batchOf(d, indices, layout);
      const logits = model.forward(x);
      loss += crossEntropy(logits, y, 'sum').item();
      wrong += errorRate(logits, y) * indices.length;
    }
  });
  model.train();
  return { loss: loss / n, accuracy: 1 - wrong / n };
}

/** ‖∂L/∂θ‖ over a list of parameters (Frobenius norm of all their gradients together; 0 where none arrived). */
export function gradNorm(parameters: Iterable<Tensor>): number {
  let squares = 0;
  for (const p of parameters) if (p.grad) squares += p.grad.mul(p.grad).sum().item();
  return Math.sqrt(squares);
}

/** A generator seeded from the run's seed and a label, so each model's draws are independent of the others'. */
export function seedFor(seed: number, ...label: (string | number)[]): number {
  // FNV-1a over the label, mixed with the seed: stable across runs and platforms.
  let h = 0x811c9dc5 ^ seed;
  for (const ch of label.join('/')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h >>> 0;
}
