/**
 * Selection: where (pick from a or b by a mask) and gather / scatterAdd (pick, or add back,
 * along one axis by index). Index values are float32 holding whole numbers, checked by the
 * ops before they get here.
 */
import { rowLength, rowStart, rowStep, spanEnd, spanStart } from './strided';

/** out (contiguous) = cond != 0 ? a : b; desc = [shape, cond's, a's and b's strides]; elements [e0, e1). */
export function where(out: usize, cond: usize, a: usize, b: usize, rank: i32, desc: usize, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const sc = rowStep(desc, rank, 0), sa = rowStep(desc, rank, 1), sb = rowStep(desc, rank, 2);
  if (n == 0 || e1 <= e0) return;
  for (let row = e0 / n; row <= (e1 - 1) / n; row++) {
    const pc = cond + <usize>rowStart(desc, rank, 0, row) * 4;
    const pa = a + <usize>rowStart(desc, rank, 1, row) * 4;
    const pb = b + <usize>rowStart(desc, rank, 2, row) * 4;
    const dst = out + <usize>(row * n) * 4;
    for (let j = spanStart(row, n, e0), end = spanEnd(row, n, e1); j < end; j++) {
      const c = load<f32>(pc + <usize>(j * sc) * 4);
      store<f32>(dst + <usize>j * 4, c != 0 ? load<f32>(pa + <usize>(j * sa) * 4) : load<f32>(pb + <usize>(j * sb) * 4));
    }
  }
}

/**
 * The element of the source each index element points at: desc = [index's shape, the
 * source's contiguous strides with 0 on `axis`]; the index value, times the source's stride
 * along the axis, takes the axis coordinate's place.
 */
@inline function target(desc: usize, rank: i32, row: i32, j: i32, step: i32, index: f32, axisStride: i32): i32 {
  return rowStart(desc, rank, 0, row) + j * step + <i32>index * axisStride;
}

/** out[i] = a[target(i)] for the elements [e0, e1) of the contiguous index. */
export function gather(out: usize, a: usize, index: usize, rank: i32, desc: usize, axisStride: i32, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const step = rowStep(desc, rank, 0);
  if (n == 0 || e1 <= e0) return;
  for (let row = e0 / n; row <= (e1 - 1) / n; row++) {
    for (let j = spanStart(row, n, e0), end = spanEnd(row, n, e1); j < end; j++) {
      const i = row * n + j;
      const t = target(desc, rank, row, j, step, load<f32>(index + <usize>i * 4), axisStride);
      store<f32>(out + <usize>i * 4, load<f32>(a + <usize>t * 4));
    }
  }
}

/** acc[target(i)] += src[i] (acc float64, zeroed by the caller; src and index contiguous). */
export function scatterAddInto(acc: usize, src: usize, index: usize, rank: i32, desc: usize, axisStride: i32, rows: i32): void {
  const n = rowLength(desc, rank);
  const step = rowStep(desc, rank, 0);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < n; j++) {
      const i = row * n + j;
      const t = target(desc, rank, row, j, step, load<f32>(index + <usize>i * 4), axisStride);
      store<f64>(acc + <usize>t * 8, load<f64>(acc + <usize>t * 8) + <f64>load<f32>(src + <usize>i * 4));
    }
  }
}
