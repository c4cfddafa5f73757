/**
 * One Adam or AdamW update, the reference (Backend.adam). Per coordinate, in this order:
 *
 *   AdamW:  p ← p·(1 − lr·λ)          Adam with λ: g ← g + p·λ
 *   m ← m·β₁ + g·(1 − β₁)             (g·(1 − β₁) at the first update)
 *   v ← v·β₂ + g·g·(1 − β₂)           (g·g·(1 − β₂) at the first update)
 *   p ← p − (m / c₁) / (√(v / c₂) + eps) · lr
 *
 * Every number is what nn's composite update makes of it: each scalar rounded to the arrays'
 * dtype (a float32 scalar is a Float32Array of one element there), each operation's result
 * rounded too (`round`), in the composite's order — so the values agree bit for bit.
 */
import { NDArray, allocate } from '@skipgrad/tensor';
import type { AdamResult, AdamScalars } from '../backend.js';

export function adam(p: NDArray, g: NDArray, m: NDArray | null, v: NDArray | null, o: AdamScalars): AdamResult {
  const round = p.dtype === 'float32' ? Math.fround : (x: number): number => x;
  const [ps, gs] = [p.toTypedArray(), g.toTypedArray()];
  const [ms, vs] = [m?.toTypedArray() ?? null, v?.toTypedArray() ?? null];
  const [lr, b1, b2, eps] = [o.lr, o.beta1, o.beta2, o.eps].map(round) as [number, number, number, number];
  const [oneMinusB1, oneMinusB2] = [round(1 - o.beta1), round(1 - o.beta2)];
  const [c1, c2] = [round(o.correction1), round(o.correction2)];
  const decay = o.weightDecay === 0 ? null : round(o.decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay);
  const out = { p: allocate(p.dtype, p.size), m: allocate(p.dtype, p.size), v: allocate(p.dtype, p.size) };
  for (let i = 0; i < ps.length; i++) {
    const decayed = decay !== null && o.decoupled ? round(ps[i]! * decay) : ps[i]!;
    const grad = decay !== null && !o.decoupled ? round(gs[i]! + round(ps[i]! * decay)) : gs[i]!;
    const mNew = ms ? round(round(ms[i]! * b1) + round(grad * oneMinusB1)) : round(grad * oneMinusB1);
    const square = round(grad * grad);
    const vNew = vs ? round(round(vs[i]! * b2) + round(square * oneMinusB2)) : round(square * oneMinusB2);
    const mHat = round(mNew / c1);
    const vHat = round(vNew / c2);
    const denominator = round(round(Math.sqrt(vHat)) + eps);
    out.p[i] = round(decayed - round(round(mHat / denominator) * lr));
    out.m[i] = mNew;
    out.v[i] = vNew;
  }
  const shape = [...p.shape];
  return { p: new NDArray(out.p, shape), m: new NDArray(out.m, [...shape]), v: new NDArray(out.v, [...shape]) };
}
