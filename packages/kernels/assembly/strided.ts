/**
 * Reading strided views. The backend first "coalesces" a view's axes on the JavaScript side
 * (merging neighbours that are contiguous together, dropping sides of 1), so most arrays
 * arrive here as one long row; what remains is walked row by row: for row r of `shape`
 * (every multi-index but the last axis), the offset where that row starts in a layout is
 *
 *     Σ_axis coordinate(r, axis) · strides[axis]
 *
 * found by dividing r by the sides from the right. Nothing is kept between rows, so any range
 * of elements can be handed to any thread: a kernel given elements [e0, e1) (in row-major order
 * of the shape) walks the rows they touch, the first and last perhaps in part.
 *
 * A descriptor is an Int32Array in memory: `shape[rank]` followed by one `strides[rank]` per
 * layout. All offsets and strides count elements (4 bytes each), not bytes.
 */

/** The side of `axis`. */
@inline export function axisSide(desc: usize, axis: i32): i32 {
  return load<i32>(desc + <usize>axis * 4);
}

/** The stride of `axis` in layout `which`. */
@inline export function axisStep(desc: usize, rank: i32, which: i32, axis: i32): i32 {
  return load<i32>(desc + <usize>((1 + which) * rank + axis) * 4);
}

/** The offset (in elements) of the first element of row `row` in layout `which` of the descriptor. */
@inline export function rowStart(desc: usize, rank: i32, which: i32, row: i32): i32 {
  let rest = row;
  let at = 0;
  for (let axis = rank - 2; axis >= 0; axis--) {
    const side = axisSide(desc, axis);
    const coordinate = rest % side;
    rest = rest / side;
    at += coordinate * axisStep(desc, rank, which, axis);
  }
  return at;
}

/** The length of each row: the last side (1 at rank 0). */
@inline export function rowLength(desc: usize, rank: i32): i32 {
  return rank == 0 ? 1 : axisSide(desc, rank - 1);
}

/** The step along a row in layout `which`: the last stride (0 at rank 0). */
@inline export function rowStep(desc: usize, rank: i32, which: i32): i32 {
  return rank == 0 ? 0 : axisStep(desc, rank, which, rank - 1);
}

/** The first element of row `row` (of length n) inside the element range that starts at e0. */
@inline export function spanStart(row: i32, n: i32, e0: i32): i32 {
  const s = e0 - row * n;
  return s > 0 ? s : 0;
}

/** One past the last element of row `row` inside the element range that ends at e1. */
@inline export function spanEnd(row: i32, n: i32, e1: i32): i32 {
  const e = e1 - row * n;
  return e < n ? e : n;
}
