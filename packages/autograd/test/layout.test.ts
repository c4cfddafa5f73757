// matmul's backward picks its product order by the operand's layout: when an operand is a
// transposed view (a Linear layer's wᵀ), its gradient is computed as (b·dyᵀ)ᵀ, so the leaf
// behind the view receives a packed row-major gradient and no transpose is ever copied.
import { expect, test } from 'vitest';
import * as sg from '../src/index.js';

const rowMajor = (t: sg.Tensor): number[] => [t.shape[1]!, 1];

test('x·wᵀ: both leaves get packed row-major gradients', () => {
  const x = sg.rand([4, 3], { requiresGrad: true });
  const w = sg.rand([5, 3], { requiresGrad: true });
  sg.matmul(x, sg.transpose(w, 0, 1))
    .sum()
    .backward();
  expect(x.grad!.data.strides).toEqual(rowMajor(x));
  expect(w.grad!.data.strides).toEqual(rowMajor(w));
});

test('aᵀ·b: both leaves get packed row-major gradients', () => {
  const a = sg.rand([3, 4], { requiresGrad: true });
  const b = sg.rand([3, 5], { requiresGrad: true });
  sg.matmul(sg.transpose(a, 0, 1), b)
    .sum()
    .backward();
  expect(a.grad!.data.strides).toEqual(rowMajor(a));
  expect(b.grad!.data.strides).toEqual(rowMajor(b));
});
