/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, to about 1e-16 (JavaScript has no Math.erf):
 * - |x| < 2.5: its Taylor series Σ (−1)ⁿ x^(2n+1) / (n!·(2n+1)), summed until terms vanish;
 * - |x| ≥ 2.5: 1 − erfc(x), with erfc from its continued fraction
 *   erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), evaluated by Lentz's method;
 * - |x| > 6: ±1 (erfc(6) ≈ 2e-17 is below double precision).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return x; // erf is odd: erf(−0) = −0
  const ax = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (ax < 2.5) {
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * sum; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return sign * (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return sign;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let k = 1; k < 200; k++) {
    d = 1 / (ax + (k / 2) * d);
    c = ax + k / 2 / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return sign * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f);
}
