/**
 * The playground's model and training loop, free of the DOM so that it is tested in Node: the
 * network the configuration asks for, one training step at a time (Adam on cross-entropy over a
 * random batch), the gradient norm of every layer after each step — the vanishing gradient of a
 * deep plain net, its absence with skips — and the class probabilities over a grid for the
 * decision boundary.
 */
import { Generator, SkipgradError, noGrad, tensor } from '@skipgrad/autograd';
import { Adam, Linear, type Module, ReLU, ReZero, Sequential, Tanh, crossEntropy, mlp } from '@skipgrad/nn';
import type { PlaygroundConfig } from './config.js';
import { type Points, makeData } from './data.js';
import type { DigitSet } from './digits.js';

/** The network for a configuration: an MLP in → width × depth → classes with the chosen skips (2 → 2 on points, 196 → 10 on digits). */
export function buildNetwork(c: PlaygroundConfig, inFeatures = 2, classes = 2): Sequential {
  const generator = new Generator(c.seed);
  if (c.skip !== 'rezero') {
    return mlp({
      inFeatures,
      width: c.width,
      depth: c.depth,
      classes,
      kind: c.skip,
      activation: c.activation,
      init: c.init,
      generator,
    });
  }
  const act = (): Module => (c.activation === 'relu' ? new ReLU() : new Tanh());
  const linear = (i: number, o: number): Linear => new Linear(i, o, { init: c.init, generator });
  const blocks = Array.from({ length: c.depth - 1 }, () => new ReZero(new Sequential(linear(c.width, c.width), act())));
  return new Sequential(linear(inFeatures, c.width), act(), ...blocks, linear(c.width, classes));
}

export interface StepResult {
  loss: number;
  ms: number;
  gradNorms: number[];
  accuracy: number;
}

export class Trainer {
  readonly network: Sequential;
  readonly data: Points;
  readonly layers: string[];
  private readonly optimizer: Adam;
  private readonly batches: Generator;
  steps = 0;

  /** On digits: their set (the page builds one in; the tests load the lab's). */
  readonly digits: DigitSet | null;
  private readonly features: number;

  constructor(
    readonly config: PlaygroundConfig,
    digits: DigitSet | null = null,
  ) {
    if (config.dataset === 'digits' && !digits)
      throw new SkipgradError('Trainer', 'digits', 'the digit set for the digits task', 'none');
    this.digits = config.dataset === 'digits' ? digits : null;
    this.features = this.digits ? this.digits.side ** 2 : 2;
    this.network = buildNetwork(config, this.features, this.digits ? 10 : 2);
    this.data = this.digits
      ? {
          x: this.digits.images.subarray(0, this.digits.train * this.features),
          labels: this.digits.labels.slice(0, this.digits.train),
          count: this.digits.train,
        }
      : makeData(config.dataset as Exclude<PlaygroundConfig['dataset'], 'digits'>, 400, config.noise, config.seed + 1);
    this.optimizer = new Adam(this.network.parameters(), { lr: config.lr });
    this.batches = new Generator(config.seed + 2);
    this.layers = [...this.network.namedParameters()]
      .filter(([n]) => n.endsWith('weight') && !n.endsWith('gate.weight'))
      .map(([n]) => n);
  }

  /** One step on a random batch: loss, time, each layer's ‖∂L/∂W‖, and the batch's accuracy. */
  step(): StepResult {
    const started = performance.now();
    const n = Math.min(this.config.batch, this.data.count);
    const rows = Array.from({ length: n }, () => Math.floor(this.batches.uniform() * this.data.count));
    const { loss, gradNorms, predicted, labels } = this.gradients(rows);
    this.optimizer.step();
    this.steps++;
    const accuracy = predicted.filter((p, i) => p === labels[i]).length / n;
    return { loss, ms: performance.now() - started, gradNorms, accuracy };
  }

  /**
   * The loss over the first (up to) 256 training examples and each layer's ‖∂L/∂W‖ for it, with
   * no update and no batch drawn: what the page shows as soon as a network is built (the
   * gradients at initialisation), the same for the same seed on any backend.
   */
  probe(): { loss: number; gradNorms: number[] } {
    const { loss, gradNorms } = this.gradients(Array.from({ length: Math.min(256, this.data.count) }, (_, i) => i));
    this.optimizer.zeroGrad();
    return { loss, gradNorms };
  }

  /** Forward and backward on these rows of the data: the loss, each layer's ‖∂L/∂W‖, the predicted classes. */
  private gradients(rows: number[]): { loss: number; gradNorms: number[]; predicted: number[]; labels: number[] } {
    const f = this.features;
    const batch = new Float32Array(rows.length * f);
    rows.forEach((r, i) => batch.set(this.data.x.subarray(r * f, (r + 1) * f), i * f));
    const labels = rows.map((r) => this.data.labels[r]!);
    this.optimizer.zeroGrad();
    const logits = this.network.forward(tensor(batch, { shape: [rows.length, f] }));
    const loss = crossEntropy(logits, labels);
    const value = loss.item();
    loss.backward();
    const params = new Map(this.network.namedParameters());
    const gradNorms = this.layers.map((name) => {
      const g = params.get(name)!.grad;
      return g ? Math.sqrt(g.mul(g).sum().item()) : 0;
    });
    const predicted = (logits.toArray() as number[][]).map((row) => row.indexOf(Math.max(...row)));
    return { loss: value, gradNorms, predicted, labels };
  }

  /** On digits: the predicted class of each held-out digit, and the fraction right. */
  evaluate(): { predicted: number[]; accuracy: number } {
    const d = this.digits!;
    const f = this.features;
    return noGrad(() => {
      this.network.eval();
      const logits = this.network
        .forward(tensor(d.images.slice(d.train * f), { shape: [d.test, f] }))
        .toArray() as number[][];
      this.network.train();
      const predicted = logits.map((row) => row.indexOf(Math.max(...row)));
      return { predicted, accuracy: predicted.filter((p, i) => p === d.labels[d.train + i]).length / d.test };
    });
  }

  /** P(class 1) on a side × side grid over [−1.2, 1.2]², row by row from the top. */
  boundary(side: number): Float32Array {
    const cells = new Float32Array(2 * side * side);
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        cells[2 * (i * side + j)] = -1.2 + (2.4 * (j + 0.5)) / side;
        cells[2 * (i * side + j) + 1] = 1.2 - (2.4 * (i + 0.5)) / side;
      }
    }
    return noGrad(() => {
      this.network.eval();
      const p = this.network
        .forward(tensor(cells, { shape: [side * side, 2] }))
        .softmax(1)
        .narrow(1, 1, 1);
      this.network.train();
      return Float32Array.from(p.data.toTypedArray());
    });
  }
}
