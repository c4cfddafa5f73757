/**
 * softmax along an axis (Backend.softmax / softmaxGrad), over rows of a contiguous array: row r
 * is (o, i) = (r / inner, r % inner), its elements `length` of them, `inner` apart, from
 * (o·length)·inner + i. With m the row's largest element:
 *
 *   y_j = e^(x_j − m) / Σ_k e^(x_k − m)          e^(·) in float32 lanes (exp.ts), Σ in float64
 *   dx_j = y_j·(dy_j − Σ_k dy_k·y_k)             float64 element by element, the sum in order:
 *                                                the reference's values bit for bit
 *
 * A row along the last axis (inner = 1) takes its max, e^(·) and division four lanes at a time;
 * others one lane at a time — the same operations, so a value does not depend on where it sits.
 */
import { exp4 } from './exp';
import { pairAt, storeTwo, twoAt } from './lanes';

@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** The byte offset of row `row`'s first element (no division when the rows are contiguous). */
@inline function rowStart(row: i32, length: i32, inner: i32): usize {
  if (inner == 1) return <usize>row * <usize>length * 4;
  return (<usize>(row / inner) * <usize>length * <usize>inner + <usize>(row % inner)) * 4;
}

/** y of rows [r0, r1). */
export function softmaxRows(y: usize, x: usize, length: i32, inner: i32, r0: i32, r1: i32): void {
  const step = <usize>inner * 4;
  for (let row = r0; row < r1; row++) {
    const start = rowStart(row, length, inner);
    const from = x + start;
    const to = y + start;
    const m = rowMax(from, length, step, inner);
    let sum: f64 = 0;
    let j = 0;
    if (inner == 1) {
      for (; j + 4 <= length; j += 4) {
        const e = exp4(f32x4.sub(v128.load(from + <usize>j * 4), f32x4.splat(m)));
        v128.store(to + <usize>j * 4, e);
        sum += <f64>f32x4.extract_lane(e, 0);
        sum += <f64>f32x4.extract_lane(e, 1);
        sum += <f64>f32x4.extract_lane(e, 2);
        sum += <f64>f32x4.extract_lane(e, 3);
      }
    }
    for (; j < length; j++) {
      const e = exp1(load<f32>(from + <usize>j * step) - m);
      store<f32>(to + <usize>j * step, e);
      sum += <f64>e;
    }
    const total = <f32>sum;
    let k = 0;
    if (inner == 1) {
      const totals = f32x4.splat(total);
      for (; k + 4 <= length; k += 4) v128.store(to + <usize>k * 4, f32x4.div(v128.load(to + <usize>k * 4), totals));
    }
    for (; k < length; k++) store<f32>(to + <usize>k * step, load<f32>(to + <usize>k * step) / total);
  }
}

/**
 * The largest of a row's `length` elements, `step` bytes apart; NaN when one is NaN (max is
 * exact, so taking it four lanes at a time gives the one-by-one value, ±0 and NaN included).
 */
@inline function rowMax(from: usize, length: i32, step: usize, inner: i32): f32 {
  let m: f32 = -Infinity;
  let j = 0;
  if (inner == 1 && length >= 8) {
    let lanes = v128.load(from);
    for (j = 4; j + 4 <= length; j += 4) lanes = f32x4.max(lanes, v128.load(from + <usize>j * 4));
    m = max<f32>(max<f32>(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)), max<f32>(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
  }
  for (; j < length; j++) m = max<f32>(m, load<f32>(from + <usize>j * step)); // NaN wins
  return m;
}

/** dx of rows [r0, r1), from dy and softmax's output y. */
export function softmaxGradRows(dx: usize, dy: usize, y: usize, length: i32, inner: i32, r0: i32, r1: i32): void {
  let row = r0;
  if (inner == 1) {
    // Two rows at once: each one's dot product in a float64 lane of its own, in order (a chain
    // of dependent adds, which the two rows now share), then each row two elements at a time.
    const rowBytes = <usize>length * 4;
    for (; row + 2 <= r1; row += 2) {
      const start = <usize>row * rowBytes;
      let dot = f64x2.splat(0);
      for (let j = 0; j < length; j++) {
        const at = start + <usize>j * 4;
        dot = f64x2.add(dot, f64x2.mul(pairAt(dy + at, dy + at + rowBytes), pairAt(y + at, y + at + rowBytes)));
      }
      gradRow(dx + start, dy + start, y + start, f64x2.extract_lane(dot, 0), length);
      gradRow(dx + start + rowBytes, dy + start + rowBytes, y + start + rowBytes, f64x2.extract_lane(dot, 1), length);
    }
  }
  const step = <usize>inner * 4;
  for (; row < r1; row++) {
    const start = rowStart(row, length, inner);
    let dot: f64 = 0;
    for (let j = 0; j < length; j++) {
      const at = start + <usize>j * step;
      dot += <f64>load<f32>(dy + at) * <f64>load<f32>(y + at);
    }
    if (inner == 1) {
      gradRow(dx + start, dy + start, y + start, dot, length);
      continue;
    }
    for (let j = 0; j < length; j++) {
      const at = start + <usize>j * step;
      store<f32>(dx + at, <f32>(<f64>load<f32>(y + at) * (<f64>load<f32>(dy + at) - dot)));
    }
  }
}

/** dx_j = y_j·(dy_j − dot) along one contiguous row, in float64, two elements at a time. */
@inline function gradRow(dx: usize, dy: usize, y: usize, dot: f64, length: i32): void {
  const dots = f64x2.splat(dot);
  let j = 0;
  for (; j + 2 <= length; j += 2) {
    const at = <usize>j * 4;
    storeTwo(dx + at, f64x2.mul(twoAt(y + at), f64x2.sub(twoAt(dy + at), dots)));
  }
  for (; j < length; j++) {
    const at = <usize>j * 4;
    store<f32>(dx + at, <f32>(<f64>load<f32>(y + at) * (<f64>load<f32>(dy + at) - dot)));
  }
}
