import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, gradcheck, randn, tensor } from '@skipgrad/autograd';
import { bceWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss, smoothL1Loss } from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number): Tensor =>
  randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });

describe('losses', () => {
  it('mse: mean, sum and none', () => {
    const p = tensor([1, 2, 4], f64);
    const t = tensor([1, 0, 1], f64);
    expect(mseLoss(p, t).item()).toBeCloseTo(13 / 3, 14);
    expect(mseLoss(p, t, 'sum').item()).toBe(13);
    expect(mseLoss(p, t, 'none').toArray()).toEqual([0, 4, 9]);
    gradcheck((p) => mseLoss(p, t), [rnd([3], 1)]);
    expect(() => mseLoss(p, tensor([1], f64))).toThrow(
      /mseLoss: argument 'target' expected shape \[3\] \(the prediction's\), got \[1\]/,
    );
    expect(() => mseLoss(p, t, 'avg' as never)).toThrow(
      /argument 'reduction' expected 'mean', 'sum' or 'none', got "avg"/,
    );
  });

  it('cross-entropy from logits equals −log softmax at the target, and is stable', () => {
    const logits = tensor(
      [
        [2, 1, 0.5],
        [0, 0, 0],
      ],
      f64,
    );
    const manual = (row: number[], c: number): number =>
      -Math.log(Math.exp(row[c]!) / row.reduce((s, v) => s + Math.exp(v), 0));
    expect(crossEntropy(logits, [0, 2]).item()).toBeCloseTo((manual([2, 1, 0.5], 0) + manual([0, 0, 0], 2)) / 2, 14);
    expect(crossEntropy(tensor([[1000, 0]], f64), [1]).item()).toBeCloseTo(1000, 10);
    gradcheck((x) => crossEntropy(x, [1, 0, 3]), [rnd([3, 4], 2)]);
    expect(nllLoss(logits.logSoftmax(1), tensor([0, 2], f64)).item()).toBeCloseTo(
      crossEntropy(logits, [0, 2]).item(),
      14,
    );
    expect(() => crossEntropy(logits, [0, 3])).toThrow(
      /crossEntropy: argument 'target\[1\]' expected a class index in \[0, 3\), got 3/,
    );
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

  it('cross-entropy options: weights, ignoreIndex, label smoothing, spatial inputs, probability targets — against their definitions', () => {
    const x = rnd([4, 3], 20);
    const logp = x.logSoftmax(1).toArray() as number[][];
    const w = [0.5, 2, 1];
    const y = [2, 0, 1, 0];
    // weighted mean with sample 2 ignored: Σ −w_y·logp / Σ w_y over the rest
    const kept = [0, 1, 3];
    const expected =
      kept.reduce((p, n) => p - w[y[n]!]! * logp[n]![y[n]!]!, 0) / kept.reduce((p, n) => p + w[y[n]!]!, 0);
    expect(crossEntropy(x, y, { weight: tensor(w, f64), ignoreIndex: 1 }).item()).toBeCloseTo(expected, 13);
    // label smoothing toward the uniform distribution is cross-entropy against probability targets
    const eps = 0.3;
    const soft = tensor(
      y.map((c) => [0, 1, 2].map((k) => (k === c ? 1 - eps : 0) + eps / 3)),
      f64,
    );
    expect(crossEntropy(x, y, { labelSmoothing: eps }).item()).toBeCloseTo(crossEntropy(x, soft).item(), 13);
    // spatial [N, C, H, W]: the same as moving the classes last and flattening the positions
    const img = rnd([2, 3, 2, 2], 21);
    const targets = tensor(
      [
        [
          [0, 1],
          [2, 2],
        ],
        [
          [1, 0],
          [0, 2],
        ],
      ],
      f64,
    );
    const rows = img.permute([0, 2, 3, 1]).reshape([-1, 3]);
    expect(crossEntropy(img, targets).item()).toBeCloseTo(
      crossEntropy(rows, Array.from(targets.data.toTypedArray())).item(),
      13,
    );
    expect(crossEntropy(img, targets, 'none').shape).toEqual([2, 2, 2]);
    gradcheck((a) => crossEntropy(a, targets, { labelSmoothing: 0.1, weight: tensor(w, f64), ignoreIndex: 2 }), [img]);
    gradcheck((a) => crossEntropy(a, soft, { weight: tensor(w, f64) }), [rnd([4, 3], 22)]);
    expect(crossEntropy(x, [1, 1, 1, 1], { ignoreIndex: 1 }).item()).toBeNaN(); // 0/0, as PyTorch
    expect(nllLoss(x.logSoftmax(1), y, { weight: tensor(w, f64), reduction: 'sum' }).item()).toBeCloseTo(
      y.reduce((p, c, n) => p - w[c]! * logp[n]![c]!, 0),
      13,
    );
  });

  it('cross-entropy and nll refuse bad options by name', () => {
    const x = tensor([[1, 2, 3]], f64);
    expect(() => crossEntropy(x, [0], { labelSmoothing: 1 })).toThrow(
      /crossEntropy: argument 'labelSmoothing' expected a number in \[0, 1\), got 1/,
    );
    expect(() => crossEntropy(x, [0], { ignoreIndex: -1 })).toThrow(
      /crossEntropy: argument 'ignoreIndex' expected a class index >= 0, or -100 \(the default: none ignored\), got -1/,
    );
    expect(() => crossEntropy(x, [0], { weight: tensor([1, 2], f64) })).toThrow(
      /crossEntropy: argument 'weight' expected a Tensor of shape \[3\] \(one weight per class\), got shape \[2\]/,
    );
    expect(() => crossEntropy(x, tensor([[0.2, 0.3, 0.5]], f64), { ignoreIndex: 0 })).toThrow(
      /argument 'ignoreIndex' expected no ignoreIndex with probability targets/,
    );
    expect(() => crossEntropy(x, [3])).toThrow(
      /crossEntropy: argument 'target\[0\]' expected a class index in \[0, 3\), got 3/,
    );
    expect(() => crossEntropy(x, [5], { ignoreIndex: 4 })).toThrow(
      /a class index in \[0, 3\) or the ignoreIndex 4, got 5/,
    );
    expect(() => crossEntropy(x, [0, 1])).toThrow(
      /argument 'target' expected 1 class indices \(an array or a tensor\), got 2 values/,
    );
    expect(() => crossEntropy(tensor([1, 2], f64), [0])).toThrow(
      /crossEntropy: argument 'input' expected a Tensor of shape \[N, C\] or \[N, C, d₁, …\]/,
    );
    expect(() => nllLoss(x, [0], 'avg' as never)).toThrow(
      /nllLoss: argument 'reduction' expected 'mean', 'sum' or 'none', got "avg"/,
    );
    expect(() => crossEntropy(x, [0], null as never)).toThrow(/crossEntropy: argument 'options' expected a reduction/);
  });

  it('bceWithLogits posWeight and weight, against the naive formula', () => {
    const x = tensor(
      [
        [-2, 0.5],
        [3, -0.1],
      ],
      f64,
    );
    const y = tensor(
      [
        [1, 0],
        [0.3, 1],
      ],
      f64,
    );
    const p = [2, 0.5];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const xs = x.toArray() as number[][];
    const ys = y.toArray() as number[][];
    const naive = xs.flatMap((row, i) =>
      row.map((v, j) => -(p[j]! * ys[i]![j]! * Math.log(sig(v)) + (1 - ys[i]![j]!) * Math.log(1 - sig(v))) * (i + 1)),
    );
    expect(
      bceWithLogits(x, y, { posWeight: tensor(p, f64), weight: tensor([[1], [2]], f64), reduction: 'none' }).toArray(),
    ).toEqual([naive.slice(0, 2), naive.slice(2)].map((r) => r.map((v) => expect.closeTo(v, 13))));
    gradcheck((a) => bceWithLogits(a, y, { posWeight: tensor(p, f64) }), [rnd([2, 2], 23)]);
    expect(() => bceWithLogits(x, y, { posWeight: [2, 1] as never })).toThrow(
      /bceWithLogits: argument 'posWeight' expected a Tensor that broadcasts to the logits/,
    );
  });

  it('l1, smooth L1 and Huber: quadratic inside, linear outside, their gradients; bad scales refused', () => {
    const p = tensor([0, 0.2, 3, -4], f64);
    const t = tensor([0.5, 0, 0, 0], f64);
    expect(l1Loss(p, t, 'none').toArray()).toEqual([0.5, 0.2, 3, 4]);
    expect(smoothL1Loss(p, t, { reduction: 'none', beta: 1 }).toArray()).toEqual(
      [0.125, 0.02, 2.5, 3.5].map((v) => expect.closeTo(v, 14)),
    );
    expect(huberLoss(p, t, { reduction: 'none', delta: 2 }).toArray()).toEqual(
      [0.125, 0.02, 4, 6].map((v) => expect.closeTo(v, 14)),
    );
    expect(smoothL1Loss(p, t, { beta: 0 }).item()).toBeCloseTo(l1Loss(p, t).item(), 14);
    // Huber with δ is δ × smooth L1 with β = δ
    expect(huberLoss(p, t, { delta: 0.7 }).item()).toBeCloseTo(0.7 * smoothL1Loss(p, t, { beta: 0.7 }).item(), 14);
    for (const fn of [
      (a: Tensor) => l1Loss(a, t),
      (a: Tensor) => smoothL1Loss(a, t, { beta: 0.5 }),
      (a: Tensor) => huberLoss(a, t, { delta: 1.5 }),
    ]) {
      gradcheck(fn, [tensor([0.9, 0.3, 3, -4], { ...f64, requiresGrad: true })]);
    }
    expect(() => smoothL1Loss(p, t, { beta: -1 })).toThrow(
      /smoothL1Loss: argument 'beta' expected a finite number >= 0, got -1/,
    );
    expect(() => huberLoss(p, t, { delta: 0 })).toThrow(
      /huberLoss: argument 'delta' expected a finite number > 0, got 0/,
    );
    expect(() => l1Loss(p, tensor([1], f64))).toThrow(
      /l1Loss: argument 'target' expected shape \[4\] \(the prediction's\), got \[1\]/,
    );
  });
});
