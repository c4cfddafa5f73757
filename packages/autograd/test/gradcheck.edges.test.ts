// gradcheck's edges: a table in which only some elements fail, and gradgradcheck of a function
// whose output does not depend on its inputs (the first derivative is zeros, and so the second),
// of outputs and inputs that need no gradient, the refusal of inputs none of which needs one, and
// an infinite gradient that matches an infinite slope.
import { expect, test } from 'vitest';
import { GradcheckError, type Tensor, fromOp, getBackend, gradcheck, gradgradcheck, tensor } from '../src/index.js';
import { formatNumber, formatReport } from '../src/gradcheck/report.js';

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

test('gradgradcheck differentiates only the outputs and inputs that take part', () => {
  const x = tensor([0.5, -1], f64);
  const fixed = tensor([2, 3], { dtype: 'float64' });
  const r = gradgradcheck((a, c) => [a.mul(a).mul(c), c.mul(2)], [x, fixed]);
  expect(r.ok).toBe(true);
  expect(r.inputs.map((i) => i.input)).toEqual([0]);
});

test('gradcheck and gradgradcheck refuse inputs none of which requires grad, by name', () => {
  for (const [check, name] of [
    [gradcheck, 'gradcheck'],
    [gradgradcheck, 'gradgradcheck'],
  ] as const) {
    expect(() => check((a) => a.mul(2), [tensor([1], { dtype: 'float64' })])).toThrow(
      `${name}: argument 'inputs' expected at least one tensor with requiresGrad: true, got none`,
    );
  }
});

test('a backward that is nondeterministic in its second input only is caught', () => {
  let flip = 0;
  // y = a + b; b's gradient wobbles in its last bits from one backward to the next.
  const wobbly = (a: Tensor, b: Tensor): Tensor =>
    fromOp('wobbly', [a, b], ['a', 'b'], getBackend().binary('add', a.data, b.data), (dy) => [
      dy,
      dy.mul(1 + (flip++ % 2) * 1e-12),
    ]);
  const r = gradcheck(wobbly, [tensor([1, 2], f64), tensor([3, 4], f64)], { throwOnFailure: false });
  expect(r.ok).toBe(false);
  expect(r.problem).toBe('backward is not deterministic: two runs gave different gradients');
});

test('the reports print 8 significant digits in [1e-3, 1e5), and exponentials outside it', () => {
  expect(formatNumber(0)).toBe('0.0000000');
  expect(formatNumber(1e-3)).toBe('0.0010000000');
  expect(formatNumber(-9.99e-4)).toBe('-9.990000e-4');
  expect(formatNumber(99999)).toBe('99999.000');
  expect(formatNumber(1e5)).toBe('1.000000e+5');
  expect(formatNumber(-1e5)).toBe('-1.000000e+5');
  expect(formatNumber(Infinity)).toBe('Infinity');
  expect(formatNumber(NaN)).toBe('NaN');
});

test('the table is printed for up to 16 elements', () => {
  const thrice = (x: Tensor): Tensor => fromOp('thrice', [x], ['x'], x.data, (dy) => [dy.mul(3)]); // y = x, wrong
  const tableOf = (n: number) =>
    gradcheck(
      thrice,
      [
        tensor(
          Array.from({ length: n }, (_, i) => i),
          f64,
        ),
      ],
      { throwOnFailure: false },
    ).inputs[0]!.table;
  expect(tableOf(16)).toHaveLength(16);
  expect(tableOf(17)).toBeNull();
});

test('one mismatch prints no list of the worst few', () => {
  const scale = tensor([1, 3], { dtype: 'float64' });
  const lastWrong = (x: Tensor): Tensor => fromOp('lastWrong', [x], ['x'], x.data, (dy) => [dy.mul(scale)]);
  const text = gradcheck(lastWrong, [tensor([1, 2], f64)], { throwOnFailure: false }).toString();
  expect(text).toContain('1 of 2 elements mismatch');
  expect(text).not.toContain('worst 1:');
});

test('the tolerance is relative to the numerical value: atol + rtol·|n|', () => {
  // y = 1000x with a backward 1.0001 times too large: |a − n| ≈ 0.1·|g|, allowed ≈ 1·|g|.
  const big = (x: Tensor): Tensor =>
    fromOp('big', [x], ['x'], getBackend().binary('mul', x.data, tensor(1000, { dtype: 'float64' }).data), (dy) => [
      dy.mul(1000.1),
    ]);
  const r = gradcheck(big, [tensor([1, 2], f64)], { throwOnFailure: false });
  expect(r.ok).toBe(true);
  expect(gradcheck(big, [tensor([1, 2], f64)], { throwOnFailure: false, rtol: 1e-5 }).ok).toBe(false);
});

test('fast mode checks one directional derivative along a unit vector', () => {
  // y = x for one element: L = g·x, so g = (f(x + eps·u) + f(x − eps·u)) / 2x and |∂L/∂u| = |g|·|u| = |g|.
  const r = gradcheck((a) => a.mul(1), [tensor([2], f64)], { fastMode: true });
  expect(r.mode).toBe('fast');
  const w = r.inputs[0]!.worst!;
  expect(w.index).toEqual([]);
  expect(w.flat).toBe(-1);
  expect(Math.abs(w.analytical)).toBeCloseTo(Math.abs((w.fPlus + w.fMinus) / 4), 9);
});

test('GradcheckError carries its report and its name', () => {
  const r = gradcheck((a) => fromOp('wrong', [a], ['a'], a.data, (dy) => [dy.mul(2)]), [tensor([1], f64)], {
    throwOnFailure: false,
  });
  const e = new GradcheckError(r);
  expect(e.name).toBe('GradcheckError');
  expect(e.report).toBe(r);
  expect(e.message).toBe(r.toString());
});

test('a failing fast-mode report counts directional derivatives', () => {
  const r = gradcheck((a) => a.mul(1), [tensor([2], f64)], { fastMode: true });
  const failing = { ...r, ok: false, inputs: [{ ...r.inputs[0]!, ok: false, mismatches: 1 }] };
  expect(formatReport(failing)).toContain('input 0, shape [1]: 1 of 1 directional derivatives mismatch');
});

test('an infinite gradient matches an infinite numerical slope of the same sign', () => {
  // With eps 1, exp overflows at x + eps = 710.5 but not at 708.5: the numerical slope is ±∞ (the
  // sign of the random upstream gradient), and so is this op's backward, which says ∞ · dy.
  const edge = (x: Tensor): Tensor => fromOp('edgeOfExp', [x], ['x'], x.exp().data, (dy) => [dy.mul(Infinity)]);
  const r = gradcheck(edge, [tensor([709.5], f64)], { eps: 1, throwOnFailure: false });
  expect(Math.abs(r.inputs[0]!.worst!.numerical)).toBe(Infinity);
  expect(r.inputs[0]!.worst!.analytical).toBe(r.inputs[0]!.worst!.numerical);
  expect(r.ok).toBe(true);
});
