// linear, the fused Linear layer op, at its edges: an x whose rows are not laid out one after the
// other, what its node records (input names, the backward rule with and without the ReLU), and
// its refusals whole. (Values and gradchecks: ops.gradcheck.test.ts; its ONNX form: packages/onnx.)
import { describe, expect, it } from 'vitest';
import { arange, linear, matmul, ones, tensor, zeros } from '../src/index.js';
import { expectRefusal } from './refused.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

describe('linear', () => {
  it('takes an x whose leading axes cannot be merged by a view (it is copied into rows first)', () => {
    const x = arange(0, 24, 1, { dtype: 'float64' }).reshape([2, 3, 4]).transpose(0, 1); // [3, 2, 4], not contiguous
    const w = arange(0, 20, 1, { dtype: 'float64' }).reshape([5, 4]).div(10);
    const y = linear(x, w);
    expect(y.shape).toEqual([3, 2, 5]);
    expect(y.toArray()).toEqual(matmul(x, w.transpose(0, 1)).toArray());
  });

  it('names its inputs and states its backward rule, the ReLU included when fused', () => {
    const x = tensor([[1, 2]], f64);
    const w = tensor([[1, 1]], f64);
    const plain = linear(x, w).node!;
    expect(plain.inputs.map((i) => i.name)).toEqual(['x', 'weight']);
    expect(plain.rule).toBe('dx = dz·W, dW = dzᵀ·x, db = Σ dz, with dz = dy');
    const fused = linear(x, w, tensor([0], f64), { relu: true }).node!;
    expect(fused.inputs.map((i) => i.name)).toEqual(['x', 'weight', 'bias']);
    expect(fused.rule).toBe('dx = dz·W, dW = dzᵀ·x, db = Σ dz, with dz = dy·[y > 0]');
  });

  it('refuses a weight or bias of another dtype, a bias that is not a tensor or not [out], a scalar x', () => {
    const x = ones([2, 3]);
    const w = ones([4, 3]);
    const convert = '(convert one with .to(dtype) first)';
    expectRefusal(
      () => linear(x, ones([4, 3]).to('float64')),
      `linear: argument 'weight' expected dtype float32 (the dtype of 'x'), got float64 ${convert}`,
    );
    expectRefusal(
      () => linear(x, w, zeros([4]).to('float64')),
      `linear: argument 'bias' expected dtype float32 (the dtype of 'x'), got float64 ${convert}`,
    );
    expectRefusal(() => linear(x, w, 3 as never), "linear: argument 'bias' expected a Tensor, got 3");
    expectRefusal(() => linear(x, w, zeros([4, 1])), "linear: argument 'bias' expected shape [4], got [4, 1]");
    expectRefusal(
      () => linear(tensor(1), w),
      "linear: argument 'x' expected a tensor of shape [..., 3], got shape [] (weight has shape [4, 3])",
    );
  });
});
