/**
 * GELU (Backend.gelu / geluGrad) over contiguous elements [e0, e1), four lanes at a time. With Φ
 * the standard normal CDF and φ its density:
 *
 *   gelu(x)  = ½·x·(1 + erf(x/√2))          computed as (x·(erf(x·√½) + 1))·½, in float32: the
 *                                           order of autograd's composite, so the same values
 *   gelu'(x) = Φ(x) + x·φ(x),  Φ(x) = ½·(1 + erf(x/√2)),  φ(x) = e^(−x²/2)/√(2π)
 *
 * erf and e^x are the lane functions of erf.ts and exp.ts. A row's last elements go through the
 * lanes one at a time, so a value never depends on where it sits.
 */
import { erf4 } from './erf';
import { exp4 } from './exp';

const SQRT1_2: f32 = 0.707106781;
const ONE_OVER_SQRT_2PI: f32 = 0.398942280;

@inline function gelu4(x: v128): v128 {
  const e = erf4(f32x4.mul(x, f32x4.splat(SQRT1_2)));
  return f32x4.mul(f32x4.mul(x, f32x4.add(e, f32x4.splat(1))), f32x4.splat(0.5));
}

@inline function geluGrad4(dy: v128, x: v128): v128 {
  const half = f32x4.splat(0.5);
  const cdf = f32x4.add(f32x4.mul(erf4(f32x4.mul(x, f32x4.splat(SQRT1_2))), half), half);
  const pdf = f32x4.mul(exp4(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))), f32x4.splat(ONE_OVER_SQRT_2PI));
  return f32x4.mul(dy, f32x4.add(cdf, f32x4.mul(x, pdf)));
}

/** out = gelu(x), elements [e0, e1). */
export function gelu(out: usize, x: usize, e0: i32, e1: i32): void {
  let i = e0;
  for (; i + 4 <= e1; i += 4) v128.store(out + <usize>i * 4, gelu4(v128.load(x + <usize>i * 4)));
  for (; i < e1; i++) store<f32>(out + <usize>i * 4, f32x4.extract_lane(gelu4(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

/** out = dy·gelu'(x), elements [e0, e1). */
export function geluGrad(out: usize, dy: usize, x: usize, e0: i32, e1: i32): void {
  let i = e0;
  for (; i + 4 <= e1; i += 4) {
    const at = <usize>i * 4;
    v128.store(out + at, geluGrad4(v128.load(dy + at), v128.load(x + at)));
  }
  for (; i < e1; i++) {
    const at = <usize>i * 4;
    store<f32>(out + at, f32x4.extract_lane(geluGrad4(f32x4.splat(load<f32>(dy + at)), f32x4.splat(load<f32>(x + at))), 0));
  }
}
