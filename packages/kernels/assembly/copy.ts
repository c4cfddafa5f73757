/**
 * Moving data without arithmetic: a strided copy (contiguous copies, concat and pad write each
 * piece into a view of their output) and a fill.
 */
import { rowLength, rowStart, rowStep } from './strided';

/**
 * dst = src element by element, both strided, over rows [r0, r1); desc = [shape, dst's
 * strides, src's strides]. Rows that are contiguous on both sides are one memory.copy.
 */
export function copy(dst: usize, src: usize, rank: i32, desc: usize, r0: i32, r1: i32): void {
  const n = rowLength(desc, rank);
  const sd = rowStep(desc, rank, 0);
  const ss = rowStep(desc, rank, 1);
  for (let row = r0; row < r1; row++) {
    const to = dst + <usize>rowStart(desc, rank, 0, row) * 4;
    const from = src + <usize>rowStart(desc, rank, 1, row) * 4;
    if (sd == 1 && ss == 1) {
      memory.copy(to, from, <usize>n * 4);
    } else if (sd == 1 && ss == 0) {
      const v = v128.load32_splat(from);
      let j = 0;
      for (; j + 4 <= n; j += 4) v128.store(to + <usize>j * 4, v);
      for (; j < n; j++) store<f32>(to + <usize>j * 4, load<f32>(from));
    } else {
      for (let j = 0; j < n; j++) store<f32>(to + <usize>(j * sd) * 4, load<f32>(from + <usize>(j * ss) * 4));
    }
  }
}

/** out[i] = value for i in [i0, i1). */
export function fill(out: usize, value: f32, i0: i32, i1: i32): void {
  const v = f32x4.splat(value);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + <usize>i * 4, v);
  for (; i < i1; i++) store<f32>(out + <usize>i * 4, value);
}
