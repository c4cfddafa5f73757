/**
 * One Adam or AdamW update (Backend.adam) over contiguous elements [e0, e1), four lanes at a
 * time, in the order of nn's composite update (see cpu/adam.ts, the reference):
 *
 *   AdamW:  p ← p·decay (decay = 1 − lr·λ)        Adam with λ: g ← g + p·decay (decay = λ)
 *   m ← m·β₁ + g·(1 − β₁)        v ← v·β₂ + g·g·(1 − β₂)        (no m·β₁, v·β₂ the first time)
 *   p ← p − (m / c₁) / (√(v / c₂) + eps) · lr
 *
 * Every operation is a float32 one, rounded as the composite's separate kernels round: the same
 * values bit for bit. `mode` holds FIRST (no moments yet: m and v are not read), L2 and
 * DECOUPLED. A row's last elements go through lane 0 of the same code.
 */
const FIRST = 1;
const L2 = 2;
const DECOUPLED = 4;

// The update's scalars, splatted once per call (a kernel's arguments, kept here so that the
// lane function below reads as the formula).
let decay4 = f32x4.splat(0);
let b1_4 = f32x4.splat(0);
let oneMinusB1_4 = f32x4.splat(0);
let b2_4 = f32x4.splat(0);
let oneMinusB2_4 = f32x4.splat(0);
let c1_4 = f32x4.splat(0);
let c2_4 = f32x4.splat(0);
let eps4 = f32x4.splat(0);
let lr4 = f32x4.splat(0);

/** The new p, m and v of four coordinates (m and v not read when `first`). */
@inline function update4(outP: usize, outM: usize, outV: usize, p: v128, g: v128, m: v128, v: v128, mode: i32, lanes: i32): void {
  const decayed = (mode & DECOUPLED) != 0 ? f32x4.mul(p, decay4) : p;
  const grad = (mode & L2) != 0 ? f32x4.add(g, f32x4.mul(p, decay4)) : g;
  let mNew = f32x4.mul(grad, oneMinusB1_4);
  let vNew = f32x4.mul(f32x4.mul(grad, grad), oneMinusB2_4);
  if ((mode & FIRST) == 0) {
    mNew = f32x4.add(f32x4.mul(m, b1_4), mNew);
    vNew = f32x4.add(f32x4.mul(v, b2_4), vNew);
  }
  const denominator = f32x4.add(f32x4.sqrt(f32x4.div(vNew, c2_4)), eps4);
  const pNew = f32x4.sub(decayed, f32x4.mul(f32x4.div(f32x4.div(mNew, c1_4), denominator), lr4));
  if (lanes == 4) {
    v128.store(outP, pNew);
    v128.store(outM, mNew);
    v128.store(outV, vNew);
  } else {
    store<f32>(outP, f32x4.extract_lane(pNew, 0));
    store<f32>(outM, f32x4.extract_lane(mNew, 0));
    store<f32>(outV, f32x4.extract_lane(vNew, 0));
  }
}

export function adam(
  outP: usize, outM: usize, outV: usize, p: usize, g: usize, m: usize, v: usize, mode: i32, decay: f32,
  b1: f32, oneMinusB1: f32, b2: f32, oneMinusB2: f32, c1: f32, c2: f32, eps: f32, lr: f32, e0: i32, e1: i32,
): void {
  decay4 = f32x4.splat(decay);
  b1_4 = f32x4.splat(b1);
  oneMinusB1_4 = f32x4.splat(oneMinusB1);
  b2_4 = f32x4.splat(b2);
  oneMinusB2_4 = f32x4.splat(oneMinusB2);
  c1_4 = f32x4.splat(c1);
  c2_4 = f32x4.splat(c2);
  eps4 = f32x4.splat(eps);
  lr4 = f32x4.splat(lr);
  const moments = (mode & FIRST) == 0;
  const none = f32x4.splat(0);
  let i = e0;
  for (; i + 4 <= e1; i += 4) {
    const at = <usize>i * 4;
    const mv = moments ? v128.load(m + at) : none;
    const vv = moments ? v128.load(v + at) : none;
    update4(outP + at, outM + at, outV + at, v128.load(p + at), v128.load(g + at), mv, vv, mode, 4);
  }
  for (; i < e1; i++) {
    const at = <usize>i * 4;
    const mv = moments ? f32x4.splat(load<f32>(m + at)) : none;
    const vv = moments ? f32x4.splat(load<f32>(v + at)) : none;
    update4(outP + at, outM + at, outV + at, f32x4.splat(load<f32>(p + at)), f32x4.splat(load<f32>(g + at)), mv, vv, mode, 1);
  }
}
