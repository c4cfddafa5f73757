import { describe, expect, it } from 'vitest';
import { Generator, SkipgradError, tensor } from '@skipgrad/autograd';
import { NDArray } from '@skipgrad/tensor';
import {
  BatchNorm1d,
  Buffer,
  Linear,
  ModuleList,
  Parameter,
  ReLU,
  Residual,
  SGD,
  Sequential,
  Tanh,
} from '../src/index.js';

const net = (): Sequential =>
  new Sequential(
    new Linear(4, 3, { generator: new Generator(1) }),
    new ReLU(),
    new Residual(new Sequential(new Linear(3, 3, { generator: new Generator(2) }), new Tanh())),
    new BatchNorm1d(3),
    new Linear(3, 2, { bias: false }),
  );

describe('Module', () => {
  it('finds parameters by walking fields, named by path, in order', () => {
    const names = [...net().namedParameters()].map(([n]) => n);
    expect(names).toEqual(['0.weight', '0.bias', '2.f.0.weight', '2.f.0.bias', '3.weight', '3.bias', '4.weight']);
    expect([...net().namedBuffers()].map(([n]) => n)).toEqual([
      '3.running_mean',
      '3.running_var',
      '3.num_batches_tracked',
    ]);
  });

  it('counts parameters and prints a tree with the counts', () => {
    const m = net();
    expect(m.parameterCount()).toBe(4 * 3 + 3 + 3 * 3 + 3 + 3 + 3 + 3 * 2);
    const text = m.toString();
    expect(text).toContain('(0): Linear(in=4, out=3, bias=true)  # 15 parameters');
    expect(text).toContain('(2): Residual(');
    expect(text).toContain('(3): BatchNorm1d(3, eps=0.00001, momentum=0.1)  # 6 parameters');
    expect(text.split('\n').at(-1)).toBe(')  # 39 parameters');
  });

  it('train() and eval() reach every child', () => {
    const m = net().eval();
    expect([...m.namedChildren()].every(([, c]) => !c.training)).toBe(true);
    expect((m.layers[2] as Residual).f.training).toBe(false);
    m.train();
    expect((m.layers[2] as Residual).f.training).toBe(true);
  });

  it('zeroGrad clears every parameter gradient', () => {
    const m = net();
    m.forward(
      tensor([
        [1, 2, 3, 4],
        [0, 1, 0, 1],
      ]),
    )
      .sum()
      .backward();
    expect([...m.parameters()].every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect([...m.parameters()].every((p) => p.grad === null)).toBe(true);
  });

  it('stateDict round-trips; a bad state dict changes nothing', () => {
    const a = net();
    const b = net();
    (b.layers[4] as Linear).weight.assign(new NDArray(new Float32Array(6).fill(7), [2, 3]));
    b.loadStateDict(a.stateDict());
    const x = tensor([[1, 2, 3, 4]]);
    expect(b.eval().forward(x).toArray()).toEqual(a.eval().forward(x).toArray());
    const before = b.stateDict();
    const broken = new Map(a.stateDict());
    broken.set('4.weight', new NDArray(new Float32Array(4), [2, 2]));
    expect(() => b.loadStateDict(broken)).toThrow(
      /loadStateDict: argument 'state\['4.weight'\]' expected shape \[2, 3\] and dtype float32, got shape \[2, 2\]/,
    );
    const missing = new Map(a.stateDict());
    missing.delete('0.bias');
    missing.set('extra', new NDArray(new Float32Array(1), [1]));
    expect(() => b.loadStateDict(missing)).toThrow(/1 missing \(0.bias\) and 1 unexpected \(extra\)/);
    expect([...b.stateDict()].map(([k, v]) => [k, v.toArray()])).toEqual([...before].map(([k, v]) => [k, v.toArray()]));
  });

  it('Parameter.assign checks shape and dtype', () => {
    const p = new Parameter(new NDArray(new Float32Array(2), [2]));
    expect(p.requiresGrad).toBe(true);
    expect(() => p.assign(new NDArray(new Float64Array(2), [2]))).toThrow(SkipgradError);
  });

  it("Parameter and Buffer take a Tensor (PyTorch's habit) and train; anything else is refused at once", () => {
    const source = tensor([1, 2], { requiresGrad: true }).mul(2); // a non-leaf: its values are taken detached
    const p = new Parameter(source);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    p.mul(p).sum().backward();
    new SGD([p], { lr: 0.1 }).step(); // p = [2, 4]; p − 0.1·2p
    expect(p.toArray()).toEqual([1.6, 3.2].map((v) => expect.closeTo(v, 5)));
    expect(new Buffer(tensor([3])).toArray()).toEqual([3]);
    expect(() => new Parameter([1, 2] as never)).toThrow(
      /Parameter: argument 'data' expected a Tensor or an NDArray, got/,
    );
    expect(() => new Buffer(null as never)).toThrow(
      /Buffer: argument 'data' expected a Tensor or an NDArray, got null/,
    );
    expect(() => p.assign(tensor([1, 2]) as never)).toThrow(/Parameter.assign: argument 'values' expected an NDArray/);
  });

  it('ModuleList registers its modules and refuses to be called', () => {
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 2)]);
    expect(list.length).toBe(2);
    expect([...list.namedParameters()].map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(() => list.forward()).toThrow(/ModuleList.forward/);
    expect(() => new Sequential(3 as never)).toThrow(/Sequential: argument 'modules\[0\]' expected a Module, got 3/);
  });
});
