/**
 * What every experiment shares: turning digits into batches, the one training loop (`train`:
 * it records a loss curve, and stops, marked diverged, if the loss stops being a number), a
 * classifier's run of it (`trainClassifier`), and evaluation.
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

/** What one training run needs besides its data: shared by every experiment's loop. */
export interface LoopOptions {
  model: Module;
  optimizer: Optimizer;
  steps: number;
  logEvery: number;
  progress?: Progress;
  /** Rescale the gradients to at most this norm before each step (clipGradNorm). */
  clipNorm?: number;
  /** Called after each optimizer step (a learning-rate schedule, recording a learned scale). */
  afterStep?: (step: number) => void;
}

export interface TrainOptions extends LoopOptions {
  data: Digits;
  layout: 'flat' | 'image';
  batch: number;
  generator: Generator;
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

/** One step's batch and how it is scored: `loss` is minimised, `metric` (optional) recorded beside it. */
export interface Task<Target> {
  nextBatch(): { x: Tensor; y: Target };
  loss(output: Tensor, y: Target): Tensor;
  metric?(output: Tensor, y: Target): number;
  /** More for the progress line after the step's loss (e.g. the epoch). */
  note?(step: number): string;
}

export interface LoopResult {
  /** The mean loss, and the mean metric (when the task has one), over each logged stretch. */
  loss: Curve;
  metric: Curve;
  divergedAt: number | null;
}

/**
 * The lab's one training loop: forward, loss, backward, (clip,) step — recording the loss and
 * the task's metric every `logEvery` steps, and stopping, marked diverged, when the loss stops
 * being a number. The caller finishes the progress line (it may have more to say).
 */
export function train<Target>(o: LoopOptions, task: Task<Target>): LoopResult {
  const result: LoopResult = { loss: { step: [], value: [] }, metric: { step: [], value: [] }, divergedAt: null };
  let lossSum = 0;
  let metricSum = 0;
  let since = 0;
  o.model.train();
  for (let step = 1; step <= o.steps; step++) {
    const { x, y } = task.nextBatch();
    o.optimizer.zeroGrad();
    const output = o.model.forward(x);
    const loss = task.loss(output, y);
    const value = loss.item(); // read once: each read copies it to the host
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
    if (task.metric) metricSum += task.metric(output, y);
    since++;
    if (step % o.logEvery === 0 || step === o.steps) {
      result.loss.step.push(step);
      result.loss.value.push(lossSum / since);
      if (task.metric) {
        result.metric.step.push(step);
        result.metric.value.push(metricSum / since);
      }
      lossSum = metricSum = since = 0;
    }
    o.progress?.tick(1, `loss ${value.toFixed(3)}${task.note ? `  ${task.note(step)}` : ''}`);
  }
  return result;
}

/** Trains a classifier on digits with cross-entropy, recording loss and error every `logEvery` steps. */
export function trainClassifier(o: TrainOptions): TrainResult {
  const batches = minibatches(o.data.count, Math.min(o.batch, o.data.count), o.generator);
  const r = train(o, {
    nextBatch: () => batchOf(o.data, batches.next().value as number[], o.layout),
    loss: crossEntropy,
    metric: errorRate,
    note: (step) => `epoch ${((step * o.batch) / o.data.count).toFixed(1)}`,
  });
  if (r.divergedAt === null) o.progress?.finish(`loss ${r.loss.value.at(-1)?.toFixed(3) ?? '—'}`);
  return { loss: r.loss, error: r.metric, divergedAt: r.divergedAt };
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
