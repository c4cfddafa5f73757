// gradcheck's reports, whole: what a person reads when a gradient is wrong (and when it is not).
import { describe, expect, it } from 'vitest';
import { type Tensor, fromOp, getBackend, gradcheck, gradgradcheck, tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
/** y = 2x, with a backward that returns `factor`·dy. Finite differences see 2 exactly. */
const scaled =
  (factor: number) =>
  (x: Tensor): Tensor =>
    fromOp('scaled', [x], ['x'], getBackend().binary('add', x.data, x.data), (dy) => [dy.mul(factor)]);

describe('gradcheck reports', () => {
  it('a failure in slow mode: the worst element, the worst few, the whole table', () => {
    const r = gradcheck(
      (a, b) => scaled(3)(a).add(b),
      [
        tensor(
          [
            [0.5, -1],
            [2, 4],
          ],
          f64,
        ),
        tensor([1, 2], f64),
      ],
      { throwOnFailure: false, name: 'scaled' },
    );
    expect(r.ok).toBe(false);
    expect(r.inputs.map((i) => [i.input, i.ok, i.mismatches, i.compared])).toEqual([
      [0, false, 4, 4],
      [1, true, 0, 2],
    ]);
    expect(r.inputs[0]!.worst!.index).toEqual(r.inputs[0]!.worstFew[0]!.index);
    expect(r.inputs[0]!.worst!.analytical / r.inputs[0]!.worst!.numerical).toBeCloseTo(1.5, 6);
    expect(r.toString()).toMatchInlineSnapshot(`
      "gradcheck 'scaled' FAILED (slow mode; eps 0.000001, atol 0.00001, rtol 0.001; pass when |a − n| <= atol + rtol·|n|)
        input 0, shape [2, 2]: 4 of 4 elements mismatch
          worst at index [0, 1] (flat 1): x = -1.0000000
            analytical -7.2589175   numerical -4.8392783   |a − n| 2.4196392   relative 0.50000000
            f(x + eps) = -7.4459545   f(x − eps) = -7.4459448
          worst 4: [0, 1] a=-7.2589175 n=-4.8392783; [0, 0] a=3.1764345 n=2.1176230; [1, 1] a=-2.6960997 n=-1.7973998; [1, 0] a=-0.34594418 n=-0.23062946
          index            x                analytical       numerical        |a − n|
          [0, 0]           0.50000000       3.1764345        2.1176230        1.0588115  <- mismatch
          [0, 1]           -1.0000000       -7.2589175       -4.8392783       2.4196392  <- mismatch
          [1, 0]           2.0000000        -0.34594418      -0.23062946      0.11531473  <- mismatch
          [1, 1]           4.0000000        -2.6960997       -1.7973998       0.89869990  <- mismatch
        input 1, shape [2]: ok"
    `);
  });

  it('a pass prints the largest difference for each input', () => {
    const r = gradcheck((a) => scaled(2)(a), [tensor([1, 2, 3], f64)], { name: 'scaled' });
    expect(r.ok).toBe(true);
    expect(r.toString()).toMatchInlineSnapshot(`
      "gradcheck 'scaled' passed (slow mode; eps 0.000001, atol 0.00001, rtol 0.001; pass when |a − n| <= atol + rtol·|n|)
        input 0, shape [3]: ok
          largest difference at index [1] (flat 1): x = 2.0000000
            analytical -4.8392783   numerical -4.8392783   |a − n| 9.167547e-10   relative 1.894404e-10
            f(x + eps) = -8.2528269   f(x − eps) = -8.2528172"
    `);
  });

  it('a big input: no table, the five worst', () => {
    const x = tensor(
      Float64Array.from({ length: 20 }, (_, i) => i / 4),
      { shape: [4, 5], requiresGrad: true },
    );
    const r = gradcheck(scaled(-1), [x], { throwOnFailure: false });
    expect(r.inputs[0]!.table).toBeNull();
    expect(r.inputs[0]!.worstFew).toHaveLength(5);
    expect(r.name).toBe('fn');
    const text = r.toString();
    expect(text).toContain("gradcheck 'fn' FAILED");
    expect(text).toContain('20 of 20 elements mismatch');
    expect(text).toMatch(/worst 5: \[\d, \d\] a=/);
    expect(text).not.toContain('<- mismatch');
  });

  it('fast mode compares one directional derivative per input', () => {
    const r = gradcheck(scaled(2), [tensor([1, 2, 3], f64)], { fastMode: true });
    expect(r.mode).toBe('fast');
    expect(r.inputs[0]!.compared).toBe(1);
    expect(r.inputs[0]!.table).toBeNull();
    expect(r.inputs[0]!.worst!.analytical).toBeCloseTo(r.inputs[0]!.worst!.numerical, 8);
    expect(r.toString()).toContain('input 0, shape [3]: ok');
    expect(r.toString()).not.toContain('f(x + eps)');
  });

  it('the report is named after the function unless told otherwise', () => {
    function cube(t: Tensor): Tensor {
      return t.mul(t).mul(t);
    }
    expect(gradcheck(cube, [tensor([1], f64)]).name).toBe('cube');
    expect(gradgradcheck(cube, [tensor([1], f64)]).name).toBe('grad of cube');
    expect(gradcheck(cube, [tensor([1], f64)], { name: 'x³' }).toString()).toContain("gradcheck 'x³' passed");
  });

  it('the seed picks the upstream gradient: reruns replay, other seeds differ', () => {
    const x = tensor([0.5, 1.5], f64);
    const run = (seed: number): number => gradcheck((t) => t.tanh(), [x], { seed }).inputs[0]!.worst!.analytical;
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
    expect(gradcheck((t) => t.tanh(), [x]).inputs[0]!.worst!.analytical).toBe(run(0));
  });

  it('tolerances: |a − n| <= atol + rtol·|n| decides', () => {
    const x = tensor([1], f64);
    const off =
      (delta: number) =>
      (t: Tensor): Tensor =>
        fromOp('off', [t], ['x'], t.data, (dy) => [dy.mul(1 + delta)]);
    expect(gradcheck(off(5e-4), [x], { atol: 0, rtol: 1e-3 }).ok).toBe(true);
    expect(gradcheck(off(5e-3), [x], { atol: 0, rtol: 1e-3, throwOnFailure: false }).ok).toBe(false);
    expect(gradcheck(off(5e-3), [x], { atol: 1e-2, rtol: 0 }).ok).toBe(true);
    expect(() => gradcheck(off(0), [x], { atol: -1 })).toThrow(
      "gradcheck: argument 'atol' expected a positive number, got -1",
    );
    expect(() => gradcheck(off(0), [x], { rtol: 'a' as never })).toThrow(/argument 'rtol'/);
    expect(() => gradcheck(off(0), 'x' as never)).toThrow(
      'gradcheck: argument \'inputs\' expected an array of Tensors, got "x"',
    );
    expect(() => gradcheck(off(0), [3 as never])).toThrow("gradcheck: argument 'inputs[0]' expected a Tensor, got 3");
    expect(() => gradcheck(() => 3 as never, [x])).toThrow(
      "gradcheck: argument 'fn' expected a function returning a Tensor or an array of Tensors, got output 0: 3",
    );
  });

  it('outputs that do not depend on the inputs have zero gradient, and a function of several outputs is checked whole', () => {
    const x = tensor([1, 2], f64);
    const constant = tensor([5], { dtype: 'float64' });
    expect(gradcheck(() => constant, [x]).ok).toBe(true);
    expect(gradcheck((t) => [t.mul(2), constant, t.exp()], [x]).ok).toBe(true);
    expect(gradgradcheck((t) => t.mul(2), [x]).ok).toBe(true); // first derivative constant: second is zero
  });
});
