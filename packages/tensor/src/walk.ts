/**
 * Walking strided arrays without recursion — the one walker: NDArray's copy (forEachOffset) and
 * every reference kernel use it. An "odometer" counts through every multi-index
 * of a shape in row-major order; when an axis rolls over it resets and carries into the axis
 * to its left. Each array keeps a running storage offset, moved by its own strides, so a
 * transposed, expanded (stride 0) or sliced view is read correctly without being copied.
 */
import type { Shape } from './shape.js';

/**
 * Calls `visitRow(offsetA, offsetB)` once per row of `shape` (every multi-index of all axes
 * but the last), with the storage offsets where that row starts in two strided layouts A and
 * B. The caller walks the row itself, `rowLength(shape)` steps of the last stride of each
 * layout: a plain loop the JIT compiles tightly, instead of a call per element.
 */
export function walkRows(
  shape: Shape,
  stridesA: Shape,
  offsetA: number,
  stridesB: Shape,
  offsetB: number,
  visitRow: (a: number, b: number) => void,
): void {
  const rank = shape.length;
  for (const side of shape) if (side === 0) return;
  if (rank <= 1) {
    visitRow(offsetA, offsetB);
    return;
  }
  const index = new Array<number>(rank - 1).fill(0);
  let a = offsetA;
  let b = offsetB;
  for (;;) {
    visitRow(a, b);
    let axis = rank - 2;
    for (; axis >= 0; axis--) {
      index[axis]!++;
      a += stridesA[axis]!;
      b += stridesB[axis]!;
      if (index[axis]! < shape[axis]!) break;
      a -= index[axis]! * stridesA[axis]!;
      b -= index[axis]! * stridesB[axis]!;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** The length of a row walked by walkRows, and the step of a layout along it (1 and 0 at rank 0). */
export const rowLength = (shape: Shape): number => (shape.length === 0 ? 1 : shape[shape.length - 1]!);
export const rowStep = (strides: Shape): number => (strides.length === 0 ? 0 : strides[strides.length - 1]!);

/**
 * Calls `visit(offsetA, offsetB)` for every multi-index of `shape`, in row-major order, with
 * the storage offsets of that index in two strided layouts A and B.
 */
export function walkPair(
  shape: Shape,
  stridesA: Shape,
  offsetA: number,
  stridesB: Shape,
  offsetB: number,
  visit: (a: number, b: number) => void,
): void {
  const inner = rowLength(shape);
  const stepA = rowStep(stridesA);
  const stepB = rowStep(stridesB);
  walkRows(shape, stridesA, offsetA, stridesB, offsetB, (a, b) => {
    for (let i = 0; i < inner; i++) visit(a + i * stepA, b + i * stepB);
  });
}
