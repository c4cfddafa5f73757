// matmul's backward picks its product order by the operand's layout: when an operand is a
// transposed view (a Linear layer's wᵀ), its gradient is computed as (b·dyᵀ)ᵀ, so the leaf
// behind the view receives a packed row-major gradient and no transpose is ever copied.
import { expect, test } from 'vitest';
import * as sg from '../src/index.js';
import { countingBackend } from './counting.js';

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

test('x·w on a batch [N, T, k]: w gets one product over all N·T rows, not one per sequence and a sum', () => {
  const inner = sg.getBackend();
  const { backend, calls } = countingBackend(inner);
  const x = sg.rand([3, 5, 4], { dtype: 'float64' });
  const w = sg.rand([6, 4], { requiresGrad: true, dtype: 'float64' });
  const dy = sg.rand([3, 5, 6], { dtype: 'float64' });
  sg.setBackend(backend);
  try {
    const y = sg.matmul(x, sg.transpose(w, 0, 1));
    calls.length = 0;
    y.backward(dy);
  } finally {
    sg.setBackend(inner);
  }
  expect(calls.filter((c) => c === 'matmul' || c === 'fusedMatmul')).toEqual(['matmul']);
  expect(calls).not.toContain('reduce');
  expect(w.grad!.data.strides).toEqual(rowMajor(w));
  // Σₙ dyₙᵀ·xₙ, summed matrix by matrix
  const want = [0, 1, 2]
    .map((n) => sg.matmul(sg.transpose(dy.narrow(0, n, 1).squeeze(0), 0, 1), x.narrow(0, n, 1).squeeze(0)))
    .reduce((p, q) => p.add(q));
  const got = w.grad!.toArray() as number[][];
  (want.toArray() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(got[i]![j]).toBeCloseTo(v, 12)));
});

test("attention's scores q·kᵀ/√E are one backend call: the scale rides in the matmul's epilogue", () => {
  const inner = sg.getBackend();
  const { backend, calls } = countingBackend(inner);
  const q = sg.rand([2, 3, 5, 4]);
  const k = sg.rand([2, 3, 6, 4]);
  sg.setBackend(backend);
  let weights: sg.Tensor;
  try {
    weights = sg.attentionWeights(q, k);
  } finally {
    sg.setBackend(inner);
  }
  expect(calls.filter((c) => c !== 'softmax')).toEqual(['fusedMatmul']);
  const composite = sg.softmax(sg.mul(sg.matmul(q, sg.transpose(k, -2, -1)), 0.5), -1);
  expect(Array.from(weights.data.toTypedArray())).toEqual(Array.from(composite.data.toTypedArray()));
});
