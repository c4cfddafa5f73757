// Every op names itself and the argument it refuses. Each row calls an op with "bad" in one
// position — the first argument; or the second or third after a valid [2, 2] (or [1, 1, 2, 2])
// tensor — and pins the whole message after the op's name. The rows were read one by one; a new
// op gets rows here when it takes arguments.
import { expect, test } from 'vitest';
import { SkipgradError } from '@skipgrad/tensor';
import * as ops from '../src/ops/index.js';
import { tensor } from '../src/index.js';

/** Where "bad" goes: 0 first; 1, 2 second and third after a [2, 2] tensor; 4, 5 the same after a [1, 1, 2, 2] one. */
type Position = 0 | 1 | 2 | 4 | 5;

function argumentsFor(position: Position): unknown[] {
  const matrix = tensor([
    [1, 2],
    [3, 4],
  ]);
  const images = tensor([
    [
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ]);
  const first = position >= 4 ? images : matrix;
  if (position === 0) return ['bad'];
  return position === 1 || position === 4 ? [first, 'bad'] : [first, undefined, 'bad'];
}

const rows: [string, Position, string][] = [
  ['abs', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['adaptiveAvgPool2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['adaptiveAvgPool2d', 4, 'argument \'outputSize\' expected an integer >= 1 or a pair of them, got "bad"'],
  ['adaptiveMaxPool2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['adaptiveMaxPool2d', 4, 'argument \'outputSize\' expected an integer >= 1 or a pair of them, got "bad"'],
  ['add', 0, 'argument \'a\' expected a Tensor or a number, got "bad"'],
  ['add', 1, 'argument \'b\' expected a Tensor or a number, got "bad"'],
  ['argmax', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['argmax', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['argmax', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['argmin', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['argmin', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['argmin', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['attentionWeights', 0, 'argument \'q\' expected a Tensor, got "bad"'],
  ['attentionWeights', 1, 'argument \'k\' expected a Tensor, got "bad"'],
  ['avgPool2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['avgPool2d', 4, 'argument \'kernel\' expected an integer >= 1 or a pair of them, got "bad"'],
  [
    'avgPool2d',
    2,
    'argument \'options\' expected an options object ({ stride, padding, ceilMode, countIncludePad, dilation }), got "bad"',
  ],
  ['cast', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['cast', 1, "argument 'dtype' expected 'float32' or 'float64', got \"bad\""],
  ['clamp', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['clamp', 1, 'argument \'min\' expected a number or undefined, got "bad"'],
  ['clamp', 2, 'argument \'max\' expected a number or undefined, got "bad"'],
  ['concat', 0, 'argument \'tensors\' expected a non-empty array of Tensors, got "bad"'],
  ['conv1d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['conv1d', 1, 'argument \'weight\' expected a Tensor, got "bad"'],
  ['conv2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['conv2d', 1, 'argument \'weight\' expected a Tensor, got "bad"'],
  ['convTranspose2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['convTranspose2d', 1, 'argument \'weight\' expected a Tensor, got "bad"'],
  ['div', 0, 'argument \'a\' expected a Tensor or a number, got "bad"'],
  ['div', 1, 'argument \'b\' expected a Tensor or a number, got "bad"'],
  ['dropout', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['dropout', 1, 'argument \'p\' expected a probability in [0, 1], got "bad"'],
  ['dropout', 2, 'argument \'options\' expected an options object ({ training, generator }), got "bad"'],
  ['elu', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['elu', 1, 'argument \'alpha\' expected a finite number, got "bad"'],
  ['erf', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['exp', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['expand', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['expand', 1, 'argument \'shape\' expected a shape (an array of non-negative integers), got "bad"'],
  ['flatten', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['flatten', 1, 'argument \'startAxis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['flatten', 2, 'argument \'endAxis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['fold', 0, 'argument \'cols\' expected a Tensor, got "bad"'],
  ['fold', 1, 'argument \'outputSize\' expected an integer >= 1 or a pair of them, got "bad"'],
  ['gather', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['gather', 2, 'argument \'index\' expected a Tensor, got "bad"'],
  ['gelu', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['gelu', 1, 'argument \'options\' expected an options object ({ approximate }), got "bad"'],
  ['hardtanh', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['hardtanh', 1, 'argument \'minVal\' expected a finite number, got "bad"'],
  ['hardtanh', 2, 'argument \'maxVal\' expected a finite number, got "bad"'],
  ['interpolate', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  [
    'interpolate',
    1,
    'argument \'options\' expected an options object ({ size, scaleFactor, mode, alignCorners }), got "bad"',
  ],
  ['leakyRelu', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['leakyRelu', 1, 'argument \'negativeSlope\' expected a finite number, got "bad"'],
  ['linear', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['linear', 1, 'argument \'weight\' expected a Tensor, got "bad"'],
  ['log', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['logSoftmax', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['logSoftmax', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['logSumExp', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['logSumExp', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['maskedSelect', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['maskedSelect', 1, 'argument \'mask\' expected a Tensor, got "bad"'],
  ['matmul', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['matmul', 1, 'argument \'b\' expected a Tensor, got "bad"'],
  ['max', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['max', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['max', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['maxPool2d', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['maxPool2d', 4, 'argument \'kernel\' expected an integer >= 1 or a pair of them, got "bad"'],
  [
    'maxPool2d',
    2,
    'argument \'options\' expected an options object ({ stride, padding, dilation, ceilMode }), got "bad"',
  ],
  ['maxPool2dWithIndices', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['maxPool2dWithIndices', 4, 'argument \'kernel\' expected an integer >= 1 or a pair of them, got "bad"'],
  [
    'maxPool2dWithIndices',
    2,
    'argument \'options\' expected an options object ({ stride, padding, dilation, ceilMode }), got "bad"',
  ],
  ['mean', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['mean', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['mean', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['min', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['min', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['min', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['mul', 0, 'argument \'a\' expected a Tensor or a number, got "bad"'],
  ['mul', 1, 'argument \'b\' expected a Tensor or a number, got "bad"'],
  ['narrow', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['narrow', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['neg', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['pad', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['pad', 1, 'argument \'pads\' expected 2 [before, after] pairs (one per axis of shape [2, 2]), got "bad"'],
  ['padWith', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['padWith', 2, "argument 'mode' expected one of 'reflect', 'replicate', 'circular', got \"bad\""],
  ['permute', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['permute', 1, 'argument \'axes\' expected a permutation of 2 axes, got "bad"'],
  ['pow', 0, 'argument \'a\' expected a Tensor or a number, got "bad"'],
  ['pow', 1, 'argument \'b\' expected a Tensor or a number, got "bad"'],
  ['relu', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['reshape', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['reshape', 1, 'argument \'shape\' expected non-negative integer sides, at most one -1, got "bad"'],
  ['scaledDotProductAttention', 0, 'argument \'q\' expected a Tensor, got "bad"'],
  ['scaledDotProductAttention', 1, 'argument \'k\' expected a Tensor, got "bad"'],
  ['sigmoid', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['silu', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['slice', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['slice', 1, 'argument \'ranges\' expected at most 2 [start, end) pairs, got "bad" (shape [2, 2])'],
  ['softmax', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['softmax', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['softplus', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['softplus', 1, 'argument \'beta\' expected a finite number, got "bad"'],
  ['softplus', 2, 'argument \'threshold\' expected a finite number, got "bad"'],
  ['split', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['split', 1, 'argument \'sizes\' expected non-negative integers summing to 2 (the side of axis 0), got "bad"'],
  ['split', 2, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['sqrt', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['squeeze', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['squeeze', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['stack', 0, 'argument \'tensors\' expected a non-empty array of Tensors, got "bad"'],
  ['std', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['std', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['std', 2, 'argument \'options\' expected an options object ({ correction, keepdim }), got "bad"'],
  ['sub', 0, 'argument \'a\' expected a Tensor or a number, got "bad"'],
  ['sub', 1, 'argument \'b\' expected a Tensor or a number, got "bad"'],
  ['sum', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['sum', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['sum', 2, 'argument \'keepdim\' expected a boolean, got "bad"'],
  ['tanh', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['transpose', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['transpose', 1, 'argument \'axis0\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['transpose', 2, 'argument \'axis1\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['unfold', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['unfold', 4, 'argument \'kernel\' expected an integer >= 1 or a pair of them, got "bad"'],
  ['unfold', 2, 'argument \'options\' expected an options object ({ stride, padding, dilation }), got "bad"'],
  ['unsqueeze', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['unsqueeze', 1, 'argument \'axis\' expected an integer axis in [-3, 3), got "bad" (for a tensor of rank 3)'],
  ['upsampleNearest', 0, 'argument \'x\' expected a Tensor, got "bad"'],
  ['upsampleNearest', 4, 'argument \'scale\' expected an integer >= 1 or a pair of them, got "bad"'],
  ['variance', 0, 'argument \'a\' expected a Tensor, got "bad"'],
  ['variance', 1, 'argument \'axis\' expected an integer axis in [-2, 2), got "bad" (for a tensor of rank 2)'],
  ['variance', 2, 'argument \'options\' expected an options object ({ correction, keepdim }), got "bad"'],
  ['where', 0, 'argument \'cond\' expected a Tensor, got "bad"'],
  ['where', 1, 'argument \'a\' expected a Tensor or a number, got "bad"'],
];

test.each(rows)('%s refuses "bad" in position %i by name', (name, position, message) => {
  const op = (ops as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
  let thrown: unknown;
  try {
    op(...argumentsFor(position));
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SkipgradError);
  expect((thrown as Error).message).toBe(`${name}: ${message}`);
});
