// gradcheck's edges: a table in which only some elements fail, and gradgradcheck of a function
// whose output does not depend on its inputs (the first derivative is zeros, and so the second).
import { expect, test } from 'vitest';
import { type Tensor, fromOp, gradcheck, gradgradcheck, tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

test('the table marks only the elements that mismatch', () => {
  const scale = tensor([1, 1, 3], { dtype: 'float64' });
  // y = x, with a backward wrong (3·dy) in the last element only.
  const partly = (x: Tensor): Tensor => fromOp('partly', [x], ['x'], x.data, (dy) => [dy.mul(scale)]);
  const r = gradcheck((a) => partly(a).mul(a), [tensor([1, 2, 3], f64)], { throwOnFailure: false, name: 'partly' });
  expect(r.ok).toBe(false);
  const text = r.toString();
  expect(text).toContain('input 0, shape [3]: 1 of 3 elements mismatch');
  const rows = text.split('\n').filter((l) => /^ {4}\[\d\] /.test(l));
  expect(rows).toHaveLength(3);
  expect(rows.map((l) => l.endsWith('  <- mismatch'))).toEqual([false, false, true]);
  expect(rows[0]).toMatch(/^ {4}\[0\] {14}1\.0000000 {8}\S+ +\S+ +\S+$/);
});

test('gradgradcheck of a function its output does not depend on: zeros all the way', () => {
  const r = gradgradcheck((a) => a.detach().mul(2), [tensor([1, 2], f64)]);
  expect(r.ok).toBe(true);
  expect(r.name).toBe('grad of fn');
  expect(r.inputs[0]!.worst!.analytical).toBe(0);
  expect(r.inputs[0]!.worst!.numerical).toBe(0);
});
