// Default arguments and the argument checks of the image and selection ops, each pinned.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { SkipgradError, type Tensor, tensor } from '../src/index.js';

const seq = (shape: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  tensor(
    Float64Array.from({ length: shape.reduce((n, s) => n * s, 1) }, (_, i) => (i % 7) - 3 + i / 64),
    { shape, dtype },
  );

describe('defaults', () => {
  const m = seq([2, 3]);
  it('reductions drop the reduced axis unless keepdim', () => {
    expect(m.sum(0).shape).toEqual([3]);
    expect(sg.sum(m, 1).shape).toEqual([2]);
    expect(m.mean(1).shape).toEqual([2]);
    expect(sg.mean(m, 0).shape).toEqual([3]);
    expect(m.max(1).shape).toEqual([2]);
    expect(sg.max(m, 0).shape).toEqual([3]);
    expect(m.logSumExp().shape).toEqual([2]);
    expect(sg.logSumExp(m).shape).toEqual([2]);
    expect(m.logSumExp(0, true).shape).toEqual([1, 3]);
    expect(m.min(1).shape).toEqual([2]);
    expect(m.argmax(1).shape).toEqual([2]);
    expect(m.argmin(0).shape).toEqual([3]);
  });
  it('on a rank-3 tensor the default axis is the last, not axis 1', () => {
    const t = seq([2, 3, 4]);
    expect(t.softmax().toArray()).toEqual(t.softmax(2).toArray());
    expect(t.logSoftmax().toArray()).toEqual(t.logSoftmax(2).toArray());
    expect(t.logSumExp().shape).toEqual([2, 3]);
    expect(sg.softmax(t).toArray()).toEqual(sg.softmax(t, 2).toArray());
  });
  it('softmax, logSoftmax and logSumExp work on the last axis by default', () => {
    expect(m.softmax().toArray()).toEqual(m.softmax(1).toArray());
    expect(sg.softmax(m).toArray()).toEqual(sg.softmax(m, 1).toArray());
    expect(m.logSoftmax().toArray()).toEqual(m.logSoftmax(1).toArray());
    expect(sg.logSoftmax(m).toArray()).toEqual(sg.logSoftmax(m, 1).toArray());
    const lse = m.logSumExp().toArray() as number[];
    const rows = m.toArray() as number[][];
    rows.forEach((r, i) => expect(lse[i]).toBeCloseTo(Math.log(r.reduce((s, v) => s + Math.exp(v), 0)), 12));
    expect(sg.softmax(sg.zeros([2, 0])).shape).toEqual([2, 0]);
    expect(sg.logSumExp(sg.zeros([2, 0]), 1).toArray()).toEqual([-Infinity, -Infinity]);
  });
  it('transpose swaps the last two axes; flatten merges everything by default', () => {
    const t = seq([2, 3, 4]);
    expect(t.transpose().shape).toEqual([2, 4, 3]);
    expect(sg.transpose(t).shape).toEqual([2, 4, 3]);
    expect(t.flatten().shape).toEqual([24]);
    expect(sg.flatten(t).shape).toEqual([24]);
    expect(t.flatten(0, 1).shape).toEqual([6, 4]);
    expect(t.flatten(1, 1).shape).toEqual([2, 3, 4]);
  });
  it('leaves, inspection and requiresGrad', () => {
    const x = tensor([1], { requiresGrad: true });
    expect(x.isLeaf).toBe(true);
    expect(x.mul(2).isLeaf).toBe(false);
    expect(inspect(x.mul(2))).toBe(String(x.mul(2)));
    expect(new sg.Tensor(x.data).requiresGrad).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(true);
    // A tensor made with a graph node (as an op's result is) needs its gradient unless told not to.
    const node = x.mul(2).node;
    expect(new sg.Tensor(x.data, { node }).requiresGrad).toBe(true);
    expect(new sg.Tensor(x.data, { node, requiresGrad: false }).requiresGrad).toBe(false);
    expect(new sg.Tensor(x.data, { node: null }).requiresGrad).toBe(false);
  });
  it('pooling strides default to the kernel; adaptive pooling matches average pooling on equal bins', () => {
    const img = seq([1, 2, 4, 6]);
    expect(sg.maxPool2d(img, 2).shape).toEqual([1, 2, 2, 3]);
    expect(sg.avgPool2d(img, 2).shape).toEqual([1, 2, 2, 3]);
    expect(sg.adaptiveAvgPool2d(img, [2, 3]).toArray()).toEqual(sg.avgPool2d(img, 2).toArray());
    expect(sg.adaptiveAvgPool2d(img, [1, 2]).toArray()).toEqual(sg.avgPool2d(img, [4, 3]).toArray());
    expect(sg.maxPool2d(img, 2, { dilation: 2, stride: 1 }).shape).toEqual([1, 2, 2, 4]);
  });
  it('a backward without an explicit gradient uses 1 for a one-element output', () => {
    const x = tensor([[2]], { dtype: 'float64', requiresGrad: true });
    x.mul(x).backward();
    expect(x.grad!.toArray()).toEqual([[4]]);
  });
});

const img = seq([1, 4, 5, 5], 'float32');
const w = seq([2, 4, 3, 3], 'float32');
const errors: [string, () => unknown, string, string, RegExp][] = [
  [
    'conv2d weight of rank 3',
    () => sg.conv2d(img, seq([2, 4, 3], 'float32')),
    'conv2d',
    'weight',
    /expected a tensor of rank 4, got shape \[2, 4, 3\]/,
  ],
  [
    'conv2d weight dtype',
    () => sg.conv2d(img, seq([2, 4, 3, 3])),
    'conv2d',
    'weight',
    /expected dtype float32 \(the dtype of 'x'\), got float64/,
  ],
  ['conv2d groups 0', () => sg.conv2d(img, w, null, { groups: 0 }), 'conv2d', 'groups', /got 0/],
  ['conv2d groups 1.5', () => sg.conv2d(img, w, null, { groups: 1.5 }), 'conv2d', 'groups', /got 1.5/],
  [
    'conv2d groups 3',
    () => sg.conv2d(img, w, null, { groups: 3 }),
    'conv2d',
    'groups',
    /dividing both 4 input and 2 output channels, got 3/,
  ],
  [
    'conv2d weight channels per group',
    () => sg.conv2d(img, w, null, { groups: 2 }),
    'conv2d',
    'weight',
    /expected a weight \[O, 2 \(input channels per group\), kh, kw\], got shape \[2, 4, 3, 3\] \(x has shape \[1, 4, 5, 5\]\)/,
  ],
  ['conv2d bias dtype', () => sg.conv2d(img, w, seq([2])), 'conv2d', 'bias', /expected dtype float32/],
  [
    'conv2d bias rank',
    () => sg.conv2d(img, w, seq([1, 2], 'float32')),
    'conv2d',
    'bias',
    /expected shape \[2\], got \[1, 2\]/,
  ],
  [
    'conv2d padding -1',
    () => sg.conv2d(img, w, null, { padding: -1 }),
    'conv2d',
    'padding',
    /expected an integer >= 0 or a pair of them, got -1/,
  ],
  [
    'conv2d dilation pair',
    () => sg.conv2d(img, w, null, { dilation: [1] as never }),
    'conv2d',
    'dilation',
    /got an array of length 1/,
  ],
  [
    'conv2d kernel too wide only',
    () => sg.conv2d(seq([1, 4, 5, 2], 'float32'), w),
    'conv2d',
    'kernel',
    /fits the padded input \[5, 2\], got kernel \[3, 3\], padding \[0, 0\], dilation \[1, 1\]/,
  ],
  [
    'convTranspose2d weight rows',
    () => sg.convTranspose2d(img, seq([2, 2, 2, 2], 'float32')),
    'convTranspose2d',
    'weight',
    /expected a weight \[4 \(input channels\), C_out\/groups, kh, kw\], got shape \[2, 2, 2, 2\]/,
  ],
  [
    'convTranspose2d weight rows (groups)',
    () => sg.convTranspose2d(img, seq([2, 1, 2, 2], 'float32'), null, { groups: 2 }),
    'convTranspose2d',
    'weight',
    /got shape \[2, 1, 2, 2\] \(x has shape \[1, 4, 5, 5\]\)/,
  ],
  [
    'convTranspose2d stride 0',
    () => sg.convTranspose2d(img, seq([4, 1, 2, 2], 'float32'), null, { stride: 0 }),
    'convTranspose2d',
    'stride',
    /got 0/,
  ],
  [
    'convTranspose2d dilation 0',
    () => sg.convTranspose2d(img, seq([4, 1, 2, 2], 'float32'), null, { dilation: 0 }),
    'convTranspose2d',
    'dilation',
    /got 0/,
  ],
  [
    'convTranspose2d padding -1',
    () => sg.convTranspose2d(img, seq([4, 1, 2, 2], 'float32'), null, { padding: -1 }),
    'convTranspose2d',
    'padding',
    /got -1/,
  ],
  [
    'convTranspose2d output padding on width',
    () => sg.convTranspose2d(img, seq([4, 1, 2, 2], 'float32'), null, { stride: 2, outputPadding: [1, 2] }),
    'convTranspose2d',
    'outputPadding',
    /got \[1, 2\]/,
  ],
  [
    'convTranspose2d output padding -1',
    () => sg.convTranspose2d(img, seq([4, 1, 2, 2], 'float32'), null, { outputPadding: -1 }),
    'convTranspose2d',
    'outputPadding',
    /got -1/,
  ],
  ['fold of rank 2', () => sg.fold(seq([4, 4]), [3, 3], 2), 'fold', 'cols', /got shape \[4, 4\]/],
  [
    'fold rows not a multiple',
    () => sg.fold(seq([1, 5, 4]), [3, 3], 2),
    'fold',
    'cols',
    /expected a tensor \[N, C·4, 4\] \(kernel \[2, 2\], 4 windows\), got shape \[1, 5, 4\]/,
  ],
  ['fold wrong window count', () => sg.fold(seq([1, 4, 5]), [3, 3], 2), 'fold', 'cols', /got shape \[1, 4, 5\]/],
  [
    'fold output size 0',
    () => sg.fold(seq([1, 4, 4]), 0, 2),
    'fold',
    'outputSize',
    /expected an integer >= 1 or a pair of them, got 0/,
  ],
  [
    'fold kernel too large',
    () => sg.fold(seq([1, 4, 4]), [1, 1], 2),
    'fold',
    'kernel',
    /fits the padded input \[1, 1\]/,
  ],
  [
    'unfold of rank 3',
    () => sg.unfold(seq([4, 5, 5]), 2),
    'unfold',
    'a',
    /expected a tensor of shape \[N, C, H, W\], got shape \[4, 5, 5\]/,
  ],
  ['unfold kernel 0', () => sg.unfold(img, 0), 'unfold', 'kernel', /expected an integer >= 1 or a pair of them, got 0/],
  [
    'unfold kernel pair with a string',
    () => sg.unfold(img, [1, 'a'] as never),
    'unfold',
    'kernel',
    /got an array of length 2/,
  ],
  [
    'maxPool2d padding over half the kernel',
    () => sg.maxPool2d(img, 2, { padding: [0, 2] }),
    'maxPool2d',
    'padding',
    /expected at most half the kernel \[2, 2\], got \[0, 2\]/,
  ],
  [
    'avgPool2d padding over half the kernel',
    () => sg.avgPool2d(img, 2, { padding: 2 }),
    'avgPool2d',
    'padding',
    /got \[2, 2\]/,
  ],
  ['maxPool2d of rank 3', () => sg.maxPool2d(seq([4, 5, 5]), 2), 'maxPool2d', 'x', /\[N, C, H, W\]/],
  ['avgPool2d of rank 2', () => sg.avgPool2d(seq([5, 5]), 2), 'avgPool2d', 'x', /\[N, C, H, W\]/],
  [
    'adaptiveAvgPool2d of rank 3',
    () => sg.adaptiveAvgPool2d(seq([4, 5, 5]), 2),
    'adaptiveAvgPool2d',
    'x',
    /\[N, C, H, W\]/,
  ],
  ['adaptiveAvgPool2d size 0', () => sg.adaptiveAvgPool2d(img, 0), 'adaptiveAvgPool2d', 'outputSize', /got 0/],
  ['upsampleNearest of rank 3', () => sg.upsampleNearest(seq([4, 5, 5]), 2), 'upsampleNearest', 'x', /\[N, C, H, W\]/],
  ['upsampleNearest scale 0', () => sg.upsampleNearest(img, 0), 'upsampleNearest', 'scale', /got 0/],
  [
    'gather index larger than a',
    () => sg.gather(seq([2, 3]), 1, seq([3, 1])),
    'gather',
    'index',
    /no larger than a's shape \[2, 3\] off axis 1, got shape \[3, 1\]/,
  ],
  [
    'gather negative index',
    () => sg.gather(seq([2, 3]), 1, tensor([[-1]], { dtype: 'float64' })),
    'gather',
    'index',
    /integers in \[0, 3\), got -1/,
  ],
  [
    'gather fractional index',
    () => sg.gather(seq([2, 3]), 1, tensor([[0.5]], { dtype: 'float64' })),
    'gather',
    'index',
    /got 0.5/,
  ],
  ['gather bad axis', () => sg.gather(seq([2, 3]), 2, tensor([[0]], { dtype: 'float64' })), 'gather', 'axis', /got 2/],
  [
    'scatterAdd index not a tensor',
    () => sg.scatterAdd([3], 0, [0] as never, seq([1])),
    'scatterAdd',
    'index',
    /expected a Tensor, got an array of length 1/,
  ],
  [
    'scatterAdd bad shape',
    () => sg.scatterAdd([3, -1], 0, seq([1]), seq([1])),
    'scatterAdd',
    'shape',
    /non-negative integers\), got \[3, -1\]/,
  ],
  [
    'scatterAdd bad axis',
    () => sg.scatterAdd([3], 1, tensor([0], { dtype: 'float64' }), seq([1])),
    'scatterAdd',
    'axis',
    /got 1/,
  ],
  [
    'scatterAdd index out of range',
    () => sg.scatterAdd([3], 0, tensor([3], { dtype: 'float64' }), seq([1])),
    'scatterAdd',
    'index',
    /integers in \[0, 3\), got 3/,
  ],
  [
    'scatterAdd src of another shape',
    () => sg.scatterAdd([3], 0, tensor([0, 1], { dtype: 'float64' }), seq([3])),
    'scatterAdd',
    'src',
    /expected shape \[2\] \(the index's\), got \[3\]/,
  ],
  [
    'unbroadcast to a shape that does not broadcast',
    () => sg.unbroadcast(seq([2, 3]), [3, 1, 1]),
    'unbroadcast',
    'shape',
    /a shape that broadcasts to dy's \[2, 3\], got \[3, 1, 1\]/,
  ],
  [
    'unbroadcast to an incompatible side',
    () => sg.unbroadcast(seq([2, 3]), [4]),
    'unbroadcast',
    'shapes',
    /got \[4\] and \[2, 3\]/,
  ],
  [
    'unbroadcast of a non-tensor',
    () => sg.unbroadcast(3 as never, [1]),
    'unbroadcast',
    'dy',
    /expected a Tensor, got 3/,
  ],
  [
    'where mask dtype',
    () => sg.where(tensor([1, 0]), seq([2]), seq([2])),
    'where',
    'cond',
    /expected dtype float64 \(the dtype of 'a'\), got float32/,
  ],
  ['where shapes', () => sg.where(seq([3]), seq([2]), 1), 'where', 'shapes', /got \[3\] and \[2\] and \[\]/],
  ['where a string', () => sg.where(seq([2]), 'a' as never, 1), 'where', 'a', /a Tensor or a number/],
  ['transpose bad axis0', () => seq([2, 2]).transpose(5), 'transpose', 'axis0', /got 5/],
  ['flatten bad startAxis', () => seq([2, 2]).flatten(3), 'flatten', 'startAxis', /got 3/],
  ['flatten bad endAxis', () => seq([2, 2]).flatten(0, 2), 'flatten', 'endAxis', /got 2/],
  ['squeeze bad axis', () => seq([2, 1]).squeeze(2), 'squeeze', 'axis', /got 2/],
  ['narrow bad axis', () => seq([2, 1]).narrow(2, 0, 1), 'narrow', 'axis', /got 2/],
  ['split bad axis', () => sg.split(seq([2, 1]), 1, 2), 'split', 'axis', /got 2/],
  ['stack bad axis', () => sg.stack([seq([2])], 3), 'stack', 'axis', /got 3/],
  [
    'stack a non-tensor second',
    () => sg.stack([seq([2]), 3 as never]),
    'stack',
    'tensors[1]',
    /expected a Tensor, got 3/,
  ],
  [
    'concat a scalar',
    () => sg.concat([tensor(1)]),
    'concat',
    'tensors[0]',
    /expected a tensor of rank >= 1 \(scalars have no axis to join\), got a scalar/,
  ],
  [
    'matmul dtype',
    () => sg.matmul(seq([2, 2]), seq([2, 2], 'float32')),
    'matmul',
    'b',
    /expected dtype float64 \(the dtype of 'a'\), got float32/,
  ],
  [
    'max keepdim not boolean',
    () => sg.max(seq([2]), 0, 'yes' as never),
    'max',
    'keepdim',
    /expected a boolean, got "yes"/,
  ],
  ['max axis fractional', () => sg.max(seq([2]), 0.5), 'max', 'axis', /got 0.5/],
  [
    'grad of an input without requiresGrad',
    () => sg.grad([tensor([1], { requiresGrad: true }).sum()], [tensor([1])]),
    'grad',
    'inputs[0]',
    /expected a tensor that requires grad, got a tensor with requiresGrad false/,
  ],
  [
    'backward from a no-grad output',
    () => tensor([1]).sum().backward(),
    'backward',
    'outputs[0]',
    /got a tensor with requiresGrad false \(was it computed inside noGrad, or from detached tensors\?\)/,
  ],
  [
    'backward of a non-scalar',
    () => tensor([1, 2], { requiresGrad: true }).mul(1).backward(),
    'backward',
    'gradient',
    /expected an explicit gradient of shape \[2\] for a non-scalar output, got none \(only a one-element output has the implied gradient 1\)/,
  ],
];

describe('argument checks name the op and the argument', () => {
  it.each(errors)('%s', (_name, fn, op, arg, rest) => {
    let error: unknown = null;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SkipgradError);
    expect([(error as SkipgradError).op, (error as SkipgradError).arg]).toEqual([op, arg]);
    expect((error as Error).message).toMatch(rest);
  });

  it('gather and scatterAdd accept negative axes', () => {
    const idx = tensor([[1], [0]], { dtype: 'float64' });
    expect(sg.gather(seq([2, 3]), -1, idx).toArray()).toEqual(sg.gather(seq([2, 3]), 1, idx).toArray());
    const src = tensor([[5], [7]], { dtype: 'float64', requiresGrad: true });
    const y = sg.scatterAdd([2, 3], -1, idx, src);
    expect(y.toArray()).toEqual([
      [0, 5, 0],
      [7, 0, 0],
    ]);
    y.backward(
      tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(src.grad!.toArray()).toEqual([[2], [4]]);
  });

  it('clamp accepts equal bounds; dropout refuses probabilities outside [0, 1]', () => {
    expect(sg.clamp(seq([3]), 1, 1).toArray()).toEqual([1, 1, 1]);
    expect(() => sg.dropout(seq([2]), 2)).toThrow("dropout: argument 'p' expected a probability in [0, 1], got 2");
    expect(() => sg.dropout(seq([2]), 'half' as never)).toThrow(/got "half"/);
    const kept = sg.dropout(tensor(new Float64Array(4000).fill(1)), 0.25, { generator: new sg.Generator(3) });
    const values = Array.from(kept.data.toTypedArray());
    expect(values.filter((v) => v === 0).length / 4000).toBeCloseTo(0.25, 1);
    expect(values.every((v) => v === 0 || v === 1 / 0.75)).toBe(true);
    expect(values.length).toBe(4000);
  });

  it('a freed graph error names the op and says what to do', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(
      "backward: argument 'graph' expected a graph whose saved tensors are still held, got op 'sum' already backpropagated, its saved tensors freed (pass { retainGraph: true } to the first backward to run backward twice)",
    );
    expect(() => sg.grad([y], [x])).toThrow(/^grad: argument 'graph'/);
  });
});
