// softmax as an op with a backward of its own: its values and gradients against the composite
// (max, sub, exp, sum, div), gradcheck and gradgradcheck along each axis with and without the
// backend's two calls, and the calls it makes.
import { describe, expect, it } from 'vitest';
import type { Backend } from '@skipgrad/kernels';
import {
  type Tensor,
  exp,
  getBackend,
  grad,
  gradcheck,
  gradgradcheck,
  setBackend,
  softmax,
  tensor,
} from '../src/index.js';
import { countingBackend } from './counting.js';

const values = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const det = (shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  tensor(
    Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 1.3 + seed) * 3),
    { shape, dtype, requiresGrad: true },
  );
/** The definition, as primitives. */
const byOps = (x: Tensor, axis: number): Tensor => {
  const e = exp(x.sub(x.detach().max(axis, true)));
  return e.div(e.sum(axis, true));
};
const withoutSoftmax = (backend: Backend): Backend =>
  Object.assign(Object.create(backend) as Backend, { softmax: undefined, softmaxGrad: undefined });
const onBackend = <T>(backend: Backend, fn: () => T): T => {
  const inner = getBackend();
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(inner);
  }
};

describe('softmax', () => {
  it('equals its definition with primitives along every axis, value and gradient, float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = det([3, 4, 5], 1, dtype);
      const upstream = det([3, 4, 5], 2, dtype).detach();
      const tolerance = dtype === 'float64' ? 1e-15 : 1e-6;
      const close = (got: number[], want: number[]): void =>
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want[i]!))));
      for (const axis of [0, 1, 2, -1]) {
        close(values(softmax(x, axis)), values(byOps(x, axis)));
        const gradOf = (f: (x: Tensor) => Tensor): number[] => values(grad([f(x).mul(upstream).sum()], [x])[0]!);
        close(
          gradOf((x) => softmax(x, axis)),
          gradOf((x) => byOps(x, axis)),
        );
      }
    }
  });

  it('passes gradcheck and gradgradcheck along each axis, with the backend’s calls and without them', () => {
    const x = det([2, 3, 4], 3);
    for (const backend of [getBackend(), withoutSoftmax(getBackend())]) {
      onBackend(backend, () => {
        for (const axis of [0, 1, 2]) {
          gradcheck((x) => softmax(x, axis), [x]);
          gradgradcheck((x) => softmax(x, axis), [x]);
        }
      });
    }
  });

  it('is one backend call each way; a recorded backward (createGraph) is the formula as ops on y', () => {
    const { backend: counting, calls } = countingBackend(getBackend());
    const x = det([4, 6], 4);
    const upstream = det([4, 6], 5).detach();
    onBackend(counting, () => {
      const y = softmax(x);
      expect(calls).toEqual(['softmax']);
      expect(y.node!.op).toBe('softmax');
      expect(y.node!.rule).toBe('da = y·(dy − Σ dy·y)');
      calls.length = 0;
      const [fast] = grad([y], [x], { gradOutputs: [upstream] });
      expect(calls.filter((c) => c.startsWith('softmax'))).toEqual(['softmaxGrad']);
      calls.length = 0;
      const [recorded] = grad([softmax(x)], [x], { gradOutputs: [upstream], createGraph: true });
      expect(calls.filter((c) => c.startsWith('softmax'))).toEqual(['softmax']);
      values(recorded!).forEach((v, i) => expect(Math.abs(v - values(fast!)[i]!)).toBeLessThan(1e-15));
    });
  });

  it('gives masked (−∞) entries a weight and a gradient of exactly 0', () => {
    const x = tensor([[0, -Infinity, 1]], { dtype: 'float64', requiresGrad: true });
    const y = softmax(x);
    expect(values(y)[1]).toBe(0);
    const [dx] = grad([y.mul(tensor([[1, 2, 3]], { dtype: 'float64' })).sum()], [x]);
    expect(Math.abs(values(dx!)[1]!)).toBe(0); // (−0: y·(dy − Σ dy·y) with y = 0)
  });
});
