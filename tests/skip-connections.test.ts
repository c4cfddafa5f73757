// Skip connections across packages: a residual MLP block and a dense block built from the
// public API, checked by gradcheck and by their defining gradient identities.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tensor, concat, grad, gradcheck, matmul, tensor } from '@skipgrad/autograd';
import { tensorOf, tensorsOf } from '@skipgrad/autograd/testing';
import { runs } from './support.js';

/** f(x) = tanh(x W + b): one layer. */
const layer = (x: Tensor, w: Tensor, b: Tensor): Tensor => matmul(x, w).add(b).tanh();
const params = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .chain(([n, d]) => tensorsOf([[n, d], [d, d], [d]]));

describe('skip connections', () => {
  test.prop([params], runs(25))('residual block y = x + f(x) passes gradcheck', ([x, w, b]) => {
    gradcheck((x, w, b) => x.add(layer(x, w, b)), [x!, w!, b!]);
  });

  test.prop([params], runs(25))('dense block y = concat([x, f(x)]) passes gradcheck', ([x, w, b]) => {
    gradcheck((x, w, b) => concat([x, layer(x, w, b)], 1), [x!, w!, b!]);
  });

  test.prop([params.chain((p) => fc.tuple(fc.constant(p), tensorOf(p[0]!.shape)))], runs(25))(
    "a residual block's input gradient is g + J_fᵀ g",
    ([[x, w, b], g]) => {
      const [viaBlock] = grad([x!.add(layer(x!, w!, b!))], [x!], { gradOutputs: [g] });
      const [viaF] = grad([layer(x!, w!, b!)], [x!], { gradOutputs: [g] });
      const expected = g.add(viaF!);
      Array.from(viaBlock!.data.toTypedArray()).forEach((v, i) =>
        expect(v).toBeCloseTo(expected.data.toTypedArray()[i]!, 12),
      );
    },
  );

  it('a residual whose f is zero is the identity and passes g through exactly', () => {
    const x = tensor([[0.3, -1.7]], { requiresGrad: true });
    const zeroF = (t: Tensor): Tensor => t.mul(0);
    const y = x.add(zeroF(x));
    expect(y.toArray()).toEqual(x.toArray());
    const g = tensor([[1.25, -3]]);
    y.backward(g);
    expect(x.grad!.toArray()).toEqual(g.toArray());
  });

  it("a deep residual chain keeps the first layer's gradient alive where the plain chain loses it", () => {
    const depth = 50;
    const w = tensor([[0.05]], { dtype: 'float64' }); // a contracting layer: |f'| <= 0.05
    const firstGrad = (residual: boolean): number => {
      const x = tensor([[0.5]], { dtype: 'float64', requiresGrad: true });
      let h: Tensor = x;
      for (let i = 0; i < depth; i++) h = residual ? h.add(matmul(h, w).tanh()) : matmul(h, w).tanh();
      h.sum().backward();
      return Math.abs(x.grad!.item());
    };
    expect(firstGrad(false)).toBeLessThan(1e-60);
    expect(firstGrad(true)).toBeGreaterThan(1);
  });
});
