// Training smoke tests: small, fast, on the CPU backend. Each network must reduce its loss.
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, randn, tensor } from '@skipgrad/autograd';
import { Adam, type MLPKind, crossEntropy, mlp } from '../src/index.js';

/** Two interleaved spirals: a problem a linear model cannot solve. */
function spirals(n: number, g: Generator): { x: Tensor; y: number[] } {
  const points: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = (i / n) * 2 * Math.PI;
    const r = 0.2 + t / (2 * Math.PI);
    points.push(r * Math.cos(t + c * Math.PI) + 0.02 * g.normal(), r * Math.sin(t + c * Math.PI) + 0.02 * g.normal());
    labels.push(c);
  }
  return { x: tensor(Float32Array.from(points), { shape: [n, 2] }), y: labels };
}

describe('training reduces the loss', () => {
  for (const kind of ['plain', 'residual', 'highway', 'dense'] as MLPKind[]) {
    it(`${kind} MLP on two spirals`, () => {
      const g = new Generator(7);
      const { x, y } = spirals(64, g);
      const net = mlp({ inFeatures: 2, width: 16, depth: 4, classes: 2, kind, activation: 'tanh', generator: g });
      const opt = new Adam(net.parameters(), { lr: 0.02 });
      const losses: number[] = [];
      for (let step = 0; step < 50; step++) {
        opt.zeroGrad();
        const loss = crossEntropy(net.forward(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    });
  }

  it('a batch of random data is memorised by a residual MLP with Adam', () => {
    const g = new Generator(11);
    const x = randn([16, 8], { generator: g });
    const y = Array.from({ length: 16 }, (_, i) => i % 3);
    const net = mlp({
      inFeatures: 8,
      width: 32,
      depth: 3,
      classes: 3,
      kind: 'residual',
      activation: 'relu',
      generator: g,
    });
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    let loss = Infinity;
    for (let step = 0; step < 150; step++) {
      opt.zeroGrad();
      const l = crossEntropy(net.forward(x), y);
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.05);
  });
});
