/**
 * Moving float32 values into and out of float64 lanes (f64x2), for the kernels that compute in
 * float64 two values at a time (norm.ts, softmax.ts) — either two rows side by side, or two
 * neighbours of one row.
 */

/** (A's float at `a`, B's float at `b`) as two float64 lanes. */
@inline export function pairAt(a: usize, b: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_lane(b, v128.load32_zero(a), 1));
}

/** Floats `at` and `at` + 4 as two float64 lanes. */
@inline export function twoAt(at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(at));
}

/** Both lanes rounded to float32 and back (as `<f64><f32>x` does to one value). */
@inline export function roundedToF32(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}

/** Stores two float64 lanes as two floats at `at` (each rounded, as `<f32>x`). */
@inline export function storeTwo(at: usize, v: v128): void {
  v128.store64_lane(at, f32x4.demote_f64x2_zero(v), 0);
}
