// Golden values from PyTorch 1.13 (scripts/pytorch/op-fixtures.py, float64): each case's output
// and the gradient of <g, output> with respect to each input, compared at 1e-10. The fixture is
// data; regenerating it is one command (see the script).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import {
  Tensor,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  argmax,
  interpolate,
  maxPool2dWithIndices,
  argmin,
  conv1d,
  conv2d,
  padWith,
  convTranspose2d,
  elu,
  gelu,
  grad,
  hardtanh,
  leakyRelu,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maxPool2d,
  avgPool2d,
  min,
  silu,
  softmax,
  softplus,
  std,
  unfold,
  upsampleNearest,
  variance,
} from '@skipgrad/autograd';
import {
  BatchNorm2d,
  GroupNorm,
  InstanceNorm2d,
  LayerNorm,
  bceWithLogits,
  crossEntropy,
  huberLoss,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from '@skipgrad/nn';

interface Json {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  inputs: Json[];
  output: Json;
  wrt: number[];
  g?: Json;
  grads?: Json[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/pytorch-ops.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};
const toTensor = (j: Json, requiresGrad = false): Tensor =>
  new Tensor(new NDArray(Float64Array.from(j.data), j.shape), { requiresGrad });
const labels = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
type Fn = (...x: Tensor[]) => Tensor;

/** The skipgrad call for each case of the script, by its name. */
const CALLS: Record<string, Fn> = {
  'amax dims [0, 2]': (a) => max(a!, [0, 2]),
  'amin dim 1 keepdim': (a) => min(a!, 1, true),
  'amin all': (a) => min(a!),
  'argmax dim 1': (a) => argmax(a!, 1),
  'argmin dim 0 keepdim': (a) => argmin(a!, 0, true),
  'argmax flat': (a) => argmax(a!),
  'var dim 1': (a) => variance(a!, 1),
  'var all correction 0': (a) => variance(a!, undefined, { correction: 0 }),
  'std dims [0, 2] keepdim': (a) => std(a!, [0, 2], { keepdim: true }),
  'logsumexp dim 1': (a) => logSumExp(a!, 1),
  silu: (a) => silu(a!),
  'leaky_relu 0.1': (a) => leakyRelu(a!, 0.1),
  'elu 0.7': (a) => elu(a!, 0.7),
  'softplus beta 2 threshold 5': (a) => softplus(a!, 2, 5),
  'hardtanh -0.5 0.8': (a) => hardtanh(a!, -0.5, 0.8),
  gelu: (a) => gelu(a!),
  'gelu tanh': (a) => gelu(a!, { approximate: 'tanh' }),
  'softmax dim 1': (a) => softmax(a!, 1),
  'log_softmax dim 0': (a) => logSoftmax(a!, 0),
  sigmoid: (a) => a!.sigmoid(),
  tanh: (a) => a!.tanh(),
  'conv2d stride 2 padding 1 dilation 2 groups 2': (x, w, b) =>
    conv2d(x!, w!, b!, { stride: 2, padding: 1, dilation: 2, groups: 2 }),
  'conv_transpose2d stride 2 padding 1 output_padding 1': (x, w, b) =>
    convTranspose2d(x!, w!, b!, { stride: 2, padding: 1, outputPadding: 1 }),
  'conv2d padding same kernel 2x3 dilation (1, 2)': (x, w, b) =>
    conv2d(x!, w!, b!, { padding: 'same', dilation: [1, 2] }),
  'conv1d stride 2 padding 1 groups 2': (x, w, b) => conv1d(x!, w!, b!, { stride: 2, padding: 1, groups: 2 }),
  'conv1d padding same dilation 2 kernel 4': (x, w) => conv1d(x!, w!, null, { padding: 'same', dilation: 2 }),
  'pad reflect': (x) =>
    padWith(
      x!,
      [
        [0, 0],
        [0, 0],
        [1, 2],
        [2, 1],
      ],
      'reflect',
    ),
  'pad replicate': (x) =>
    padWith(
      x!,
      [
        [0, 0],
        [0, 0],
        [1, 2],
        [3, 0],
      ],
      'replicate',
    ),
  'pad circular': (x) =>
    padWith(
      x!,
      [
        [0, 0],
        [0, 0],
        [1, 0],
        [2, 3],
      ],
      'circular',
    ),
  'max_pool2d 3 stride 2 padding 1': (x) => maxPool2d(x!, 3, { stride: 2, padding: 1 }),
  'avg_pool2d 2 stride 1 padding 1': (x) => avgPool2d(x!, 2, { stride: 1, padding: 1 }),
  'adaptive_avg_pool2d (3, 2)': (x) => adaptiveAvgPool2d(x!, [3, 2]),
  'upsample nearest 2': (x) => upsampleNearest(x!, 2),
  'max_pool2d 3 stride 2 ceil_mode': (x) => maxPool2d(x!, 3, { stride: 2, ceilMode: true }),
  'avg_pool2d 3 stride 2 padding 1 ceil_mode': (x) => avgPool2d(x!, 3, { stride: 2, padding: 1, ceilMode: true }),
  'avg_pool2d 3 stride 2 padding 1 count_include_pad False': (x) =>
    avgPool2d(x!, 3, { stride: 2, padding: 1, countIncludePad: false }),
  'avg_pool2d 2 ceil_mode count_include_pad False': (x) => avgPool2d(x!, 2, { ceilMode: true, countIncludePad: false }),
  'adaptive_max_pool2d (3, 2)': (x) => adaptiveMaxPool2d(x!, [3, 2]),
  'max_pool2d indices': (x) => maxPool2dWithIndices(x!, 2, { stride: 2, padding: 1 }).indices,
  'interpolate nearest size (5, 7)': (x) => interpolate(x!, { size: [5, 7] }),
  'interpolate nearest scale 1.5': (x) => interpolate(x!, { scaleFactor: 1.5 }),
  'interpolate bilinear size (5, 3) align_corners': (x) =>
    interpolate(x!, { size: [5, 3], mode: 'bilinear', alignCorners: true }),
  'interpolate bilinear scale 1.7': (x) => interpolate(x!, { scaleFactor: 1.7, mode: 'bilinear' }),
  'interpolate bilinear size (7, 2)': (x) => interpolate(x!, { size: [7, 2], mode: 'bilinear' }),
  'unfold 2x3 stride 1 padding 1': (x) => unfold(x!, [2, 3], { padding: 1 }),
  'layer_norm [4, 5]': (x, w, b) =>
    new LayerNorm([4, 5], { affine: false, dtype: 'float64' }).forward(x!).mul(w!).add(b!),
  'batch_norm training': (x, w, b) =>
    new BatchNorm2d(3, { affine: false, dtype: 'float64' })
      .forward(x!)
      .mul(w!.reshape([3, 1, 1]))
      .add(b!.reshape([3, 1, 1])),
  'group_norm 2 groups': (x, w, b) =>
    new GroupNorm(2, 4, { affine: false, dtype: 'float64' })
      .forward(x!)
      .mul(w!.reshape([4, 1, 1]))
      .add(b!.reshape([4, 1, 1])),
  instance_norm: (x) => new InstanceNorm2d(3, { dtype: 'float64' }).forward(x!),
  cross_entropy: (x, y) => crossEntropy(x!, labels(y!)),
  'nll_loss sum': (x, y) => nllLoss(logSoftmax(x!, 1), labels(y!), 'sum'),
  mse_loss: (a, b) => mseLoss(a!, b!),
  binary_cross_entropy_with_logits: (x, t) => bceWithLogits(x!, t!),
  'cross_entropy weight ignore_index label_smoothing': (x, y, w) =>
    crossEntropy(x!, labels(y!), { weight: w, ignoreIndex: 1, labelSmoothing: 0.2 }),
  'cross_entropy spatial weight none': (x, y, w) => crossEntropy(x!, y!, { weight: w, reduction: 'none' }),
  'cross_entropy spatial label_smoothing mean': (x, y) => crossEntropy(x!, y!, { labelSmoothing: 0.1 }),
  'cross_entropy probabilities weight label_smoothing': (x, t, w) =>
    crossEntropy(x!, t!, { weight: w, labelSmoothing: 0.3 }),
  'nll_loss weight sum': (x, y, w) => nllLoss(logSoftmax(x!, 1), labels(y!), { weight: w, reduction: 'sum' }),
  'bce_with_logits pos_weight weight': (x, t, p, w) => bceWithLogits(x!, t!, { posWeight: p, weight: w }),
  l1_loss: (a, b) => l1Loss(a!, b!),
  'smooth_l1_loss beta 0.5': (a, b) => smoothL1Loss(a!, b!, { beta: 0.5 }),
  'huber_loss delta 1.5 sum': (a, b) => huberLoss(a!, b!, { delta: 1.5, reduction: 'sum' }),
  'matmul batched broadcast': (a, b) => matmul(a!, b!),
};

function expectClose(actual: Tensor, expected: Json, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const values = Array.from(actual.data.toTypedArray());
  const worst = values.reduce((w, v, i) => Math.max(w, Math.abs(v - expected.data[i]!)), 0);
  expect(worst, `${what}: largest difference from PyTorch`).toBeLessThan(1e-10);
}

describe(`PyTorch parity: ops (float64, golden values from PyTorch ${fixture.torch})`, () => {
  it('every case of the fixture has a skipgrad call, and every call a case', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inputs = c.inputs.map((j, i) => toTensor(j, c.wrt.includes(i)));
    const y = CALLS[c.name]!(...inputs);
    expectClose(y, c.output, 'output');
    if (c.g && c.grads) {
      const grads = grad(
        [y],
        c.wrt.map((i) => inputs[i]!),
        { gradOutputs: [toTensor(c.g)] },
      );
      grads.forEach((d, k) => expectClose(d!, c.grads![k]!, `gradient of input ${c.wrt[k]}`));
    }
  });
});
