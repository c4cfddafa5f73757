// gradcheck itself: it must pass correct gradients and catch wrong ones, with a useful report.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  GradcheckError,
  fromOp,
  getBackend,
  gradcheck,
  gradgradcheck,
  ones,
  tensor,
  SkipgradError,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

/** y = x², with a backward we can break on purpose. */
function square(backward: (x: Tensor, dy: Tensor) => Tensor) {
  return (x: Tensor): Tensor =>
    fromOp('square', [x], ['x'], getBackend().binary('mul', x.data, x.data), (dy) => [backward(x, dy)]);
}

describe('gradcheck', () => {
  it('passes a correct backward, in slow and fast mode', () => {
    const x = tensor(
      [
        [0.5, -1.25],
        [2, 0.75],
      ],
      f64,
    );
    const good = square((x, dy) => dy.mul(x).mul(2));
    expect(gradcheck(good, [x]).ok).toBe(true);
    expect(gradcheck(good, [x], { fastMode: true }).mode).toBe('fast');
  });

  it('catches a wrong derivative and reports the worst element in detail', () => {
    const x = tensor(
      [
        [0.5, -1.25],
        [2, 0.75],
      ],
      f64,
    );
    const wrong = square((x, dy) => dy.mul(x).mul(3)); // 3x instead of 2x
    const report = gradcheck(wrong, [x], { throwOnFailure: false, name: 'square' });
    expect(report.ok).toBe(false);
    const input = report.inputs[0]!;
    expect(input.mismatches).toBe(4);
    expect(input.table).toHaveLength(4);
    const text = report.toString();
    for (const part of [
      "gradcheck 'square' FAILED",
      'input 0, shape [2, 2]',
      'worst at index',
      '(flat',
      'analytical',
      'numerical',
      'f(x + eps)',
      'atol 0.00001',
      'rtol 0.001',
      'eps 0.000001',
      '4 of 4 elements mismatch',
      '<- mismatch',
    ]) {
      expect(text).toContain(part);
    }
    expect(() => gradcheck(wrong, [x])).toThrow(GradcheckError);
  });

  it('catches a backward that ignores its upstream gradient (a sum-only check would not)', () => {
    const x = tensor([0.5, -1.25, 2], f64);
    const ignoresDy = square((x) => x.mul(2)); // right only when dy is all ones
    expect(gradcheck(ignoresDy, [x], { throwOnFailure: false }).ok).toBe(false);
    // The blind spot the random g closes: with dy = 1 (a plain .sum() loss) it looks right.
    ignoresDy(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, -2.5, 4]);
  });

  it('fast mode reruns the slow mode to write its failure report', () => {
    const x = tensor([0.5, -1.25, 2], f64);
    const wrong = square((x, dy) => dy.mul(x));
    const report = gradcheck(wrong, [x], { fastMode: true, throwOnFailure: false });
    expect(report.ok).toBe(false);
    expect(report.mode).toBe('slow');
    expect(report.inputs[0]!.table).toHaveLength(3);
  });

  it('catches a nondeterministic backward', () => {
    let flip = 0;
    const x = tensor([0.5, 1.5], f64);
    const flaky = square((x, dy) => dy.mul(x).mul(2 + (flip++ % 2) * 1e-9));
    const report = gradcheck(flaky, [x], { throwOnFailure: false });
    expect(report.ok).toBe(false);
    expect(report.toString()).toContain('not deterministic');
  });

  it('checks several inputs and leaves those without requiresGrad constant', () => {
    const a = tensor([1.5, -0.5], f64);
    const c = tensor([2, 3], { dtype: 'float64' });
    const report = gradcheck((a, c) => a.mul(c).tanh(), [a, c]);
    expect(report.inputs.map((i) => i.input)).toEqual([0]);
  });

  it('checks float32 inputs as float64 copies', () => {
    const x = tensor([0.25, 0.5], { requiresGrad: true });
    expect(gradcheck((t) => t.exp(), [x]).ok).toBe(true);
  });

  it('gradgradcheck passes correct second derivatives and catches a backward that is not differentiable', () => {
    const x = tensor([0.5, -1.25], f64);
    expect(gradgradcheck((t) => t.mul(t).mul(t), [x]).ok).toBe(true);
    // The derivative uses x's values as a constant: first order right, second order wrong.
    const frozen = square((x, dy) => dy.mul(x.detach()).mul(2));
    expect(gradcheck(frozen, [x]).ok).toBe(true);
    expect(gradgradcheck(frozen, [x], { throwOnFailure: false }).ok).toBe(false);
  });

  it('rejects bad arguments clearly', () => {
    const x = tensor([1], f64);
    expect(() => gradcheck('nope' as never, [x])).toThrow(/gradcheck: argument 'fn' expected a function/);
    expect(() => gradcheck((t) => t, [tensor([1])])).toThrow(/at least one tensor with requiresGrad: true/);
    expect(() => gradcheck((t) => t, [x], { eps: 0 })).toThrow(/argument 'eps' expected a positive number/);
    expect(() => gradcheck(() => ones([1]), [x])).toThrow(SkipgradError);
    expect(() => gradcheck(() => ones([1]), [x])).toThrow(/float64 outputs/);
  });
});
