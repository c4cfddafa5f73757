/**
 * One SGD update, the reference (Backend.sgd). Per coordinate, in this order:
 *
 *   g ← g + p·λ                                    (with weight decay)
 *   b ← b·μ + g·(1 − dampening)   (b = g the first time)     (with momentum)
 *   g ← g + b·μ (Nesterov)  or  g ← b                        (with momentum)
 *   p ← p − g·lr
 *
 * Every number is what nn's composite update makes of it: each scalar rounded to the arrays'
 * dtype, each operation's result rounded too (`round`), in the composite's order — the same
 * values bit for bit.
 */
import { NDArray, allocate } from '@skipgrad/tensor';
import type { SGDResult, SGDScalars } from '../backend.js';

export function sgd(p: NDArray, g: NDArray, buf: NDArray | null, o: SGDScalars): SGDResult {
  const round = p.dtype === 'float32' ? Math.fround : (x: number): number => x;
  const [ps, gs, bs] = [p.toTypedArray(), g.toTypedArray(), buf?.toTypedArray() ?? null];
  const [lr, mu, decay, keep] = [o.lr, o.momentum, o.weightDecay, 1 - o.dampening].map(round) as [
    number,
    number,
    number,
    number,
  ];
  const momentum = o.momentum !== 0;
  const out = { p: allocate(p.dtype, p.size), buf: momentum ? allocate(p.dtype, p.size) : null };
  for (let i = 0; i < ps.length; i++) {
    let step = o.weightDecay !== 0 ? round(gs[i]! + round(ps[i]! * decay)) : gs[i]!;
    if (out.buf) {
      const b = bs ? round(round(bs[i]! * mu) + round(step * keep)) : step;
      out.buf[i] = b;
      step = o.nesterov ? round(step + round(b * mu)) : b;
    }
    out.p[i] = round(ps[i]! - round(step * lr));
  }
  const shape = [...p.shape];
  return { p: new NDArray(out.p, shape), buf: out.buf ? new NDArray(out.buf, [...shape]) : null };
}
