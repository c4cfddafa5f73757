/**
 * Two-class 2-D data sets, as TensorFlow Playground has them, drawn from a seeded generator so a
 * link replays the same points: two interleaved spirals, a disc inside a ring, and the XOR quadrants.
 * Points lie in [−1, 1]²; labels are 0 or 1.
 */
import { Generator } from '@skipgrad/tensor';
import type { PlaygroundConfig } from './config.js';

export interface Points {
  x: Float32Array;
  labels: number[];
  count: number;
}

export function makeData(
  kind: Exclude<PlaygroundConfig['dataset'], 'digits'>,
  count: number,
  noise: number,
  seed: number,
): Points {
  const g = new Generator(seed);
  const x = new Float32Array(2 * count);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    let [a, b] = [0, 0];
    if (kind === 'spirals') {
      const t = (i / count) * 3 * Math.PI + 0.3;
      const r = t / (3 * Math.PI + 0.3);
      const angle = t + label * Math.PI;
      [a, b] = [r * Math.cos(angle), r * Math.sin(angle)];
    } else if (kind === 'circles') {
      const r = label === 0 ? 0.45 * g.uniform() : 0.65 + 0.3 * g.uniform();
      const angle = 2 * Math.PI * g.uniform();
      [a, b] = [r * Math.cos(angle), r * Math.sin(angle)];
    } else {
      [a, b] = [2 * g.uniform() - 1, 2 * g.uniform() - 1];
      labels.push(a * b > 0 ? 1 : 0);
    }
    x[2 * i] = a + noise * g.normal();
    x[2 * i + 1] = b + noise * g.normal();
    if (kind !== 'xor') labels.push(label);
  }
  return { x, labels, count };
}
