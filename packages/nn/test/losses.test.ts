import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, gradcheck, randn, tensor } from '@skipgrad/autograd';
import { bceWithLogits, crossEntropy, mseLoss, nllLoss } from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number): Tensor => randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });

describe('losses', () => {
  it('mse: mean, sum and none', () => {
    const p = tensor([1, 2, 4], f64);
    const t = tensor([1, 0, 1], f64);
    expect(mseLoss(p, t).item()).toBeCloseTo(13 / 3, 14);
    expect(mseLoss(p, t, 'sum').item()).toBe(13);
    expect(mseLoss(p, t, 'none').toArray()).toEqual([0, 4, 9]);
    gradcheck((p) => mseLoss(p, t), [rnd([3], 1)]);
    expect(() => mseLoss(p, tensor([1], f64))).toThrow(/mseLoss: argument 'target' expected shape \[3\] \(the prediction's\), got \[1\]/);
    expect(() => mseLoss(p, t, 'avg' as never)).toThrow(/argument 'reduction' expected 'mean', 'sum' or 'none', got "avg"/);
  });

  it("cross-entropy from logits equals −log softmax at the target, and is stable", () => {
    const logits = tensor([[2, 1, 0.5], [0, 0, 0]], f64);
    const manual = (row: number[], c: number): number => -Math.log(Math.exp(row[c]!) / row.reduce((s, v) => s + Math.exp(v), 0));
    expect(crossEntropy(logits, [0, 2]).item()).toBeCloseTo((manual([2, 1, 0.5], 0) + manual([0, 0, 0], 2)) / 2, 14);
    expect(crossEntropy(tensor([[1000, 0]], f64), [1]).item()).toBeCloseTo(1000, 10);
    gradcheck((x) => crossEntropy(x, [1, 0, 3]), [rnd([3, 4], 2)]);
    expect(nllLoss(logits.logSoftmax(1), tensor([0, 2], f64)).item()).toBeCloseTo(crossEntropy(logits, [0, 2]).item(), 14);
    expect(() => crossEntropy(logits, [0, 3])).toThrow(/crossEntropy: argument 'target\[1\]' expected a class index in \[0, 3\), got 3/);
    expect(() => crossEntropy(logits, [0])).toThrow(/expected 2 class indices/);
    expect(() => crossEntropy(tensor([1, 2]), [0])).toThrow(/argument 'input' expected a Tensor of shape \[N, C\]/);
  });

  it('binary cross-entropy with logits matches the naive formula and survives large logits', () => {
    const x = tensor([-2, 0.5, 3], f64);
    const y = tensor([0, 1, 0.25], f64);
    const naive = [-2, 0.5, 3].map((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      const t = [0, 1, 0.25][i]!;
      return -(t * Math.log(s) + (1 - t) * Math.log(1 - s));
    });
    expect(bceWithLogits(x, y).item()).toBeCloseTo(naive.reduce((a, b) => a + b, 0) / 3, 14);
    expect(bceWithLogits(tensor([1000, -1000], f64), tensor([0, 1], f64), 'none').toArray()).toEqual([1000, 1000]);
    gradcheck((x) => bceWithLogits(x, y), [rnd([3], 3)]);
  });
});
