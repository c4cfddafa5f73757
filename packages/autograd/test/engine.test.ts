// The engine's finer points: which nodes run, what is freed, gradients that do not arrive,
// and the checks on what callers pass in.
import { describe, expect, it } from 'vitest';
import { type Tensor, backward, fromOp, grad, ones, tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

/** An identity op that counts how often its backward runs. */
function counter(): { op: (t: Tensor) => Tensor; calls: () => number } {
  let n = 0;
  return {
    op: (t) =>
      fromOp('counted', [t], ['a'], t.data, (dy) => {
        n++;
        return [dy];
      }),
    calls: () => n,
  };
}

describe('engine', () => {
  it('grad runs only the nodes on a path to the requested inputs, and frees only those', () => {
    const towardA = counter();
    const towardC = counter();
    const a = tensor([1, 2], f64);
    const c = tensor([3, 4], f64);
    const loss = towardA.op(a).mul(2).add(towardC.op(c).mul(3)).sum();
    const [da] = grad([loss], [a]);
    expect(da!.toArray()).toEqual([2, 2]);
    expect([towardA.calls(), towardC.calls()]).toEqual([1, 0]);
    expect(a.grad).toBeNull();
  });

  it('a backward that returns null for an input sends no gradient there (treated as zero)', () => {
    const x = tensor([1, 2], f64);
    const blocked = fromOp('blocked', [x.mul(3)], ['a'], x.data, () => [null]);
    blocked.sum().backward();
    expect(x.grad).toBeNull();
    const y = tensor([1], f64);
    const half = fromOp('half', [y, y.mul(2)], ['a', 'b'], y.data, (dy) => [dy, null]);
    half.sum().backward();
    expect(y.grad!.toArray()).toEqual([1]);
  });

  it('createGraph makes the accumulated .grad itself differentiable; retainGraph defaults to createGraph', () => {
    const x = tensor([1.5], f64);
    const y = x.mul(x).mul(x).sum();
    y.backward(undefined, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    const [d2] = grad([x.grad!.sum()], [x], { retainGraph: true }); // it runs through y's graph too
    expect(d2!.toArray()).toEqual([9]);
    y.backward(); // y's graph was retained by createGraph
    expect(x.grad!.toArray()).toEqual([6.75 * 2]);
    expect(x.grad!.requiresGrad).toBe(false);
  });

  it('without createGraph, gradients carry no graph', () => {
    const x = tensor([2], f64);
    x.mul(x).sum().backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.node).toBeNull();
    const [dx] = grad([x.mul(x).sum()], [x]);
    expect(dx!.requiresGrad).toBe(false);
  });

  it('the same output twice, and several outputs at once, add up', () => {
    const x = tensor([1, 2], f64);
    const loss = x.mul(x).sum();
    const [dx] = grad([loss, loss], [x]);
    expect(dx!.toArray()).toEqual([4, 8]);
    const z = tensor([1], f64);
    backward([z.mul(2).sum(), z.mul(5).sum()], [ones([], { dtype: 'float64' }), ones([], { dtype: 'float64' }).mul(2)]);
    expect(z.grad!.toArray()).toEqual([12]);
  });

  it('a leaf can be its own output', () => {
    const x = tensor(3, f64);
    x.backward();
    expect(x.grad!.item()).toBe(1);
    const [dx] = grad([x], [x], { gradOutputs: [tensor(5, { dtype: 'float64' })] });
    expect(dx!.item()).toBe(5);
  });

  it('checks what it is given: outputs, gradients, inputs', () => {
    const x = tensor([1, 2], f64);
    expect(() => backward([], undefined)).toThrow(
      "backward: argument 'outputs' expected a non-empty array of Tensors, got ",
    );
    expect(() => backward('y' as never, undefined)).toThrow(
      /backward: argument 'outputs' expected a non-empty array of Tensors, got y/,
    );
    expect(() => grad([], [x])).toThrow(/grad: argument 'outputs' expected a non-empty array/);
    expect(() => grad([x.sum()], 'x' as never)).toThrow(
      /grad: argument 'inputs' expected a non-empty array of Tensors, got x/,
    );
    expect(() => grad([x.sum()], [3 as never])).toThrow("grad: argument 'inputs[0]' expected a Tensor, got 3");
    expect(() => grad([3 as never], [x])).toThrow("grad: argument 'outputs[0]' expected a Tensor, got 3");
    expect(() => grad([x.sum()], [x], { gradOutputs: [3 as never] })).toThrow(
      "grad: argument 'gradient' expected a Tensor, got 3",
    );
    expect(() => x.mul(2).backward(tensor([1, 2]))).toThrow(
      "backward: argument 'gradient' expected shape [2] and dtype float64 (the output's), got shape [2] and dtype float32",
    );
    expect(() => x.sum().backward(tensor(1, { dtype: 'float64' }).reshape([1]))).toThrow(
      /got shape \[1\] and dtype float64/,
    );
  });
});
