// The foundation issue's acceptance snippet, exactly as written, through the package name.
import { describe, expect, it } from 'vitest';
import { tensor, concat, grad } from '@skipgrad/autograd';

describe('acceptance', () => {
  it('residual and dense skips give x both contributions; grad of grad is 6t', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const h = concat([x, x.add(b)], 1); // shape [2, 6]
    expect(h.shape).toEqual([2, 6]);
    h.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
    const t = tensor([0.5, -1.5], { dtype: 'float64', requiresGrad: true });
    const [dt] = grad([t.mul(t).mul(t).sum()], [t], { createGraph: true });
    const [d2t] = grad([dt!.sum()], [t]); // 6t -> [3, -9]
    expect(d2t!.toArray()).toEqual([3, -9]);
  });
});
