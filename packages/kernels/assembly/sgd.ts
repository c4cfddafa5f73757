/**
 * One SGD update (Backend.sgd) over contiguous elements [e0, e1), four lanes at a time, in the
 * order of nn's composite update (see cpu/sgd.ts, the reference):
 *
 *   g ← g + p·λ  (DECAY)      b ← b·μ + g·(1 − dampening), or b = g when FIRST  (MOMENTUM)
 *   g ← g + b·μ  (NESTEROV) or g ← b  (MOMENTUM)      p ← p − g·lr
 *
 * Every operation a float32 one, rounded as the composite's separate kernels round: the same
 * values bit for bit. A row's last elements go through lane 0 of the same code.
 */
const FIRST = 1;
const MOMENTUM = 2;
const NESTEROV = 4;
const DECAY = 8;

@inline function update4(outP: usize, outB: usize, p: v128, g: v128, b: v128, mode: i32, decay: v128, mu: v128, keep: v128, lr: v128, lanes: i32): void {
  let step = (mode & DECAY) != 0 ? f32x4.add(g, f32x4.mul(p, decay)) : g;
  if ((mode & MOMENTUM) != 0) {
    const bNew = (mode & FIRST) != 0 ? step : f32x4.add(f32x4.mul(b, mu), f32x4.mul(step, keep));
    if (lanes == 4) v128.store(outB, bNew);
    else store<f32>(outB, f32x4.extract_lane(bNew, 0));
    step = (mode & NESTEROV) != 0 ? f32x4.add(step, f32x4.mul(bNew, mu)) : bNew;
  }
  const pNew = f32x4.sub(p, f32x4.mul(step, lr));
  if (lanes == 4) v128.store(outP, pNew);
  else store<f32>(outP, f32x4.extract_lane(pNew, 0));
}

export function sgd(outP: usize, outB: usize, p: usize, g: usize, b: usize, mode: i32, decay: f32, mu: f32, keep: f32, lr: f32, e0: i32, e1: i32): void {
  const d4 = f32x4.splat(decay);
  const mu4 = f32x4.splat(mu);
  const keep4 = f32x4.splat(keep);
  const lr4 = f32x4.splat(lr);
  const reads = (mode & MOMENTUM) != 0 && (mode & FIRST) == 0;
  const none = f32x4.splat(0);
  let i = e0;
  for (; i + 4 <= e1; i += 4) {
    const at = <usize>i * 4;
    update4(outP + at, outB + at, v128.load(p + at), v128.load(g + at), reads ? v128.load(b + at) : none, mode, d4, mu4, keep4, lr4, 4);
  }
  for (; i < e1; i++) {
    const at = <usize>i * 4;
    const bv = reads ? f32x4.splat(load<f32>(b + at)) : none;
    update4(outP + at, outB + at, f32x4.splat(load<f32>(p + at)), f32x4.splat(load<f32>(g + at)), bv, mode, d4, mu4, keep4, lr4, 1);
  }
}
