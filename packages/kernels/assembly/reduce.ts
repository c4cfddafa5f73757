/**
 * Reductions: sum and max over any set of axes. The backend describes the input with two
 * layouts over the input's shape: the input's own strides, and "reduction strides" — the
 * output's strides with 0 on every reduced axis — so that every element lands on its output
 * slot at  out[Σ coordinate · reductionStride]. The axes arrive ordered with the input's
 * smallest stride last, so each row is either
 *   - a run along a reduced axis (its output step is 0): summed into one slot, four lanes at a
 *     time; or
 *   - a run along a kept axis (output step 1): added lane by lane into a run of slots.
 * Sums accumulate in a float64 buffer (as the reference does) and round once at the end;
 * max works in float32, where it is exact.
 */
import { rowLength, rowStart, rowStep, spanEnd, spanStart } from './strided';

/** slot (float64) += Σ src[j·sa] for j in [0, count): one run along a reduced axis, four lanes at a time. */
@inline function sumRun(slot: usize, src: usize, sa: i32, count: i32): void {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let j = 0;
  if (sa == 1) {
    for (; j + 4 <= count; j += 4) {
      const x = v128.load(src + <usize>j * 4);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(x));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3)));
    }
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
  for (; j < count; j++) s += <f64>load<f32>(src + <usize>(j * sa) * 4);
  store<f64>(slot, load<f64>(slot) + s);
}

/** slots[j·so] (float64) += src[j·sa] for j in [0, count): one run along a kept axis. */
@inline function addRun(slot: usize, so: i32, src: usize, sa: i32, count: i32): void {
  let j = 0;
  if (so == 1 && sa == 1) {
    for (; j + 4 <= count; j += 4) {
      const x = v128.load(src + <usize>j * 4);
      const to = slot + <usize>j * 8;
      v128.store(to, f64x2.add(v128.load(to), f64x2.promote_low_f32x4(x)));
      v128.store(to + 16, f64x2.add(v128.load(to + 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3))));
    }
  }
  for (; j < count; j++) {
    const to = slot + <usize>(j * so) * 8;
    store<f64>(to, load<f64>(to) + <f64>load<f32>(src + <usize>(j * sa) * 4));
  }
}

/**
 * acc (float64, the output's slots) += a, over elements [e0, e1) of the walk; desc = [shape,
 * a's strides, reduction strides]. Threads that share a reduction each take their own acc.
 */
export function sumInto(acc: usize, a: usize, rank: i32, desc: usize, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const sa = rowStep(desc, rank, 0);
  const so = rowStep(desc, rank, 1);
  if (n == 0 || e1 <= e0) return;
  for (let row = e0 / n; row <= (e1 - 1) / n; row++) {
    const j0 = spanStart(row, n, e0);
    const src = a + <usize>(rowStart(desc, rank, 0, row) + j0 * sa) * 4;
    const slot = acc + <usize>(rowStart(desc, rank, 1, row) + j0 * so) * 8;
    if (so == 0) sumRun(slot, src, sa, spanEnd(row, n, e1) - j0);
    else addRun(slot, so, src, sa, spanEnd(row, n, e1) - j0);
  }
}

/** acc[i] += other[i] for i in [i0, i1): adding one thread's partial sums to another's. */
export function addF64(acc: usize, other: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 2 <= i1; i += 2) v128.store(acc + <usize>i * 8, f64x2.add(v128.load(acc + <usize>i * 8), v128.load(other + <usize>i * 8)));
  for (; i < i1; i++) store<f64>(acc + <usize>i * 8, load<f64>(acc + <usize>i * 8) + load<f64>(other + <usize>i * 8));
}

/** out[i] = acc[i] rounded to float32, for i in [i0, i1). */
export function roundToF32(out: usize, acc: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 2 <= i1; i += 2) v128.store64_lane(out + <usize>i * 4, f32x4.demote_f64x2_zero(v128.load(acc + <usize>i * 8)), 0);
  for (; i < i1; i++) store<f32>(out + <usize>i * 4, <f32>load<f64>(acc + <usize>i * 8));
}

/**
 * out (float32 slots, filled with −∞ by the caller) = max(out, a), over rows [r0, r1). NaN wins,
 * as in PyTorch and the reference: once a slot holds NaN it stays NaN.
 */
export function maxInto(out: usize, a: usize, rank: i32, desc: usize, r0: i32, r1: i32): void {
  const n = rowLength(desc, rank);
  const sa = rowStep(desc, rank, 0);
  const so = rowStep(desc, rank, 1);
  for (let row = r0; row < r1; row++) {
    const src = a + <usize>rowStart(desc, rank, 0, row) * 4;
    const slot = out + <usize>rowStart(desc, rank, 1, row) * 4;
    for (let j = 0; j < n; j++) {
      const v = load<f32>(src + <usize>(j * sa) * 4);
      const to = slot + <usize>(j * so) * 4;
      const m = load<f32>(to);
      if (v > m || isNaN(v)) store<f32>(to, v);
    }
  }
}
