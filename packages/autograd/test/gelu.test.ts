// gelu, the exact form as an op: its values and gradients against the composite of mul, erf and
// add, gradcheck and gradgradcheck with and without the backend's two calls, and the calls made.
import { describe, expect, it } from 'vitest';
import type { Backend } from '@skipgrad/kernels';
import {
  type Tensor,
  erf,
  getBackend,
  grad,
  gelu,
  gradcheck,
  gradgradcheck,
  setBackend,
  tensor,
} from '../src/index.js';
import { countingBackend } from './counting.js';

const values = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const det = (n: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 4),
    { dtype, requiresGrad: true },
  );
/** The definition, as primitives. */
const byOps = (x: Tensor): Tensor => x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
/** `backend` without Backend.gelu / geluGrad (as the gpujs backend is). */
const withoutGelu = (backend: Backend): Backend =>
  Object.assign(Object.create(backend) as Backend, { gelu: undefined, geluGrad: undefined });

describe('gelu (exact)', () => {
  it('equals x·Φ(x) written with primitives, value and gradient, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = det(40, 1, dtype);
      const tolerance = dtype === 'float64' ? 1e-14 : 3e-6;
      const close = (got: number[], want: number[]): void =>
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want[i]!))));
      close(values(gelu(x)), values(byOps(x)));
      close(values(grad([gelu(x).sum()], [x])[0]!), values(grad([byOps(x).sum()], [x])[0]!));
    }
  });

  it('passes gradcheck and gradgradcheck, with the backend’s calls and without them', () => {
    const inner = getBackend();
    const x = det(12, 2);
    for (const backend of [inner, withoutGelu(inner)]) {
      setBackend(backend);
      try {
        gradcheck((x) => gelu(x), [x]);
        gradgradcheck((x) => gelu(x), [x]);
      } finally {
        setBackend(inner);
      }
    }
  });

  it('is one backend call each way; a recorded backward (createGraph) is the formula as ops', () => {
    const inner = getBackend();
    const { backend: counting, calls } = countingBackend(inner);
    const x = det(30, 3);
    setBackend(counting);
    try {
      const y = gelu(x);
      expect(calls).toEqual(['gelu']);
      expect(y.node!.rule).toBe('da = dy·(Φ(a) + a·φ(a))');
      calls.length = 0;
      const [fast] = grad([y], [x], { gradOutputs: [x.detach()] });
      expect(calls.filter((c) => c.startsWith('gelu'))).toEqual(['geluGrad']);
      calls.length = 0;
      const [recorded] = grad([gelu(x)], [x], { gradOutputs: [x.detach()], createGraph: true });
      expect(calls.filter((c) => c.startsWith('gelu'))).toEqual(['gelu']);
      values(recorded!).forEach((v, i) => expect(Math.abs(v - values(fast!)[i]!)).toBeLessThan(1e-14));
    } finally {
      setBackend(inner);
    }
  });
});
