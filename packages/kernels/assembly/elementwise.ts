/**
 * Elementwise kernels: out[i] = f(a[i]) and out[i] = f(a[i], b[i]), with a and b read through
 * their strides (broadcast axes have stride 0), out contiguous. Rows whose elements sit side by
 * side (step 1), or repeat one value (step 0, a broadcast scalar or column), run four lanes at
 * a time. exp, tanh, sigmoid and erf are lane functions too, from float32 polynomials (exp.ts,
 * erf.ts): every element of them goes through the lanes — row tails and strided rows one lane at
 * a time — so a value's result never depends on where it sits. log and pow run one element at a
 * time in float64 and round once, as the reference does.
 *
 * Operation codes, in the order of UNARY_OPS and BINARY_OPS in backend.ts:
 *   unary:  0 neg  1 exp  2 log  3 tanh  4 sigmoid  5 relu  6 step  7 abs  8 sign  9 erf
 *   binary: 0 add  1 sub  2 mul  3 div  4 pow  5 eq
 */
import { erf4 } from './erf';
import { exp4, sigmoid4, tanh4 } from './exp';
import { rowLength, rowStart, rowStep, spanEnd, spanStart } from './strided';

// ── one input ──────────────────────────────────────────────────────────────────────────────

/** One element of log (2), the unary op that is not a lane function, in float64. */
function unaryScalar(x: f64): f64 {
  return Math.log(x);
}

/** Four elements of a unary op done in lanes: neg, relu, step, abs, sign; exp, tanh, sigmoid, erf. */
@inline function unaryLanes(op: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (op) {
    case 0: return f32x4.neg(x);
    case 1: return exp4(x);
    case 3: return tanh4(x);
    case 4: return sigmoid4(x);
    // relu(NaN) = 0, as in the reference: (NaN > 0) is false, so the mask is 0.
    case 5: return v128.and(x, f32x4.gt(x, zero));
    case 6: return v128.and(one, f32x4.gt(x, zero));
    case 7: return f32x4.abs(x);
    case 9: return erf4(x);
    default: return f32x4.sub(v128.and(one, f32x4.gt(x, zero)), v128.and(one, f32x4.lt(x, zero)));
  }
}

@inline function isLaneOp(op: i32): bool {
  return op != 2; // log runs one element at a time, in float64
}

/** dst[0..count) = op(src[j·step]), one run of a row. */
@inline function unaryRun(op: i32, dst: usize, src: usize, count: i32, step: i32): void {
  let j = 0;
  if (step == 1 && isLaneOp(op)) {
    for (; j + 4 <= count; j += 4) v128.store(dst + <usize>j * 4, unaryLanes(op, v128.load(src + <usize>j * 4)));
  }
  for (; j < count; j++) {
    const x = load<f32>(src + <usize>(j * step) * 4);
    const y = isLaneOp(op) ? f32x4.extract_lane(unaryLanes(op, f32x4.splat(x)), 0) : <f32>unaryScalar(<f64>x);
    store<f32>(dst + <usize>j * 4, y);
  }
}

/** out (contiguous) = op(a), a described by desc = [shape, strides] of rank `rank`; elements [e0, e1). */
export function unary(op: i32, out: usize, a: usize, rank: i32, desc: usize, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const step = rowStep(desc, rank, 0);
  if (n == 0 || e1 <= e0) return;
  for (let row = e0 / n; row <= (e1 - 1) / n; row++) {
    const j0 = spanStart(row, n, e0);
    const src = a + <usize>(rowStart(desc, rank, 0, row) + j0 * step) * 4;
    unaryRun(op, out + <usize>(row * n + j0) * 4, src, spanEnd(row, n, e1) - j0, step);
  }
}

// ── two inputs ─────────────────────────────────────────────────────────────────────────────

function binaryScalar(op: i32, x: f64, y: f64): f64 {
  switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return Math.pow(x, y);
    default: return x == y ? 1 : 0;
  }
}

@inline function binaryLanes(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(x, y);
    case 1: return f32x4.sub(x, y);
    case 2: return f32x4.mul(x, y);
    case 3: return f32x4.div(x, y);
    default: return v128.and(f32x4.splat(1), f32x4.eq(x, y));
  }
}

/** dst[0..count) = op(a[j·sa], b[j·sb]), one run of a row. */
@inline function binaryRun(op: i32, dst: usize, pa: usize, sa: i32, pb: usize, sb: i32, count: i32): void {
  const lanes = op != 4;
  let j = 0;
  if (lanes && sa == 1 && sb == 1) {
    for (; j + 4 <= count; j += 4) v128.store(dst + <usize>j * 4, binaryLanes(op, v128.load(pa + <usize>j * 4), v128.load(pb + <usize>j * 4)));
  } else if (lanes && sa == 1 && sb == 0) {
    const y = v128.load32_splat(pb);
    for (; j + 4 <= count; j += 4) v128.store(dst + <usize>j * 4, binaryLanes(op, v128.load(pa + <usize>j * 4), y));
  } else if (lanes && sa == 0 && sb == 1) {
    const x = v128.load32_splat(pa);
    for (; j + 4 <= count; j += 4) v128.store(dst + <usize>j * 4, binaryLanes(op, x, v128.load(pb + <usize>j * 4)));
  }
  for (; j < count; j++) {
    const x = <f64>load<f32>(pa + <usize>(j * sa) * 4);
    const y = <f64>load<f32>(pb + <usize>(j * sb) * 4);
    store<f32>(dst + <usize>j * 4, <f32>binaryScalar(op, x, y));
  }
}

/**
 * out (contiguous) = op(a, b); desc = [shape, strides of a, strides of b]; elements [e0, e1).
 * add, sub, mul and div round the same in float32 as in float64-then-round, so the lanes agree
 * with the reference bit for bit.
 */
export function binary(op: i32, out: usize, a: usize, b: usize, rank: i32, desc: usize, e0: i32, e1: i32): void {
  const n = rowLength(desc, rank);
  const sa = rowStep(desc, rank, 0);
  const sb = rowStep(desc, rank, 1);
  if (n == 0 || e1 <= e0) return;
  for (let row = e0 / n; row <= (e1 - 1) / n; row++) {
    const j0 = spanStart(row, n, e0);
    const pa = a + <usize>(rowStart(desc, rank, 0, row) + j0 * sa) * 4;
    const pb = b + <usize>(rowStart(desc, rank, 1, row) + j0 * sb) * 4;
    binaryRun(op, out + <usize>(row * n + j0) * 4, pa, sa, pb, sb, spanEnd(row, n, e1) - j0);
  }
}
