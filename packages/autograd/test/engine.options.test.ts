// backward's and grad's options and refusals, each by name; createGraph through accumulation;
// gradients asked of intermediate tensors (an output given twice among them); grad skipping the
// backwards that lead nowhere asked; a backward that sends nothing to an input.
import { describe, expect, test } from 'vitest';
import { type Tensor, backward, fromOp, grad, tensor, zeroGrad } from '../src/index.js';

describe('backward and grad options', () => {
  test('unknown options are refused naming the function and the options it takes', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => backward([x.sum()], undefined, { retain: true } as never)).toThrow(
      "backward: argument 'options' expected only the options 'retainGraph', 'createGraph', got unknown option 'retain'",
    );
    expect(() => grad([x.sum()], [x], { retain: true } as never)).toThrow(
      "grad: argument 'options' expected only the options 'gradOutputs', 'retainGraph', 'createGraph', got unknown option 'retain'",
    );
  });

  test('with createGraph, a gradient accumulated over two backwards stays differentiable', () => {
    const x = tensor([0.5, -2], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(x).mul(x).sum(); // y = Σx³, dy/dx = 3x², d²y/dx² = 6x
    y.backward(undefined, { createGraph: true });
    y.backward(undefined, { createGraph: true }); // .grad = 3x² + 3x², recorded
    expect(x.grad!.toArray()).toEqual([1.5, 24]);
    expect(x.grad!.requiresGrad).toBe(true);
    const [second] = grad([x.grad!.sum()], [x]);
    expect(second!.toArray()).toEqual([6, -24]); // 2 · 6x
  });

  test('without createGraph the accumulated gradient is a constant', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    expect(x.grad!.requiresGrad).toBe(false);
  });

  test('zeroGrad forgets every gradient, and refuses what is not a list of tensors by name', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    a.mul(b).sum().backward();
    zeroGrad([a, b]);
    expect([a.grad, b.grad]).toEqual([null, null]);
    expect(() => zeroGrad(3 as never)).toThrow("zeroGrad: argument 'tensors' expected a list of Tensors, got 3");
    expect(() => zeroGrad([a, 'b'] as never)).toThrow("zeroGrad: argument 'tensors[1]' expected a Tensor");
  });
});

describe('what flows where', () => {
  test('grad of an intermediate tensor and of the leaf below it, in one call', () => {
    const x = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
    const h = x.mul(3); // h = 3x
    const y = h.mul(h).sum(); // y = Σh², dy/dh = 2h, dy/dx = 6h
    const [dh, dx] = grad([y], [h, x]);
    expect(dh!.toArray()).toEqual([6, -12]);
    expect(dx!.toArray()).toEqual([18, -36]);
  });

  test('grad runs only the backwards on a path to what it is asked for', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    let calls = 0;
    const counted = (t: Tensor): Tensor =>
      fromOp('counted', [t], ['a'], t.data, (dy) => {
        calls++;
        return [dy];
      });
    const [dx] = grad([counted(counted(w)).add(x.mul(2)).sum()], [x]); // w's branch leads nowhere asked
    expect(dx!.toArray()).toEqual([2, 2]);
    expect(calls).toBe(0);
  });

  test('an output given twice, whose own gradient is asked for too: each seed counts, its backward runs once', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3).sum();
    const [dx, dy] = grad([y, y], [x, y]);
    expect(dx!.toArray()).toEqual([6, 6]);
    expect(dy!.item()).toBe(2);
  });

  test('a backward may send null to an input that wants a gradient: that input gets none, and no error', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const firstOnly = fromOp('firstOnly', [a, b], ['a', 'b'], a.data, (dy) => [dy, null]);
    firstOnly.sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 1]);
    expect(b.grad).toBeNull();
    const [, db] = grad([fromOp('firstOnly', [a, b], ['a', 'b'], a.data, (dy) => [dy, null]).sum()], [a, b]);
    expect(db!.toArray()).toEqual([0, 0]); // grad gives zeros for an input nothing reached
  });

  test('a backward that returns fewer gradients than inputs sends none to the rest', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    fromOp('short', [a, b], ['a', 'b'], a.data, (dy) => [dy])
      .sum()
      .backward();
    expect(a.grad!.toArray()).toEqual([1, 1]);
    expect(b.grad).toBeNull();
  });

  test('a gradient of the wrong shape is refused naming the op, the input and the backward at fault', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const wrong = fromOp('wrong', [a], ['a'], a.data, (dy) => [dy.sum()]);
    expect(() => wrong.sum().backward()).toThrow(
      "wrong: argument 'gradient of input 'a'' expected shape [2] and dtype float32 (the input's), got shape [] and dtype float32 (error in the backward of op 'wrong')",
    );
  });
});
