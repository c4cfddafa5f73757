// Bad input: every public op fails with a SkipgradError naming the op, the argument, what was
// expected and what was given — never a TypeError from inside a loop, never a silent result.
import { describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { SkipgradError, tensor } from '../src/index.js';

const x23 = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const x64 = tensor([1, 2, 3], { dtype: 'float64' });
const leaf = tensor([1, 2], { requiresGrad: true });

/** [call, op, argument, pattern the rest of the message must match] */
const cases: [string, () => unknown, string, string, RegExp][] = [];
const add = (name: string, fn: () => unknown, op: string, arg: string, rest: RegExp): void => {
  cases.push([name, fn, op, arg, rest]);
};

for (const op of ['add', 'sub', 'mul', 'div', 'pow'] as const) {
  const f = sg[op] as (a: unknown, b: unknown) => unknown;
  add(
    `${op}: shapes that do not broadcast`,
    () => f(x23, tensor([1, 2, 3, 4])),
    op,
    'shapes',
    /expected shapes that broadcast.*got \[2, 3\] and \[4\] \(axis -1 has sides 3 and 4\)/,
  );
  add(
    `${op}: mixed dtypes`,
    () => f(tensor([1, 2, 3]), x64),
    op,
    'b',
    /expected dtype float32 \(the dtype of 'a'\), got float64/,
  );
  add(`${op}: a string`, () => f(x23, 'x'), op, 'b', /expected a Tensor or a number, got "x"/);
  add(
    `${op}: an array, not a tensor`,
    () => f([1, 2], x23),
    op,
    'a',
    /expected a Tensor or a number, got an array of length 2/,
  );
  add(`${op}: two numbers`, () => f(1, 2), op, 'a', /expected at least one Tensor among a and b, got 1 and 2/);
}
for (const op of ['neg', 'exp', 'log', 'relu', 'tanh', 'sigmoid'] as const) {
  add(
    `${op}: not a tensor`,
    () => (sg[op] as (a: unknown) => unknown)([1, 2]),
    op,
    'a',
    /expected a Tensor, got an array of length 2/,
  );
}
add(
  'sum: axis out of range',
  () => x23.sum(2),
  'sum',
  'axis',
  /expected an integer axis in \[-2, 2\), got 2 \(for a tensor of rank 2\)/,
);
add('sum: repeated axes', () => x23.sum([0, -2]), 'sum', 'axis', /expected distinct axes, got \[0, -2\]/);
add('sum: keepdim not a boolean', () => sg.sum(x23, 0, 1 as never), 'sum', 'keepdim', /expected a boolean, got 1/);
add('sum: fractional axis', () => x23.sum(0.5), 'sum', 'axis', /expected an integer axis in \[-2, 2\), got 0.5/);
add('mean: axis out of range', () => x23.mean(-3), 'mean', 'axis', /got -3/);
add('max: axis out of range', () => x23.max(5), 'max', 'axis', /expected an integer axis in \[-2, 2\), got 5/);
add(
  'max: over an empty axis',
  () => sg.zeros([2, 0]).max(1),
  'max',
  'a',
  /non-zero side on the reduced axis.*got shape \[2, 0\] \(axis 1 has side 0\)/,
);
add('max: repeated axes', () => sg.max(x23, [0, 0]), 'max', 'axis', /expected distinct axes, got \[0, 0\]/);
add(
  'max: of a scalar along an axis',
  () => tensor(3).max(0),
  'max',
  'axis',
  /expected no axis \(the tensor is a scalar\), got 0/,
);
add(
  'reshape: wrong element count',
  () => x23.reshape([4, 2]),
  'reshape',
  'shape',
  /expected a shape with 6 elements \(input shape \[2, 3\]\), got \[4, 2\] with 8/,
);
add('reshape: two -1', () => x23.reshape([-1, -1]), 'reshape', 'shape', /at most one -1, got \[-1, -1\]/);
add(
  'reshape: -1 that cannot divide',
  () => x23.reshape([4, -1]),
  'reshape',
  'shape',
  /expected a shape with 6 elements, got \[4, -1\]/,
);
add('permute: not a permutation', () => x23.permute([0, 0]), 'permute', 'axes', /each once\), got \[0, 0\]/);
add(
  'permute: wrong length',
  () => x23.permute([0]),
  'permute',
  'axes',
  /expected a permutation of 2 axes, got an array of length 1/,
);
add('transpose: bad axis', () => x23.transpose(0, 2), 'transpose', 'axis1', /got 2/);
add(
  'expand: incompatible shape',
  () => x23.expand([2, 4]),
  'expand',
  'shape',
  /got \[2, 4\] \(axis 1 has side 3, not 1\)/,
);
add('expand: lower rank', () => x23.expand([3]), 'expand', 'shape', /expected a shape of rank >= 2, got \[3\]/);
add(
  'slice: range past the end',
  () =>
    x23.slice([
      [0, 1],
      [1, 4],
    ]),
  'slice',
  'ranges[1]',
  /expected 0 <= start <= end <= 3.*got \[1, 4\]/,
);
add('slice: not pairs', () => x23.slice([[0]] as never), 'slice', 'ranges[0]', /expected an integer pair/);
add(
  'slice: too many ranges',
  () =>
    x23.slice([
      [0, 1],
      [0, 1],
      [0, 1],
    ]),
  'slice',
  'ranges',
  /at most 2 \[start, end\) pairs/,
);
add('pad: one pair per axis', () => x23.pad([[1, 1]]), 'pad', 'pads', /expected 2 \[before, after\] pairs/);
add(
  'pad: negative padding',
  () =>
    x23.pad([
      [0, 0],
      [-1, 0],
    ]),
  'pad',
  'pads[1]',
  /non-negative integers \[before, after\], got an array of length 2/,
);
add(
  'concat: no tensors',
  () => sg.concat([]),
  'concat',
  'tensors',
  /expected a non-empty array of Tensors, got an array of length 0/,
);
add(
  'concat: other sides differ',
  () =>
    sg.concat(
      [
        x23,
        tensor([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ],
      1,
    ),
  'concat',
  'tensors[1]',
  /expected shape \[2, \*\].*got \[3, 2\]/,
);
add('concat: ranks differ', () => sg.concat([x23, tensor([1, 2])], 0), 'concat', 'tensors[1]', /got \[2\]/);
add(
  'concat: dtypes differ',
  () => sg.concat([tensor([1]), x64]),
  'concat',
  'tensors[1]',
  /expected dtype float32 \(the dtype of 'tensors\[0\]'\), got float64/,
);
add('concat: axis out of range', () => sg.concat([x23, x23], 2), 'concat', 'axis', /in \[-2, 2\), got 2/);
add('concat: scalars', () => sg.concat([tensor(1), tensor(2)]), 'concat', 'tensors[0]', /rank >= 1/);
add(
  'concat: a non-tensor piece',
  () => sg.concat([x23, [1, 2] as never]),
  'concat',
  'tensors[1]',
  /expected a Tensor, got an array/,
);
add(
  'matmul: inner sides differ',
  () => x23.matmul(x23),
  'matmul',
  'b',
  /expected a shape \[\.\.\., 3, m\].*got \[2, 3\] \(a has shape \[2, 3\]\)/,
);
add('matmul: a scalar', () => tensor(2).matmul(x23), 'matmul', 'a', /rank >= 1, got a scalar/);
add(
  'matmul: batches that do not broadcast',
  () => sg.zeros([2, 2, 3]).matmul(sg.zeros([3, 3, 1])),
  'matmul',
  'shapes',
  /got \[2\] and \[3\]/,
);
add('matmul: dtypes differ', () => sg.matmul(x64, x64.to('float32')), 'matmul', 'b', /expected dtype float64/);
add(
  'scaledMatmul: a scale that is not finite',
  () => sg.scaledMatmul(x23, sg.zeros([3, 2]), NaN),
  'scaledMatmul',
  'scale',
  /expected a finite number, got NaN/,
);
add(
  'scaledMatmul: a vector',
  () => sg.scaledMatmul(x23, tensor([1, 2, 3]), 0.5),
  'scaledMatmul',
  'b',
  /rank >= 2, got \[3\]/,
);
add(
  "scaledMatmul: b's rows not a's columns",
  () => sg.scaledMatmul(x23, sg.zeros([2, 2]), 0.5),
  'scaledMatmul',
  'b',
  /rows must equal a's 3 columns\), got \[2, 2\]/,
);
add(
  'scaledMatmul: dtypes differ',
  () => sg.scaledMatmul(x64.reshape([1, 3]), sg.zeros([3, 1]), 0.5),
  'scaledMatmul',
  'b',
  /expected dtype float64/,
);
const w43 = sg.zeros([4, 3]);
add(
  'linear: x with other features than the weight',
  () => sg.linear(x23, sg.zeros([4, 2])),
  'linear',
  'x',
  /expected a tensor of shape \[\.\.\., 2\], got shape \[2, 3\] \(weight has shape \[4, 2\]\)/,
);
add(
  'linear: a weight of rank 1',
  () => sg.linear(x23, tensor([1, 2, 3])),
  'linear',
  'weight',
  /\[out, in\], got shape \[3\]/,
);
add(
  'linear: a bias of the wrong side',
  () => sg.linear(x23, w43, sg.zeros([3])),
  'linear',
  'bias',
  /expected shape \[4\], got \[3\]/,
);
add('linear: dtypes differ', () => sg.linear(x64.reshape([1, 3]), w43), 'linear', 'weight', /expected dtype float64/);
add(
  'linear: relu not a boolean',
  () => sg.linear(x23, w43, null, { relu: 1 as never }),
  'linear',
  'relu',
  /true or false, got 1/,
);
add('linear: an unknown option', () => sg.linear(x23, w43, null, { act: 'relu' } as never), 'linear', 'options', /act/);
add('linear: a scalar x', () => sg.linear(tensor(1), w43), 'linear', 'x', /got shape \[\]/);
add('split: sizes that do not sum to the side', () => sg.split(x23, [1, 1], 1), 'split', 'sizes', /summing to 3/);
add('split: zero size', () => sg.split(x23, 0), 'split', 'sizes', /positive integer/);
add('stack: different shapes', () => sg.stack([x23, tensor([1, 2])]), 'concat', 'tensors[1]', /got \[1, 2\]/);
add(
  'squeeze: an axis of side 2',
  () => x23.squeeze(0),
  'squeeze',
  'axis',
  /expected an axis of side 1, got axis 0 of side 2/,
);
add('unsqueeze: axis too large', () => x23.unsqueeze(4), 'unsqueeze', 'axis', /in \[-3, 3\), got 4/);
add(
  'narrow: past the end',
  () => x23.narrow(1, 2, 2),
  'narrow',
  'start',
  /inside axis 1 of side 3, got start 2, length 2/,
);
add(
  'flatten: end before start',
  () => sg.zeros([2, 2, 2]).flatten(2, 1),
  'flatten',
  'endAxis',
  /expected an axis >= startAxis \(2\), got 1/,
);
add('softmax: bad axis', () => x23.softmax(3), 'softmax', 'axis', /got 3/);
add('logSoftmax: bad axis', () => x23.logSoftmax(-3), 'logSoftmax', 'axis', /got -3/);
add(
  'cast: unknown dtype',
  () => x23.to('int8' as never),
  'cast',
  'dtype',
  /expected 'float32' or 'float64', got "int8"/,
);
add(
  'tensor: ragged nesting',
  () => tensor([[1, 2], [3]]),
  'tensor',
  'data[1]',
  /expected an array of length 2 \(nesting must be rectangular\), got an array of length 1/,
);
add('tensor: a non-number element', () => tensor([1, 'two']), 'tensor', 'data[1]', /expected a number, got "two"/);
add('tensor: unknown dtype', () => tensor([1], { dtype: 'float16' as never }), 'tensor', 'dtype', /got "float16"/);
add(
  'tensor: typed array and shape disagree',
  () => tensor(new Float32Array(5), { shape: [2, 2] }),
  'tensor',
  'shape',
  /5 elements \(the data's length\), got \[2, 2\]/,
);
add(
  'tensor: an integer typed array',
  () => tensor(new Int32Array(2)),
  'tensor',
  'data',
  /Float32Array or Float64Array, got a Int32Array/,
);
add('zeros: negative side', () => sg.zeros([2, -1]), 'zeros', 'shape', /non-negative integers\), got \[2, -1\]/);
add('arange: zero step', () => sg.arange(0, 1, 0), 'arange', 'step', /non-zero number, got 0/);
add('linspace: negative steps', () => sg.linspace(0, 1, -2), 'linspace', 'steps', /got -2/);
add('eye: fractional size', () => sg.eye(1.5), 'eye', 'n', /non-negative integer, got 1.5/);
add('item: more than one element', () => x23.item(), 'item', 'this', /exactly one element, got shape \[2, 3\]/);
add('grad: an input without requiresGrad', () => sg.grad([leaf.sum()], [x23]), 'grad', 'inputs[0]', /requires grad/);
add('grad: no inputs', () => sg.grad([leaf.sum()], []), 'grad', 'inputs', /non-empty array/);
add(
  'backward: gradOutputs of the wrong count',
  () => sg.backward([leaf.sum()], []),
  'backward',
  'gradOutputs',
  /an array of 1 Tensors/,
);
add(
  'setBackend: not a backend',
  () => sg.setBackend({} as never),
  'setBackend',
  'backend',
  /implementing the Backend interface/,
);

describe('bad input gets a clear SkipgradError', () => {
  it.each(cases)('%s', (_name, fn, op, arg, rest) => {
    let error: unknown = null;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SkipgradError);
    const e = error as SkipgradError;
    expect(e.op).toBe(op);
    expect(e.arg).toBe(arg);
    expect(e.message.startsWith(`${op}: argument '${arg}' expected `)).toBe(true);
    expect(e.message).toContain(', got ');
    expect(e.message).toMatch(rest);
  });
});
