/**
 * The playground's model and training loop, free of the DOM so that it is tested in Node: the
 * network the configuration asks for, one training step at a time (Adam on cross-entropy over a
 * random batch), the gradient norm of every layer after each step — the vanishing gradient of a
 * deep plain net, its absence with skips — and the class probabilities over a grid for the
 * decision boundary.
 */
import { Generator, noGrad, tensor } from '@skipgrad/autograd';
import { Adam, Linear, type Module, ReLU, ReZero, Sequential, Tanh, crossEntropy, mlp } from '@skipgrad/nn';
import type { PlaygroundConfig } from './config.js';
import { type Points, makeData } from './data.js';

/** The network for a configuration: an MLP 2 → width × depth → 2 with the chosen skips. */
export function buildNetwork(c: PlaygroundConfig): Sequential {
  const generator = new Generator(c.seed);
  if (c.skip !== 'rezero') {
    return mlp({ inFeatures: 2, width: c.width, depth: c.depth, classes: 2, kind: c.skip, activation: c.activation, init: c.init, generator });
  }
  const act = (): Module => (c.activation === 'relu' ? new ReLU() : new Tanh());
  const linear = (i: number, o: number): Linear => new Linear(i, o, { init: c.init, generator });
  const blocks = Array.from({ length: c.depth - 1 }, () => new ReZero(new Sequential(linear(c.width, c.width), act())));
  return new Sequential(linear(2, c.width), act(), ...blocks, linear(c.width, 2));
}

export interface StepResult { loss: number; ms: number; gradNorms: number[]; accuracy: number }

export class Trainer {
  readonly network: Sequential;
  readonly data: Points;
  readonly layers: string[];
  private readonly optimizer: Adam;
  private readonly batches: Generator;
  steps = 0;

  constructor(readonly config: PlaygroundConfig) {
    this.network = buildNetwork(config);
    this.data = makeData(config.dataset, 400, config.noise, config.seed + 1);
    this.optimizer = new Adam(this.network.parameters(), { lr: config.lr });
    this.batches = new Generator(config.seed + 2);
    this.layers = [...this.network.namedParameters()].filter(([n]) => n.endsWith('weight') && !n.endsWith('gate.weight')).map(([n]) => n);
  }

  /** One step on a random batch: loss, time, each layer's ‖∂L/∂W‖, and the batch's accuracy. */
  step(): StepResult {
    const started = performance.now();
    const n = Math.min(this.config.batch, this.data.count);
    const rows = Array.from({ length: n }, () => Math.floor(this.batches.uniform() * this.data.count));
    const x = tensor(Float32Array.from(rows.flatMap((r) => [this.data.x[2 * r]!, this.data.x[2 * r + 1]!])), { shape: [n, 2] });
    const y = rows.map((r) => this.data.labels[r]!);
    this.optimizer.zeroGrad();
    const logits = this.network.forward(x);
    const loss = crossEntropy(logits, y);
    const value = loss.item();
    loss.backward();
    const params = new Map(this.network.namedParameters());
    const gradNorms = this.layers.map((name) => {
      const g = params.get(name)!.grad;
      return g ? Math.sqrt(g.mul(g).sum().item()) : 0;
    });
    this.optimizer.step();
    this.steps++;
    const predicted = (logits.toArray() as number[][]).map((row) => (row[1]! > row[0]! ? 1 : 0));
    const accuracy = predicted.filter((p, i) => p === y[i]).length / n;
    return { loss: value, ms: performance.now() - started, gradNorms, accuracy };
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
      const p = this.network.forward(tensor(cells, { shape: [side * side, 2] })).softmax(1).narrow(1, 1, 1);
      this.network.train();
      return Float32Array.from(p.data.toTypedArray());
    });
  }
}
