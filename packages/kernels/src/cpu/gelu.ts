/**
 * GELU, the reference (Backend.gelu / geluGrad). With Φ the standard normal CDF and φ its density:
 *
 *   gelu(x)  = x·Φ(x) = ½·x·(1 + erf(x/√2))
 *   gelu'(x) = Φ(x) + x·φ(x),   φ(x) = e^(−x²/2)/√(2π)
 *
 * (Φ' = φ, so the product rule gives the two terms.) Each element in float64, rounded once.
 */
import { NDArray, allocate } from '@skipgrad/tensor';
import { erf } from './erf.js';

const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Φ(x) = ½·(1 + erf(x/√2)). */
function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x * Math.SQRT1_2));
}

export function gelu(x: NDArray): NDArray {
  const xs = x.toTypedArray();
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) out[i] = xs[i]! * normalCdf(xs[i]!);
  return new NDArray(out, [...x.shape]);
}

/** dy·gelu'(x), for dy and x of one shape. */
export function geluGrad(dy: NDArray, x: NDArray): NDArray {
  const [gs, xs] = [dy.toTypedArray(), x.toTypedArray()];
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) {
    const v = xs[i]!;
    out[i] = gs[i]! * (normalCdf(v) + v * Math.exp(-0.5 * v * v) * ONE_OVER_SQRT_2PI);
  }
  return new NDArray(out, [...x.shape]);
}
