// The autograd ops a forward may call directly (not through a layer), each exported as a function
// of its inputs and run in ONNX Runtime: the same values as skipgrad's, to 1e-5.
import { describe, expect, it } from 'vitest';
import * as ag from '@skipgrad/autograd';
import { Generator, type Tensor, randn, tensor } from '@skipgrad/autograd';
import { exportOnnx } from '../src/index.js';
import { runOnnx } from './support.js';

const g = new Generator(21);
const t = (shape: number[]): Tensor => randn(shape, { generator: g });

const cases: [string, (...x: Tensor[]) => Tensor, Tensor[]][] = [
  [
    'sub, div, neg, pow with broadcasting',
    (a, b) => ag.pow(ag.div(ag.sub(a, b), b.abs().add(1)).neg().abs().add(0.5), 1.5),
    [t([2, 3]), t([3])],
  ],
  ['exp, log, sqrt, erf', (a) => ag.erf(ag.sqrt(ag.log(ag.exp(a).add(1)))), [t([4])]],
  [
    'sum, mean, max, min over axes',
    (a) => ag.add(ag.add(ag.sum(a, 1, true), ag.mean(a, [0, 1], true)), ag.sub(ag.max(a, 2, true), ag.min(a, 2, true))),
    [t([2, 3, 4])],
  ],
  ['sum and max of everything', (a) => ag.add(ag.sum(a), ag.max(a)), [t([2, 3])]],
  [
    'variance and std',
    (a) => ag.add(ag.variance(a, 1, { keepdim: true }), ag.std(a, 1, { keepdim: true, correction: 0 })),
    [t([3, 5])],
  ],
  ['argmax and argmin (as float indices)', (a) => ag.add(ag.argmax(a, 1), ag.argmin(a, 0).sum()), [t([3, 4])]],
  ['argmax over everything', (a) => ag.argmax(a), [t([3, 4])]],
  [
    'argmax keeping the axis, argmin of everything keeping every axis, argmax of float64 values',
    (a) =>
      ag
        .add(ag.argmax(a, 1, true), ag.argmin(a, undefined, true))
        .add(ag.cast(ag.argmax(ag.cast(a, 'float64'), 0), 'float32')),
    [t([3, 4])],
  ],
  [
    'softmax, logSoftmax (on either axis), logSumExp',
    (a) => ag.add(ag.add(ag.softmax(a, 0), ag.logSoftmax(a, 1)), ag.logSumExp(a, 1, true)).add(ag.logSoftmax(a, 0)),
    [t([3, 4])],
  ],
  [
    'clamp, gelu (both), silu, leakyRelu, elu, softplus, hardtanh',
    (a) =>
      [
        ag.clamp(a, -0.5, 0.7),
        ag.gelu(a),
        ag.gelu(a, { approximate: 'tanh' }),
        ag.silu(a),
        ag.leakyRelu(a, 0.1),
        ag.elu(a),
        ag.softplus(a),
        ag.hardtanh(a),
      ].reduce((p, q) => p.add(q)),
    [t([2, 5])],
  ],
  [
    'transpose, squeeze, unsqueeze, flatten, narrow, expand',
    (a) => ag.flatten(ag.expand(ag.unsqueeze(ag.narrow(ag.transpose(a, 0, 1), 0, 1, 2), 0), [3, 2, 2]), 1),
    [t([2, 3])],
  ],
  [
    'split, stack, concat, slice, pad',
    (a) =>
      ag.pad(
        ag.slice(ag.concat([...ag.split(a, 2, 1), ag.stack([a, a], 0).sum(0)], 1), [
          [0, 2],
          [1, 5],
        ]),
        [
          [1, 0],
          [0, 2],
        ],
        -1,
      ),
    [t([2, 4])],
  ],
  [
    'where with a constant mask, gather with constant indices',
    (a) =>
      ag.add(
        ag.where(
          tensor([
            [1, 0, 1],
            [0, 1, 0],
          ]),
          a,
          0.5,
        ),
        ag.gather(
          a,
          1,
          tensor([
            [2, 0, 1],
            [1, 1, 0],
          ]),
        ),
      ),
    [t([2, 3])],
  ],
  [
    'scatterAdd with constant indices (a value read twice adds twice), on axis 1 and axis 0',
    (a) =>
      ag.add(
        ag.scatterAdd(
          [2, 4],
          1,
          tensor([
            [3, 0, 3],
            [1, 1, 0],
          ]),
          a,
        ),
        ag.scatterAdd([3, 4], 0, tensor([[2, 0, 2]]), ag.narrow(a, 0, 0, 1)).sum(0, true),
      ),
    [t([2, 3])],
  ],
  [
    'padWith reflect, replicate, circular',
    (a) =>
      ['reflect', 'replicate', 'circular']
        .map((m) =>
          ag.padWith(
            a,
            [
              [0, 0],
              [0, 0],
              [1, 2],
              [2, 1],
            ],
            m as ag.PadMode,
          ),
        )
        .reduce((p, q) => p.add(q)),
    [t([1, 2, 4, 4])],
  ],
  [
    'interpolate bilinear (align corners), nearest to a size',
    (a) =>
      ag.add(
        ag.interpolate(a, { size: [6, 5], mode: 'bilinear', alignCorners: true }),
        ag.interpolate(a, { size: [6, 5] }),
      ),
    [t([1, 2, 3, 4])],
  ],
  [
    'upsampleNearest, adaptive pools',
    (a) => ag.add(ag.upsampleNearest(ag.adaptiveAvgPool2d(a, [2, 3]), 2).sum(), ag.adaptiveMaxPool2d(a, [3, 2]).sum()),
    [t([1, 2, 7, 5])],
  ],
  [
    'conv1d, conv2d with stride and groups, convTranspose2d',
    (x, w, w2) =>
      ag.add(
        ag.conv2d(x, w, null, { stride: 2, padding: 1, groups: 2 }).sum(),
        ag.convTranspose2d(x, w2, null, { stride: 2 }).sum(),
      ),
    [t([1, 4, 6, 6]), t([2, 2, 3, 3]), t([4, 3, 2, 2])],
  ],
  [
    'scaledDotProductAttention, causal, with a bias',
    (q, k, v, bias) => ag.scaledDotProductAttention(q, k, v, { causal: true, bias }),
    [t([2, 3, 4]), t([2, 3, 4]), t([2, 3, 4]), t([3, 3])],
  ],
  [
    'matmul of batches and vectors',
    (a, b, v) => ag.add(ag.matmul(a, b).sum(), ag.matmul(a, v).sum()),
    [t([2, 3, 4]), t([4, 5]), t([4])],
  ],
  [
    'linear with a fused ReLU over batches, and without a bias',
    (x, w, b) => ag.add(ag.linear(x, w, b, { relu: true }).sum(), ag.linear(x, w).sum()),
    [t([2, 3, 4]), t([5, 4]), t([5])],
  ],
  ['cast to float64 and back', (a) => ag.cast(ag.cast(a, 'float64').mul(3), 'float32'), [t([3])]],
];

describe('each op exports and runs in ONNX Runtime', () => {
  it.each(cases)('%s', async (_, f, inputs) => {
    const bytes = exportOnnx(f, inputs);
    const want = ag.noGrad(() => f(...inputs));
    const got = await runOnnx(bytes, ...inputs);
    expect(got.shape).toEqual(want.shape);
    const values = want.data.toTypedArray();
    got.values.forEach((v, i) =>
      expect(Math.abs(v - values[i]!), `value ${i}: ${v} vs ${values[i]}`).toBeLessThanOrEqual(
        1e-5 * Math.max(1, Math.abs(values[i]!)),
      ),
    );
  });
});
