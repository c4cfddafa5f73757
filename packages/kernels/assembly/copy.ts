/**
 * Moving data without arithmetic: a strided copy (contiguous copies, concat and pad write each
 * piece into a view of their output) and a fill.
 */
import { axisSide, axisStep, rowLength, rowStart, rowStep, spanEnd, spanStart } from './strided';

/**
 * Runs this short or shorter are copied with vector loads and stores: memory.copy leaves the
 * module for each call, which costs more than moving a few dozen bytes (a permuted [32,17,4,8]
 * made contiguous is 2,176 runs of 8 floats).
 */
const SHORT_RUN: i32 = 32;

/** to[j·sd] = from[j·ss] for j in [0, count): one run of a row. */
@inline function copyRun(to: usize, sd: i32, from: usize, ss: i32, count: i32): void {
  if (sd == 1 && ss == 1 && count <= SHORT_RUN) {
    let j = 0;
    for (; j + 4 <= count; j += 4) v128.store(to + <usize>j * 4, v128.load(from + <usize>j * 4));
    for (; j < count; j++) store<f32>(to + <usize>j * 4, load<f32>(from + <usize>j * 4));
  } else if (sd == 1 && ss == 1) {
    memory.copy(to, from, <usize>count * 4);
  } else if (sd == 1 && ss == 0) {
    const v = v128.load32_splat(from);
    let j = 0;
    for (; j + 4 <= count; j += 4) v128.store(to + <usize>j * 4, v);
    for (; j < count; j++) store<f32>(to + <usize>j * 4, load<f32>(from));
  } else {
    for (let j = 0; j < count; j++) store<f32>(to + <usize>(j * sd) * 4, load<f32>(from + <usize>(j * ss) * 4));
  }
}

/**
 * dst = src element by element, both strided, over elements [e0, e1); desc = [shape, dst's
 * strides, src's strides]. Runs contiguous on both sides are one memory.copy.
 */
export function copy(dst: usize, src: usize, rank: i32, desc: usize, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const sd = rowStep(desc, rank, 0);
  const ss = rowStep(desc, rank, 1);
  if (n == 0 || e1 <= e0) return;
  // The next row is one step along the second-to-last axis, until that axis wraps: only then is
  // a row's start found again by dividing (rowStart), which costs more than a short run's copy.
  const side = rank >= 2 ? axisSide(desc, rank - 2) : 1;
  const stepD = rank >= 2 ? axisStep(desc, rank, 0, rank - 2) : 0;
  const stepS = rank >= 2 ? axisStep(desc, rank, 1, rank - 2) : 0;
  const last = (e1 - 1) / n;
  let row = e0 / n;
  let along = row % side;
  let startD = rowStart(desc, rank, 0, row);
  let startS = rowStart(desc, rank, 1, row);
  for (; row <= last; row++) {
    const j0 = spanStart(row, n, e0);
    copyRun(dst + <usize>(startD + j0 * sd) * 4, sd, src + <usize>(startS + j0 * ss) * 4, ss, spanEnd(row, n, e1) - j0);
    if (++along < side) {
      startD += stepD;
      startS += stepS;
    } else if (row < last) {
      along = 0;
      startD = rowStart(desc, rank, 0, row + 1);
      startS = rowStart(desc, rank, 1, row + 1);
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
