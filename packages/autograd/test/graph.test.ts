// Graph behaviour: how gradients flow through shared, skipped, unused and repeated paths.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  backward,
  concat,
  zeroGrad,
  fromOp,
  grad,
  noGrad,
  enableGrad,
  isGradEnabled,
  ones,
  tensor,
  zerosLike,
  SkipgradError,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

describe('graph behaviour', () => {
  it('an unused branch changes no gradient', () => {
    const x = tensor([1, 2, 3], f64);
    x.mul(2).sum().backward();
    const alone = x.grad!.toArray();
    const y = tensor([1, 2, 3], f64);
    const unused = y.exp().mul(100); // computed, never part of the loss
    y.mul(2).sum().backward();
    expect(y.grad!.toArray()).toEqual(alone);
    expect(unused.requiresGrad).toBe(true);
  });

  it('a value used twice (y = x + f(x)) gets both contributions: the residual', () => {
    const x = tensor([0.5, -1, 2], f64);
    x.add(x.mul(x)).sum().backward(); // d/dx (x + x²) = 1 + 2x
    expect(x.grad!.toArray()).toEqual([2, -1, 5]);
  });

  it('a dense skip concat([x, f(x)]) gives x both contributions', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      f64,
    );
    const h = concat([x, x.mul(3)], 1);
    h.backward(
      tensor(
        [
          [1, 10, 100, 1000],
          [2, 20, 200, 2000],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(x.grad!.toArray()).toEqual([
      [1 + 300, 10 + 3000],
      [2 + 600, 20 + 6000],
    ]);
  });

  it('two losses sharing a subgraph give the sum of their gradients', () => {
    const x = tensor([1, 2], f64);
    const shared = x.mul(x);
    const l1 = shared.sum();
    const l2 = shared.mul(3).sum();
    backward([l1, l2], undefined);
    expect(x.grad!.toArray()).toEqual([8, 16]); // (1 + 3)·2x
    const [dx1] = grad([x.mul(x).sum()], [x]);
    expect(dx1!.toArray()).toEqual([2, 4]);
  });

  it('repeated backward with retainGraph accumulates into .grad; zeroGrad clears it', () => {
    const x = tensor([1, 2], f64);
    const loss = x.mul(x).sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    expect(x.grad!.toArray()).toEqual([4, 8]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    const y = tensor([1], f64);
    x.mul(y).sum().backward(undefined, { retainGraph: true });
    zeroGrad([x, y]);
    expect([x.grad, y.grad]).toEqual([null, null]);
    expect(() => zeroGrad([x, 3 as never])).toThrow(/zeroGrad: argument 'tensors\[1\]' expected a Tensor, got 3/);
    loss.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it('a second backward through a freed graph is a clear error', () => {
    const x = tensor([1, 2], f64);
    const loss = x.mul(x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(SkipgradError);
    expect(() => loss.backward()).toThrow(/already backpropagated.*retainGraph: true/);
  });

  it('a chain of 100,000 ops backpropagates (no recursion)', () => {
    const x = tensor(1, f64);
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    y.backward();
    expect(x.grad!.item()).toBe(1);
    expect(y.item()).toBe(100_001);
  });

  it('a residual chain with 2^n paths runs each node once: time linear in n', () => {
    let calls = 0;
    const counted = (t: Tensor): Tensor =>
      fromOp('counted', [t], ['a'], t.data, (dy) => {
        calls++;
        return [dy];
      });
    const chain = (n: number): number => {
      calls = 0;
      const x = tensor([1], f64);
      let h: Tensor = x;
      for (let i = 0; i < n; i++) h = h.add(counted(h).mul(0.5)); // h + f(h): two paths per block
      h.sum().backward();
      expect(x.grad!.item()).toBeCloseTo(1.5 ** n, 6 - Math.log10(1.5 ** n));
      return calls;
    };
    expect(chain(10)).toBe(10);
    expect(chain(60)).toBe(60); // 2^60 paths, 60 backward calls of the counted op
  });

  it('noGrad records nothing; enableGrad inside it records again', () => {
    const x = tensor([1, 2], f64);
    const y = noGrad(() => x.mul(3));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(3)));
    expect(z.requiresGrad).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true); // restored after a throw
  });

  it('detach cuts the graph; the detached value is shared', () => {
    const x = tensor([1, 2], f64);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    x.mul(d).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
  });

  it('grad-of-grad: d²/dt² of t³ is 6t', () => {
    const t = tensor([0.5, -1.5], f64);
    const [dt] = grad([t.mul(t).mul(t).sum()], [t], { createGraph: true });
    expect(dt!.toArray()).toEqual([0.75, 6.75]);
    expect(dt!.requiresGrad).toBe(true);
    const [d2t] = grad([dt!.sum()], [t]);
    expect(d2t!.toArray()).toEqual([3, -9]);
  });

  it('grad returns zeros for an input the output does not depend on, and does not touch .grad', () => {
    const a = tensor([1, 2], f64);
    const b = tensor([3], f64);
    const [da, db] = grad([a.mul(a).sum()], [a, b]);
    expect(da!.toArray()).toEqual([2, 4]);
    expect(db!.toArray()).toEqual([0]);
    expect(a.grad).toBeNull();
  });

  it('grad with respect to an intermediate (non-leaf) tensor', () => {
    const x = tensor([1, 2], f64);
    const h = x.mul(3);
    const [dh] = grad([h.mul(h).sum()], [h]);
    expect(dh!.toArray()).toEqual([6, 12]);
  });

  it('a non-scalar output needs an explicit gradient of its shape', () => {
    const x = tensor([1, 2], f64);
    expect(() => x.mul(2).backward()).toThrow(
      /backward: argument 'gradient' expected an explicit gradient of shape \[2\]/,
    );
    expect(() => x.mul(2).backward(tensor([1, 2, 3], { dtype: 'float64' }))).toThrow(
      /shape \[2\] and dtype float64.*got shape \[3\]/,
    );
    x.mul(2).backward(tensor([1, 10], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([2, 20]);
  });

  it('backward from a tensor that does not require grad is a clear error', () => {
    expect(() => tensor([1]).sum().backward()).toThrow(
      /backward: argument 'outputs\[0\]' expected a tensor that requires grad/,
    );
  });

  it("the engine checks every backward output's shape and dtype, naming the op and input", () => {
    const x = tensor([1, 2], f64);
    const bad = fromOp('badop', [x], ['input'], x.data, () => [ones([3], { dtype: 'float64' })]);
    expect(() => bad.sum().backward()).toThrow(
      /badop: argument 'gradient of input 'input'' expected shape \[2\] and dtype float64.*got shape \[3\]/,
    );
    const x32 = tensor([1, 2], { requiresGrad: true });
    const wrongDtype = fromOp('castless', [x32], ['a'], x32.data, (dy) => [dy.to('float64')]);
    expect(() => wrongDtype.sum().backward()).toThrow(/castless.*dtype float32.*got shape \[2\] and dtype float64/);
  });

  it('a missing upstream gradient is zeros: an op whose output no loss uses contributes nothing', () => {
    const x = tensor([1, 2], f64);
    const parts = [x.mul(2), x.mul(5)];
    parts[0]!.sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 2]);
    expect(zerosLike(x).toArray()).toEqual([0, 0]);
  });
});
