/**
 * erf x four lanes at a time, in float32 (exact GELU calls it on every activation). erf is odd,
 * so it is worked out for a = |x| and given x's sign:
 *
 *   a < 1:         erf a = a · P(a²)                P of degree 5: erf's series, refitted
 *   1 ≤ a < 3.95:  erf a = 1 − e^(−a²) · Q(a − c)   Q of degree 10 fitted to erfcx a = e^(a²)·erfc a,
 *                                                     a smooth, slowly falling curve; c = 2.475
 *   a ≥ 3.95:      erf a = 1                        (erfc 3.95 = 1.7e-8 is under half an ulp of 1)
 *
 * The coefficients are least-squares fits in float64 on Chebyshev points (relative weights),
 * rounded to float32. Relative error under 2e-7 (about 1.5 ulp) everywhere, measured against
 * float64 erf on 300,001 points of each piece; e^(−a²) comes from exp4 (exp.ts), and the
 * rounding of a² moves it by under 1e-6 relative, which the factor erfc a ≤ 0.16 shrinks below
 * an ulp of the result. Both pieces are computed for every lane and one is kept (lanes cannot
 * branch; a vector whose lanes are all below 1 skips the large piece); a is clamped first so
 * the unused piece never makes ∞ · 0. NaN stays NaN, erf ±∞ = ±1, erf(−0) = −0.
 */
import { exp4 } from './exp';

const SPLIT: f32 = 1;
const ONE_BELOW: f32 = 3.95; // from here on erf rounds to 1
const CENTRE: f32 = 2.475;

/** a · P(a²) for a < 1 (x itself goes in: the odd polynomial keeps its sign, −0 included). */
@inline function erfSmall(x: v128): v128 {
  const t = f32x4.mul(x, x);
  let p = f32x4.splat(-5.6253990e-4);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(4.9160267e-3));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-2.6709955e-2));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.1280131e-1));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-3.7612319e-1));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.1283791)); // 2/√π
  return f32x4.mul(x, p);
}

/** 1 − e^(−a²) · Q(a − c) for 1 ≤ a ≤ 3.95 (a ≥ 0 goes in, already clamped). */
@inline function erfLarge(a: v128): v128 {
  const s = f32x4.sub(a, f32x4.splat(CENTRE));
  let q = f32x4.splat(1.5923711e-6);
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(-6.6893676e-6));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(1.6295511e-5));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(-5.7137135e-5));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(2.2168917e-4));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(-7.7083823e-4));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(2.5611331e-3));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(-8.2510924e-3));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(2.5547307e-2));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(-7.5609595e-2));
  q = f32x4.add(f32x4.mul(q, s), f32x4.splat(2.1268077e-1)); // erfcx(c)
  const e = exp4(f32x4.neg(f32x4.mul(a, a)));
  return f32x4.sub(f32x4.splat(1), f32x4.mul(e, q));
}

/** erf in each lane. */
@inline export function erf4(x: v128): v128 {
  const a = f32x4.abs(x);
  // pmin/pmax clamp in one instruction each (NaN is put back at the end; see exp.ts)
  const small = erfSmall(f32x4.pmin(f32x4.pmax(x, f32x4.splat(-SPLIT)), f32x4.splat(SPLIT)));
  // When every lane is below 1 (half the vectors of a layer's N(0, 1) pre-activations in GELU),
  // the large piece would be computed only to be dropped: skip it. NaN compares false, so it
  // takes the full path below and stays NaN there. The values are the same either way.
  if (!v128.any_true(v128.or(f32x4.ge(a, f32x4.splat(SPLIT)), f32x4.ne(x, x)))) return small;
  const large = erfLarge(f32x4.pmin(f32x4.pmax(a, f32x4.splat(SPLIT)), f32x4.splat(ONE_BELOW)));
  const signed = v128.or(large, v128.and(x, f32x4.splat(-0.0))); // x's sign on 1 − …
  const y = v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(SPLIT)));
  return v128.bitselect(x, y, f32x4.ne(x, x)); // NaN in, NaN out
}
