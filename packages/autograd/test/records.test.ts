// Every op records itself in the graph under its own name, with its inputs' names (what error
// messages and graph drawings show), and refuses a non-tensor for each tensor argument.
import { describe, expect, it } from 'vitest';
import * as sg from '../src/index.js';
import { SkipgradError, type Tensor, tensor } from '../src/index.js';

const t = (shape: number[]): Tensor =>
  tensor(
    new Float64Array(shape.reduce((n, s) => n * s, 1)).map((_, i) => 0.25 + i / 8),
    { shape, requiresGrad: true },
  );
const x = t([2, 3]);
const img = t([1, 1, 3, 3]);

/** [expected op, expected input names, the call] */
const recorded: [string, string[], () => Tensor][] = [
  ['add', ['a', 'b'], () => sg.add(x, x)],
  ['sub', ['a', 'b'], () => sg.sub(x, x)],
  ['mul', ['a', 'b'], () => sg.mul(x, x)],
  ['div', ['a', 'b'], () => sg.div(x, x)],
  ['pow', ['a', 'b'], () => sg.pow(x, x)],
  ['neg', ['a'], () => sg.neg(x)],
  ['exp', ['a'], () => sg.exp(x)],
  ['log', ['a'], () => sg.log(x)],
  ['relu', ['a'], () => sg.relu(x)],
  ['abs', ['a'], () => sg.abs(x)],
  ['erf', ['a'], () => sg.erf(x)],
  ['tanh', ['a'], () => sg.tanh(x)],
  ['sigmoid', ['a'], () => sg.sigmoid(x)],
  ['sum', ['a'], () => sg.sum(x)],
  ['max', ['a'], () => sg.max(x, 1)],
  ['reshape', ['a'], () => sg.reshape(x, [3, 2])],
  ['permute', ['a'], () => sg.permute(x, [1, 0])],
  ['expand', ['a'], () => sg.expand(x, [2, 2, 3])],
  ['slice', ['a'], () => sg.slice(x, [[0, 1]])],
  [
    'pad',
    ['a'],
    () =>
      sg.pad(x, [
        [1, 0],
        [0, 1],
      ]),
  ],
  ['concat', ['tensors[0]', 'tensors[1]'], () => sg.concat([x, x])],
  ['matmul', ['a', 'b'], () => sg.matmul(x, t([3, 2]))],
  ['cast', ['a'], () => sg.cast(x, 'float32')],
  ['where', ['a', 'b'], () => sg.where(tensor([1, 0, 1], { dtype: 'float64' }), x, x)],
  ['gather', ['a'], () => sg.gather(x, 1, tensor([[0], [2]], { dtype: 'float64' }))],
  ['scatterAdd', ['src'], () => sg.scatterAdd([2, 3], 1, tensor([[0], [2]], { dtype: 'float64' }), t([2, 1]))],
  ['unfold', ['a'], () => sg.unfold(img, 2)],
  ['fold', ['cols'], () => sg.fold(t([1, 4, 4]), [3, 3], 2)],
  ['conv2d', ['x', 'weight'], () => sg.conv2d(img, t([1, 1, 2, 2]))],
];

describe("every op records its name and its inputs' names", () => {
  it.each(recorded)('%s', (op, names, call) => {
    const y = call();
    expect(y.node?.op).toBe(op);
    expect(y.node?.inputs.map((i) => i.name)).toEqual(names);
    expect(String(y)).toContain(`gradFn=<${op}>`);
  });

  it('composites record the primitives they are made of', () => {
    expect(sg.mean(x).node?.op).toBe('div');
    expect(sg.transpose(x).node?.op).toBe('permute');
    expect(sg.squeeze(t([2, 1])).node?.op).toBe('reshape');
    expect(sg.softmax(x).node?.op).toBe('softmax'); // a composite with a backward of its own (softmax.ts)
    expect(sg.logSoftmax(x).node?.op).toBe('sub');
    expect(sg.conv2d(img, t([1, 1, 2, 2]), t([1])).node?.op).toBe('add'); // the bias, after the conv2d primitive
  });

  it('an op on inputs that need no gradient records nothing', () => {
    const c = tensor([1, 2]);
    for (const y of [c.add(c), c.exp(), c.sum(), c.reshape([2, 1]), sg.concat([c, c])]) {
      expect(y.node).toBeNull();
      expect(y.requiresGrad).toBe(false);
    }
  });
});

/** [call with a non-tensor, op, argument] */
const nonTensor: [() => unknown, string, string][] = [
  [() => sg.sum(3 as never), 'sum', 'a'],
  [() => sg.mean(3 as never), 'mean', 'a'],
  [() => sg.max(3 as never), 'max', 'a'],
  [() => sg.reshape(3 as never, [1]), 'reshape', 'a'],
  [() => sg.permute(3 as never, []), 'permute', 'a'],
  [() => sg.expand(3 as never, [1]), 'expand', 'a'],
  [() => sg.slice(3 as never, []), 'slice', 'a'],
  [() => sg.pad(3 as never, []), 'pad', 'a'],
  [() => sg.cast(3 as never, 'float64'), 'cast', 'a'],
  [() => sg.matmul(3 as never, x), 'matmul', 'a'],
  [() => sg.matmul(x, 3 as never), 'matmul', 'b'],
  [() => sg.transpose(3 as never), 'transpose', 'a'],
  [() => sg.squeeze(3 as never), 'squeeze', 'a'],
  [() => sg.unsqueeze(3 as never, 0), 'unsqueeze', 'a'],
  [() => sg.flatten(3 as never), 'flatten', 'a'],
  [() => sg.narrow(3 as never, 0, 0, 1), 'narrow', 'a'],
  [() => sg.split(3 as never, 1), 'split', 'a'],
  [() => sg.stack([3 as never]), 'stack', 'tensors[0]'],
  [() => sg.softmax(3 as never), 'softmax', 'a'],
  [() => sg.logSoftmax(3 as never), 'logSoftmax', 'a'],
  [() => sg.logSumExp(3 as never), 'logSumExp', 'a'],
  [() => sg.abs(3 as never), 'abs', 'a'],
  [() => sg.erf(3 as never), 'erf', 'a'],
  [() => sg.sqrt(3 as never), 'sqrt', 'a'],
  [() => sg.dropout(3 as never), 'dropout', 'a'],
  [() => sg.clamp(3 as never, 0, 1), 'clamp', 'a'],
  [() => sg.gelu(3 as never), 'gelu', 'a'],
  [() => sg.where(3 as never, x, x), 'where', 'cond'],
  [() => sg.gather(3 as never, 0, x), 'gather', 'a'],
  [() => sg.gather(x, 0, 3 as never), 'gather', 'index'],
  [() => sg.scatterAdd([1], 0, x, 3 as never), 'scatterAdd', 'src'],
  [() => sg.maskedSelect(3 as never, x), 'maskedSelect', 'a'],
  [() => sg.maskedSelect(x, 3 as never), 'maskedSelect', 'mask'],
  [() => sg.unfold(3 as never, 1), 'unfold', 'a'],
  [() => sg.fold(3 as never, 1, 1), 'fold', 'cols'],
  [() => sg.conv2d(3 as never, x), 'conv2d', 'x'],
  [() => sg.conv2d(img, 3 as never), 'conv2d', 'weight'],
  [() => sg.convTranspose2d(3 as never, x), 'convTranspose2d', 'x'],
  [() => sg.convTranspose2d(img, 3 as never), 'convTranspose2d', 'weight'],
  [() => sg.maxPool2d(3 as never, 2), 'maxPool2d', 'x'],
  [() => sg.avgPool2d(3 as never, 2), 'avgPool2d', 'x'],
  [() => sg.adaptiveAvgPool2d(3 as never, 1), 'adaptiveAvgPool2d', 'x'],
  [() => sg.upsampleNearest(3 as never, 2), 'upsampleNearest', 'x'],
];

describe('every op refuses a non-tensor with its own name', () => {
  it.each(nonTensor.map(([call, op, arg]) => [`${op} ${arg}`, call, op, arg] as const))(
    '%s',
    (_label, call, op, arg) => {
      expect(call).toThrow(SkipgradError);
      expect(call).toThrow(`${op}: argument '${arg}' expected a Tensor, got 3`);
    },
  );
});

describe('argument checks of the remaining ops', () => {
  it('pad value, split sizes, dropout p, clamp bounds, stack and backend', () => {
    expect(() =>
      sg.pad(
        x,
        [
          [0, 0],
          [0, 0],
        ],
        'z' as never,
      ),
    ).toThrow('pad: argument \'value\' expected a number, got "z"');
    expect(() => sg.pad(x, [[0, 0], [0, 0, 1] as never])).toThrow(
      "pad: argument 'pads[1]' expected a pair of non-negative integers [before, after], got an array of length 3",
    );
    expect(() =>
      sg.pad(x, [
        [0, 0],
        [0.5, 0],
      ]),
    ).toThrow(/pads\[1\]/);
    expect(() => sg.split(x, [1, -1, 3], 1)).toThrow(
      /split: argument 'sizes' expected non-negative integers summing to 3/,
    );
    expect(() => sg.split(x, [1.5, 1.5], 1)).toThrow(/summing to 3/);
    expect(() => sg.split(x, 'a' as never, 1)).toThrow(/summing to 3/);
    expect(() => sg.split(x, 0, 1)).toThrow(/positive integer or an array of sizes/);
    expect(sg.split(sg.zeros([0]), 2).map((p) => p.shape)).toEqual([[0]]);
    expect(() => sg.stack([])).toThrow(
      "stack: argument 'tensors' expected a non-empty array of Tensors, got an array of length 0",
    );
    expect(() => sg.dropout(x, 1.5)).toThrow("dropout: argument 'p' expected a probability in [0, 1], got 1.5");
    expect(() => sg.dropout(x, -0.1)).toThrow(/got -0.1/);
    expect(sg.dropout(x, 0)).toBe(x);
    expect(sg.dropout(x, 1).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(() => sg.clamp(x, NaN)).toThrow("clamp: argument 'min' expected a number or undefined, got NaN");
    expect(() => sg.clamp(x, 0, 'a' as never)).toThrow(/clamp: argument 'max' expected a number or undefined, got "a"/);
    expect(sg.clamp(tensor([-5, 5]), -1).toArray()).toEqual([-1, 5]);
    expect(sg.clamp(tensor([-5, 5]), undefined, 1).toArray()).toEqual([-5, 1]);
    expect(sg.clamp(tensor([-5, 5]), undefined, -7).toArray()).toEqual([-7, -7]); // a max alone may be below 0
    expect(sg.clamp(tensor([-5, 5]), 7).toArray()).toEqual([7, 7]);
    expect(() => sg.setBackend(null as never)).toThrow(
      "setBackend: argument 'backend' expected an object implementing the Backend interface, got null",
    );
    expect(() => sg.setBackend('cpu' as never)).toThrow(/got "cpu"/);
    const current = sg.getBackend();
    sg.setBackend(current);
    expect(sg.getBackend()).toBe(current);
  });

  it('integer arguments: narrow start and length', () => {
    expect(() => sg.narrow(x, 1, 0.5, 1)).toThrow("narrow: argument 'start' expected an integer, got 0.5");
    expect(() => sg.narrow(x, 1, 0, -1)).toThrow("narrow: argument 'length' expected an integer >= 0, got -1");
    expect(sg.narrow(x, 1, -2, 2).toArray()).toEqual([
      [0.375, 0.5],
      [0.75, 0.875],
    ]);
    expect(() => sg.narrow(x, 1, -4, 1)).toThrow(/narrow: argument 'start'/);
  });
});
