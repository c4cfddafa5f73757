/**
 * Walking strided arrays without recursion. An "odometer" counts through every multi-index
 * of a shape in row-major order; when an axis rolls over it resets and carries into the axis
 * to its left. Each array keeps a running storage offset, moved by its own strides, so a
 * transposed, expanded (stride 0) or sliced view is read correctly without being copied.
 */
import type { Shape } from '@skipgrad/tensor';

/**
 * Calls `visit(offsetA, offsetB)` for every multi-index of `shape`, in row-major order, with
 * the storage offsets of that index in two strided layouts A and B.
 */
export function walkPair(
  shape: Shape,
  stridesA: Shape, offsetA: number,
  stridesB: Shape, offsetB: number,
  visit: (a: number, b: number) => void,
): void {
  const rank = shape.length;
  for (const side of shape) if (side === 0) return;
  if (rank === 0) { visit(offsetA, offsetB); return; }
  const inner = shape[rank - 1]!;
  const innerA = stridesA[rank - 1]!;
  const innerB = stridesB[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let a = offsetA;
  let b = offsetB;
  for (;;) {
    for (let i = 0; i < inner; i++) visit(a + i * innerA, b + i * innerB);
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
