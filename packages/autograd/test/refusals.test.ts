// Refusals the other suites reach only from a child process (the fuzz suite) or not at all, each
// pinned to its whole message: the op, the argument, what was expected and what was given. A
// message is part of the API (users search for it), so a changed word is a failing test.
import { expect, test } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import { expectRefusal } from './refused.js';
import * as sg from '../src/index.js';

const { ones, zeros } = sg;
const x3 = ones([1, 4, 5]);
const w3 = ones([2, 4, 3]);
const img = ones([1, 1, 4, 4]);
const f64 = { dtype: 'float64' as const, requiresGrad: true };
const q = ones([1, 3, 4]);
const x4 = ones([1, 4, 3, 3]);
const d = { dtype: 'float64' as const };
const sdpa = sg.scaledDotProductAttention;
const one = (): NDArray => new NDArray(new Float32Array(1), [1]);

const refusals: [string, () => unknown, string][] = [
  [
    'conv1d weight rank',
    () => sg.conv1d(x3, ones([2, 4])),
    "conv1d: argument 'weight' expected a tensor [O, C/groups, k], got shape [2, 4]",
  ],
  [
    'conv1d groups 0',
    () => sg.conv1d(x3, w3, null, { groups: 0 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 0",
  ],
  [
    'conv2d groups negative (it divides both)',
    () => sg.conv2d(ones([1, 4, 3, 3]), ones([2, 2, 1, 1]), null, { groups: -2 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got -2",
  ],
  [
    'conv2d groups a fraction (it divides both)',
    () => sg.conv2d(ones([1, 4, 3, 3]), ones([2, 8, 1, 1]), null, { groups: 0.5 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 0.5",
  ],
  [
    'conv1d groups negative',
    () => sg.conv1d(x3, ones([2, 2, 1]), null, { groups: -2 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got -2",
  ],
  [
    'conv1d groups a fraction',
    () => sg.conv1d(x3, ones([2, 8, 1]), null, { groups: 0.5 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 0.5",
  ],
  [
    'convTranspose2d outputPadding too big on the height only',
    () => sg.convTranspose2d(img, ones([1, 1, 2, 2]), null, { stride: 2, outputPadding: [2, 0] }),
    "convTranspose2d: argument 'outputPadding' expected values smaller than the stride or the dilation, got [2, 0]",
  ],
  [
    'convTranspose2d outputPadding too big on the width only',
    () => sg.convTranspose2d(img, ones([1, 1, 2, 2]), null, { stride: 2, outputPadding: [0, 2] }),
    "convTranspose2d: argument 'outputPadding' expected values smaller than the stride or the dilation, got [0, 2]",
  ],
  [
    'conv1d groups 3',
    () => sg.conv1d(x3, w3, null, { groups: 3 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 3",
  ],
  [
    'conv1d weight channels',
    () => sg.conv1d(x3, ones([2, 3, 3])),
    "conv1d: argument 'weight' expected a weight [O, 4 (input channels per group), k], got shape [2, 3, 3] (x has shape [1, 4, 5])",
  ],
  [
    'conv1d weight channels per group',
    () => sg.conv1d(x3, ones([2, 4, 3]), null, { groups: 2 }),
    "conv1d: argument 'weight' expected a weight [O, 2 (input channels per group), k], got shape [2, 4, 3] (x has shape [1, 4, 5])",
  ],
  [
    'conv1d stride string',
    () => sg.conv1d(x3, w3, null, { stride: '1' as never }),
    'conv1d: argument \'stride\' expected an integer, got "1"',
  ],
  [
    'conv1d dilation string',
    () => sg.conv1d(x3, w3, null, { dilation: '1' as never }),
    'conv1d: argument \'dilation\' expected an integer, got "1"',
  ],
  [
    'conv1d padding full',
    () => sg.conv1d(x3, w3, null, { padding: 'full' as never }),
    "conv1d: argument 'padding' expected an integer, 'same' or 'valid', got \"full\"",
  ],
  [
    'dropout p a string (it would compare as a number)',
    () => sg.dropout(img, '0.5' as never),
    'dropout: argument \'p\' expected a probability in [0, 1], got "0.5"',
  ],
  [
    'dropout generator',
    () => sg.dropout(img, 0.5, { generator: 3 as never }),
    "dropout: argument 'generator' expected a Generator (new Generator(seed)), got 3",
  ],
  [
    'fold options',
    () => sg.fold(ones([1, 4, 4]), [3, 3], 2, { strides: 1 } as never),
    "fold: argument 'options' expected only the options 'stride', 'padding', 'dilation', got unknown option 'strides'",
  ],
  [
    'fold cols of rank 4 whose first axes fit',
    () => sg.fold(ones([1, 4, 4, 1]), [3, 3], 2),
    "fold: argument 'cols' expected a tensor [N, C·4, 4] (kernel [2, 2], 4 windows), got shape [1, 4, 4, 1]",
  ],
  [
    'dropout training',
    () => sg.dropout(img, 0.5, { training: 1 as never }),
    "dropout: argument 'training' expected a boolean, got 1",
  ],
  [
    'interpolate no options',
    () => sg.interpolate(img, undefined as never),
    "interpolate: argument 'options' expected an object with size or scaleFactor, got undefined",
  ],
  [
    'interpolate alignCorners nearest',
    () => sg.interpolate(img, { size: [2, 2], mode: 'nearest', alignCorners: true } as never),
    "interpolate: argument 'alignCorners' expected nothing with mode 'nearest' (it applies to bilinear), got boolean",
  ],
  [
    'interpolate alignCorners bilinear',
    () => sg.interpolate(img, { size: [2, 2], mode: 'bilinear', alignCorners: 1 } as never),
    "interpolate: argument 'alignCorners' expected a boolean, got 1",
  ],
  [
    'interpolate empty image',
    () => sg.interpolate(zeros([1, 1, 0, 4]), { size: [2, 2] }),
    "interpolate: argument 'x' expected images with at least one pixel along H and W, got shape [1, 1, 0, 4]",
  ],
  [
    'interpolate scaleFactor',
    () => sg.interpolate(img, { scaleFactor: [2, -1] } as never),
    "interpolate: argument 'scaleFactor' expected a number > 0 or a pair of them, got an array of length 2",
  ],
  [
    'interpolate scaleFactor 3',
    () => sg.interpolate(img, { scaleFactor: [2, 2, 2] } as never),
    "interpolate: argument 'scaleFactor' expected a number > 0 or a pair of them, got an array of length 3",
  ],
  [
    'padWith pads',
    () =>
      sg.padWith(
        img,
        [
          [0, 0],
          [0, 0],
          [1, -1],
          [0, 0],
        ],
        'reflect',
      ),
    "padWith: argument 'pads[2]' expected a pair of non-negative integers [before, after], got an array of length 2",
  ],
  [
    'padWith pads not pair',
    () => sg.padWith(img, [[0, 0], [0, 0], [1] as never, [0, 0]], 'reflect'),
    "padWith: argument 'pads[2]' expected a pair of non-negative integers [before, after], got an array of length 1",
  ],
  [
    'padWith reflect too far',
    () =>
      sg.padWith(
        img,
        [
          [0, 0],
          [0, 0],
          [4, 0],
          [0, 0],
        ],
        'reflect',
      ),
    "padWith: argument 'pads[2]' expected at most side − 1 = 3 on each end for 'reflect' (axis 2 has 4), got [4, 0]",
  ],
  [
    'padWith circular too far',
    () =>
      sg.padWith(
        img,
        [
          [0, 0],
          [0, 0],
          [5, 0],
          [0, 0],
        ],
        'circular',
      ),
    "padWith: argument 'pads[2]' expected at most side = 4 on each end for 'circular' (axis 2 has 4), got [5, 0]",
  ],
  [
    'adaptiveAvgPool2d empty',
    () => sg.adaptiveAvgPool2d(zeros([1, 1, 0, 4]), [1, 1]),
    "adaptiveAvgPool2d: argument 'x' expected images with at least one pixel (the mean of nothing is undefined), got shape [1, 1, 0, 4]",
  ],
  [
    'adaptiveMaxPool2d empty',
    () => sg.adaptiveMaxPool2d(zeros([1, 1, 4, 0]), [1, 1]),
    "adaptiveMaxPool2d: argument 'x' expected images with at least one pixel (the max of nothing is undefined), got shape [1, 1, 4, 0]",
  ],
  [
    'adaptiveMaxPool2d too many bins',
    () => sg.adaptiveMaxPool2d(img, [100000, 1]),
    "adaptiveMaxPool2d: argument 'outputSize' expected at most 16384 bins along each axis, got [100000, 1]",
  ],
  [
    'maxPool2d options',
    () => sg.maxPool2d(img, 2, 3 as never),
    "maxPool2d: argument 'options' expected an options object ({ stride, padding, dilation, ceilMode }), got 3",
  ],
  [
    'avgPool2d options',
    () => sg.avgPool2d(img, 2, 'x' as never),
    'avgPool2d: argument \'options\' expected an options object ({ stride, padding, ceilMode, countIncludePad, dilation }), got "x"',
  ],
  [
    'min empty axis',
    () => sg.min(zeros([2, 0]), 1),
    "min: argument 'a' expected a non-zero side on the reduced axis (the min of nothing is undefined), got shape [2, 0] (axis 1 has side 0)",
  ],
  [
    'max empty axis',
    () => sg.max(zeros([2, 0]), 1),
    "max: argument 'a' expected a non-zero side on the reduced axis (the max of nothing is undefined), got shape [2, 0] (axis 1 has side 0)",
  ],
  [
    'variance options',
    () => sg.variance(ones([3]), 0, 5 as never),
    "variance: argument 'options' expected an options object ({ correction, keepdim }), got 5",
  ],
  [
    'variance correction too big',
    () => sg.variance(ones([1]), 0, { correction: 1 }),
    "variance: argument 'correction' expected less than the 1 element reduced (N − correction is the divisor), got 1",
  ],
  [
    'variance correction too big 3',
    () => sg.variance(ones([3]), 0, { correction: 3 }),
    "variance: argument 'correction' expected less than the 3 elements reduced (N − correction is the divisor), got 3",
  ],
  [
    'attention scale',
    () => sg.scaledDotProductAttention(ones([1, 2, 4]), ones([1, 2, 4]), ones([1, 2, 4]), { scale: Infinity }),
    "scaledDotProductAttention: argument 'scale' expected a finite number, got Infinity",
  ],
  [
    'attention scale string',
    () => sg.scaledDotProductAttention(ones([1, 2, 4]), ones([1, 2, 4]), ones([1, 2, 4]), { scale: '1' as never }),
    'scaledDotProductAttention: argument \'scale\' expected a finite number, got "1"',
  ],
  [
    'Tensor data',
    () => new sg.Tensor([1, 2] as never),
    "Tensor: argument 'data' expected an NDArray (use tensor(values) for numbers and arrays), got an array of length 2",
  ],
  [
    'Tensor init',
    () => new sg.Tensor(one(), 3 as never),
    "Tensor: argument 'init' expected an options object ({ requiresGrad, node }), got 3",
  ],
  [
    'unbroadcast shape',
    () => sg.unbroadcast(ones([2, 3]), 'bad' as never),
    'unbroadcast: argument \'shape\' expected a shape (an array of non-negative integers), got "bad"',
  ],
  [
    'Tensor init null',
    () => new sg.Tensor(one(), null as never),
    "Tensor: argument 'init' expected an options object ({ requiresGrad, node }), got null",
  ],
  [
    'Tensor init string',
    () => new sg.Tensor(one(), 'x' as never),
    'Tensor: argument \'init\' expected an options object ({ requiresGrad, node }), got "x"',
  ],
  [
    'Tensor requiresGrad',
    () => new sg.Tensor(one(), { requiresGrad: 'yes' as never }),
    'Tensor: argument \'requiresGrad\' expected a boolean, got "yes"',
  ],
  [
    'Tensor node',
    () => new sg.Tensor(one(), { node: {} as never }),
    "Tensor: argument 'node' expected a Node or null, got an object",
  ],
  [
    'Node inputs',
    () => new sg.Node('op', 3 as never, one(), () => []),
    "Node: argument 'inputs' expected an array of input records, got 3",
  ],
  [
    'Node out',
    () => new sg.Node('op', [], [1] as never, () => []),
    "Node: argument 'out' expected the NDArray the op produced, got an array of length 1",
  ],
  [
    'GradcheckError',
    () => new sg.GradcheckError({} as never),
    "GradcheckError: argument 'report' expected a GradcheckReport (what gradcheck returns), got an object",
  ],
  [
    'GradcheckError null',
    () => new sg.GradcheckError(null as never),
    "GradcheckError: argument 'report' expected a GradcheckReport (what gradcheck returns), got null",
  ],
  [
    'gradcheck eps a string',
    () => sg.gradcheck((a) => a.mul(2), [sg.tensor([1], f64)], { eps: '1' as never }),
    'gradcheck: argument \'eps\' expected a positive number, got "1"',
  ],
  [
    'gradcheck eps 0',
    () => sg.gradcheck((a) => a.mul(2), [sg.tensor([1], f64)], { eps: 0 }),
    "gradcheck: argument 'eps' expected a positive number, got 0",
  ],
  [
    'gradcheck atol negative',
    () => sg.gradcheck((a) => a.mul(2), [sg.tensor([1], f64)], { atol: -1 }),
    "gradcheck: argument 'atol' expected a positive number, got -1",
  ],
  [
    'gradcheck rtol NaN',
    () => sg.gradcheck((a) => a.mul(2), [sg.tensor([1], f64)], { rtol: NaN }),
    "gradcheck: argument 'rtol' expected a positive number, got NaN",
  ],
  [
    'gradcheck a float32 output',
    () => sg.gradcheck((a) => a.to('float32'), [sg.tensor([1], f64)]),
    'gradcheck: argument \'fn\' expected float64 outputs (inputs are checked as float64 copies), got output 0 of dtype float32 (create constants inside fn with { dtype: "float64" })',
  ],
  [
    'gradcheck an output that is not a tensor',
    () => sg.gradcheck((a) => [a.mul(2), 3] as never, [sg.tensor([1], f64)]),
    "gradcheck: argument 'fn' expected a function returning a Tensor or an array of Tensors, got output 1: 3",
  ],
  [
    'gradcheck fn',
    () => sg.gradcheck(3 as never, [sg.tensor([1], f64)]),
    "gradcheck: argument 'fn' expected a function of tensors, got 3",
  ],
  [
    'gradcheck inputs',
    () => sg.gradcheck((a) => a, sg.tensor([1], f64) as never),
    "gradcheck: argument 'inputs' expected an array of Tensors, got a Tensor of shape [1]",
  ],
  [
    'gradcheck inputs[1]',
    () => sg.gradcheck((a) => a, [sg.tensor([1], f64), 2] as never),
    "gradcheck: argument 'inputs[1]' expected a Tensor, got 2",
  ],
  [
    'GradcheckError a string',
    () => new sg.GradcheckError('failed' as never),
    'GradcheckError: argument \'report\' expected a GradcheckReport (what gradcheck returns), got "failed"',
  ],
  [
    'GradcheckError toString not a function',
    () => new sg.GradcheckError({ inputs: [], toString: 3 } as never),
    "GradcheckError: argument 'report' expected a GradcheckReport (what gradcheck returns), got an object",
  ],
  [
    'Node op',
    () => new sg.Node(3 as never, [], one(), () => []),
    "Node: argument 'op' expected an op name (a string), got 3",
  ],
  ['enableGrad', () => sg.enableGrad(3 as never), "enableGrad: argument 'fn' expected a function, got 3"],
  ['noGrad', () => sg.noGrad(3 as never), "noGrad: argument 'fn' expected a function, got 3"],
  [
    'checkTensor op',
    () => sg.checkTensor(3 as never, 'x', 1),
    "checkTensor: argument 'op' expected the name of the op (a string), got 3",
  ],
  [
    'checkTensor arg',
    () => sg.checkTensor('myOp', 3 as never, 1),
    "checkTensor: argument 'arg' expected the name of the argument (a string), got 3",
  ],
  ['checkTensor', () => sg.checkTensor('myOp', 'x', 1), "myOp: argument 'x' expected a Tensor, got 1"],
  [
    'Node backwardFn',
    () => new sg.Node('op', [], one(), 3 as never),
    "Node: argument 'backwardFn' expected a function, got 3",
  ],
  [
    'mixed dtypes',
    () => sg.mul(sg.tensor([1], { dtype: 'float64' }), sg.tensor([2])),
    "mul: argument 'b' expected dtype float64 (the dtype of 'a'), got float32 (convert one with .to(dtype) first)",
  ],
  ['attention q', () => sdpa(1 as never, q, q), "scaledDotProductAttention: argument 'q' expected a Tensor, got 1"],
  ['attention k', () => sdpa(q, 1 as never, q), "scaledDotProductAttention: argument 'k' expected a Tensor, got 1"],
  ['attention v', () => sdpa(q, q, 1 as never), "scaledDotProductAttention: argument 'v' expected a Tensor, got 1"],
  [
    'attention k dtype',
    () => sdpa(q, ones([1, 3, 4], d), q),
    "scaledDotProductAttention: argument 'k' expected dtype float32 (the dtype of 'q'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'attention v dtype',
    () => sdpa(q, q, ones([1, 3, 4], d)),
    "scaledDotProductAttention: argument 'v' expected dtype float32 (the dtype of 'q'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'attention v rank',
    () => sdpa(q, q, ones([4])),
    "scaledDotProductAttention: argument 'v' expected a tensor [..., S, Ev] with as many tokens S as k [1, 3, 4], got shape [4]",
  ],
  [
    'attention k rank',
    () => sdpa(q, ones([4]), q),
    "scaledDotProductAttention: argument 'k' expected a tensor of rank >= 2 ([..., tokens, features]), got shape [4]",
  ],
  [
    'attention v rank 0',
    () => sdpa(q, q, sg.tensor(1)),
    "scaledDotProductAttention: argument 'v' expected a tensor [..., S, Ev] with as many tokens S as k [1, 3, 4], got shape []",
  ],
  [
    'attention v tokens',
    () => sdpa(q, q, ones([1, 2, 4])),
    "scaledDotProductAttention: argument 'v' expected a tensor [..., S, Ev] with as many tokens S as k [1, 3, 4], got shape [1, 2, 4]",
  ],
  [
    'attention head dimension',
    () => sdpa(q, ones([1, 3, 5]), ones([1, 3, 5])),
    "scaledDotProductAttention: argument 'k' expected a last axis of q's feature size 4, got shape [1, 3, 5] (queries and keys must have the same head dimension)",
  ],
  [
    'attention bias dtype',
    () => sdpa(q, q, q, { bias: ones([3, 3], d) }),
    "scaledDotProductAttention: argument 'bias' expected dtype float32 (the dtype of 'q'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'attention bias shape',
    () => sdpa(q, q, q, { bias: ones([2, 3]) }),
    "scaledDotProductAttention: argument 'bias' expected a shape that broadcasts to the scores' [1, 3, 3] ([..., L, S]), got [2, 3]",
  ],
  [
    'attentionWeights op',
    () => sg.attentionWeights(q, q, {}, 3 as never),
    "attentionWeights: argument 'op' expected the name its errors use (a string; a layer passes its own), got 3",
  ],
  [
    'attentionWeights q',
    () => sg.attentionWeights(1 as never, q, {}, 'MyLayer'),
    "MyLayer: argument 'q' expected a Tensor, got 1",
  ],
  [
    'attentionWeights k',
    () => sg.attentionWeights(q, 1 as never, {}, 'MyLayer'),
    "MyLayer: argument 'k' expected a Tensor, got 1",
  ],
  [
    'attentionWeights k dtype',
    () => sg.attentionWeights(q, ones([1, 3, 4], d), {}, 'MyLayer'),
    "MyLayer: argument 'k' expected dtype float32 (the dtype of 'q'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'attentionWeights q rank',
    () => sg.attentionWeights(ones([4]), q, {}, 'MyLayer'),
    "MyLayer: argument 'q' expected a tensor of rank >= 2 ([..., tokens, features]), got shape [4]",
  ],
  [
    'attention mask',
    () => sdpa(q, q, q, { mask: 3 as never }),
    "scaledDotProductAttention: argument 'mask' expected a Tensor, got 3",
  ],
  [
    'attention bias',
    () => sdpa(q, q, q, { bias: 3 as never }),
    "scaledDotProductAttention: argument 'bias' expected a Tensor, got 3",
  ],
  [
    'attention causal',
    () => sdpa(q, q, q, { causal: 1 as never }),
    "scaledDotProductAttention: argument 'causal' expected a boolean, got 1",
  ],
  [
    'attention dropout',
    () => sdpa(q, q, q, { dropout: 1 }),
    "scaledDotProductAttention: argument 'dropout' expected a probability in [0, 1), got 1",
  ],
  [
    'attention generator',
    () => sdpa(q, q, q, { generator: 3 as never }),
    "scaledDotProductAttention: argument 'generator' expected a Generator (new Generator(seed)), got 3",
  ],
  [
    'attention unknown option',
    () => sdpa(q, q, q, { masks: 1 } as never),
    "scaledDotProductAttention: argument 'options' expected only the options 'mask', 'causal', 'bias', 'scale', 'dropout', 'generator', got unknown option 'masks'",
  ],
  [
    'attention options',
    () => sdpa(q, q, q, 3 as never),
    "scaledDotProductAttention: argument 'options' expected an options object ({ mask, causal, bias, scale, dropout, generator }), got 3",
  ],
  [
    'attention a row masked out',
    () =>
      sdpa(q, q, q, {
        mask: sg.tensor([
          [1, 1, 1],
          [0, 0, 0],
          [1, 0, 0],
        ]),
      }),
    "scaledDotProductAttention: argument 'mask' expected at least one key each query may attend to, got query row 1 of the mask [3, 3] with every key masked out",
  ],
  [
    'attention dropout a string',
    () => sdpa(q, q, q, { dropout: '0.5' as never }),
    'scaledDotProductAttention: argument \'dropout\' expected a probability in [0, 1), got "0.5"',
  ],
  [
    'attention dropout negative',
    () => sdpa(q, q, q, { dropout: -0.5 }),
    "scaledDotProductAttention: argument 'dropout' expected a probability in [0, 1), got -0.5",
  ],
  [
    'attention mask dtype',
    () => sdpa(q, q, q, { mask: ones([3, 3], { dtype: 'float64' }) }),
    "scaledDotProductAttention: argument 'mask' expected dtype float32 (q's), got float64 (convert it with .to(dtype))",
  ],
  [
    'attention mask values',
    () => sdpa(q, q, q, { mask: sg.full([3, 3], 0.5) }),
    "scaledDotProductAttention: argument 'mask' expected only 0s and 1s (1 = may attend), got 0.5 (an additive mask of 0 / −∞ goes in options.bias)",
  ],
  [
    'attention mask shape',
    () => sdpa(q, q, q, { mask: ones([2, 3]) }),
    "scaledDotProductAttention: argument 'mask' expected a shape that broadcasts to the scores' [1, 3, 3] ([..., L, S]), got [2, 3]",
  ],
  [
    'attention bias of higher rank',
    () => sdpa(q, q, q, { bias: ones([2, 1, 3, 3]) }),
    "scaledDotProductAttention: argument 'bias' expected a shape that broadcasts to the scores' [1, 3, 3] ([..., L, S]), got [2, 1, 3, 3]",
  ],
  ['clamp min above max', () => sg.clamp(ones([2]), 2, 1), "clamp: argument 'max' expected a bound >= min (2), got 1"],
  ['clamp NaN', () => sg.clamp(ones([2]), NaN), "clamp: argument 'min' expected a number or undefined, got NaN"],
  [
    'conv2d same with a bad stride',
    () => sg.conv2d(img, ones([1, 1, 3, 3]), null, { padding: 'same', stride: 'x' as never }),
    'conv2d: argument \'stride\' expected an integer >= 1 or a pair of them, got "x"',
  ],
  [
    'conv2d same with stride 2',
    () => sg.conv2d(img, ones([1, 1, 3, 3]), null, { padding: 'same', stride: 2 }),
    "conv2d: argument 'padding' expected 'same' only with stride 1 (as PyTorch), got stride [2, 2]",
  ],
  [
    'conv2d same with a stride of 2 on one axis',
    () => sg.conv2d(img, ones([1, 1, 3, 3]), null, { padding: 'same', stride: [2, 1] }),
    "conv2d: argument 'padding' expected 'same' only with stride 1 (as PyTorch), got stride [2, 1]",
  ],
  [
    'conv2d same with a bad dilation',
    () => sg.conv2d(img, ones([1, 1, 3, 3]), null, { padding: 'same', dilation: 0 }),
    "conv2d: argument 'dilation' expected an integer >= 1 or a pair of them, got 0",
  ],
  [
    'conv2d same with stride [1, 2]',
    () => sg.conv2d(img, ones([1, 1, 3, 3]), null, { padding: 'same', stride: [1, 2] }),
    "conv2d: argument 'padding' expected 'same' only with stride 1 (as PyTorch), got stride [1, 2]",
  ],
  [
    'conv2d groups 1.5',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), null, { groups: 1.5 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 1.5",
  ],
  [
    'conv2d groups 0',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), null, { groups: 0 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 0",
  ],
  [
    'conv2d groups not dividing the input channels',
    () => sg.conv2d(x4, ones([3, 4, 1, 1]), null, { groups: 3 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 3 output channels, got 3",
  ],
  [
    'conv2d groups not dividing the output channels',
    () => sg.conv2d(x4, ones([3, 2, 1, 1]), null, { groups: 2 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 3 output channels, got 2",
  ],
  [
    'conv2d bias dtype',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), ones([2], { dtype: 'float64' })),
    "conv2d: argument 'bias' expected dtype float32 (the dtype of 'x'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'conv2d bias rank',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), ones([2, 1])),
    "conv2d: argument 'bias' expected shape [2], got [2, 1]",
  ],
  [
    'conv2d bias size',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), ones([3])),
    "conv2d: argument 'bias' expected shape [2], got [3]",
  ],
  [
    'conv2d bias not a tensor',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), 3 as never),
    "conv2d: argument 'bias' expected a Tensor, got 3",
  ],
  [
    'conv2d unknown option',
    () => sg.conv2d(x4, ones([2, 4, 1, 1]), null, { strides: 1 } as never),
    "conv2d: argument 'options' expected only the options 'stride', 'padding', 'dilation', 'groups', got unknown option 'strides'",
  ],
  [
    'conv1d unknown option',
    () => sg.conv1d(ones([1, 4, 3]), ones([2, 4, 1]), null, { strides: 1 } as never),
    "conv1d: argument 'options' expected only the options 'stride', 'padding', 'dilation', 'groups', got unknown option 'strides'",
  ],
  [
    'convTranspose2d unknown option',
    () => sg.convTranspose2d(x4, ones([4, 2, 1, 1]), null, { strides: 1 } as never),
    "convTranspose2d: argument 'options' expected only the options 'stride', 'padding', 'dilation', 'groups', 'outputPadding', got unknown option 'strides'",
  ],
  [
    'conv1d groups 1.5',
    () => sg.conv1d(x3, ones([2, 4, 3]), null, { groups: 1.5 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 1.5",
  ],
  [
    'conv1d groups dividing the input channels only',
    () => sg.conv1d(x3, ones([2, 1, 3]), null, { groups: 4 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 4",
  ],
  [
    'conv1d groups dividing the output channels only',
    () => sg.conv1d(ones([1, 3, 5]), ones([4, 3, 3]), null, { groups: 2 }),
    "conv1d: argument 'groups' expected a positive integer dividing both 3 input and 4 output channels, got 2",
  ],
  [
    'conv1d weight dtype',
    () => sg.conv1d(x3, ones([2, 4, 3], { dtype: 'float64' })),
    "conv1d: argument 'weight' expected dtype float32 (the dtype of 'x'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'conv1d bias dtype',
    () => sg.conv1d(x3, ones([2, 4, 3]), ones([2], { dtype: 'float64' })),
    "conv1d: argument 'bias' expected dtype float32 (the dtype of 'x'), got float64 (convert one with .to(dtype) first)",
  ],
  [
    'conv1d bias not a tensor',
    () => sg.conv1d(x3, ones([2, 4, 3]), 3 as never),
    "conv1d: argument 'bias' expected a Tensor, got 3",
  ],
  [
    'conv2d groups dividing the input channels only',
    () => sg.conv2d(x4, ones([2, 1, 1, 1]), null, { groups: 4 }),
    "conv2d: argument 'groups' expected a positive integer dividing both 4 input and 2 output channels, got 4",
  ],
  [
    'convTranspose2d bias size',
    () => sg.convTranspose2d(x4, ones([4, 2, 1, 1]), ones([3])),
    "convTranspose2d: argument 'bias' expected shape [2], got [3]",
  ],
];

test.each(refusals)('%s', (_name, call, message) => expectRefusal(call, message));

test('conv1d takes padding as an integer, valid or same', () => {
  expect(sg.conv1d(x3, w3, null, { padding: 'valid' }).shape).toEqual([1, 2, 3]);
  expect(sg.conv1d(x3, w3, null, { padding: 'same' }).shape).toEqual([1, 2, 5]);
  expect(sg.conv1d(x3, w3, null, { padding: 1 }).shape).toEqual([1, 2, 5]);
});

test('hardtanh takes equal bounds (a constant), and refuses a maxVal below minVal', () => {
  expect(sg.hardtanh(sg.tensor([-3, 0.5, 2]), 0.5, 0.5).toArray()).toEqual([0.5, 0.5, 0.5]);
  expect(() => sg.hardtanh(sg.tensor([1]), 1, 0)).toThrow(
    "hardtanh: argument 'maxVal' expected a bound >= minVal (1), got 0",
  );
});

test('clamp: each bound alone or both, gradient 1 strictly inside', () => {
  const x = sg.tensor([-2, 0.5, 3], { dtype: 'float64', requiresGrad: true });
  expect(sg.clamp(x, 0).toArray()).toEqual([0, 0.5, 3]);
  expect(sg.clamp(x, undefined, 1).toArray()).toEqual([-2, 0.5, 1]);
  const y = sg.clamp(x, -1, 1);
  expect(y.toArray()).toEqual([-1, 0.5, 1]);
  y.sum().backward();
  expect(x.grad!.toArray()).toEqual([0, 1, 0]);
  expect(sg.clamp(x, 1, 1).toArray()).toEqual([1, 1, 1]);
});

test("conv2d 'same': an odd window pads inside the convolution, an even one pads the input first", () => {
  const x = sg.rand([1, 1, 4, 4], { requiresGrad: true });
  const odd = sg.conv2d(x, ones([1, 1, 3, 3]), null, { padding: 'same' });
  expect(odd.shape).toEqual([1, 1, 4, 4]);
  expect(odd.node!.inputs[0]!.target).toBe(x);
  const even = sg.conv2d(x, ones([1, 1, 2, 2]), null, { padding: 'same' });
  expect(even.shape).toEqual([1, 1, 4, 4]);
  expect((even.node!.inputs[0]!.target as sg.Node).op).toBe('pad');
});
