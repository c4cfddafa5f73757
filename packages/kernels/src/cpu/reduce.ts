/**
 * Reductions. One odometer walks the input; the output position of each input element is
 * found with "reduction strides": the output's own strides, but 0 on the reduced axes, so
 * every element along a reduced axis lands on the same output slot. Sums accumulate in
 * float64 whatever the dtype, then round once.
 */
import { NDArray, allocate, contiguousStrides, sizeOf, rowLength, rowStep, walkRows } from '@skipgrad/tensor';
import type { ReduceOp } from '../backend.js';

export function reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray {
  const reduced = new Set(axes);
  const keptShape = a.shape.map((side, axis) => (reduced.has(axis) ? 1 : side));
  const keptStrides = contiguousStrides(keptShape);
  const walkStrides = keptStrides.map((s, axis) => (reduced.has(axis) ? 0 : s));
  const acc = new Float64Array(sizeOf(keptShape)).fill(op === 'sum' ? 0 : -Infinity);
  const src = a.storage;
  const inner = rowLength(a.shape);
  const step = rowStep(a.strides);
  const slotStep = rowStep(walkStrides);
  if (op === 'sum') {
    walkRows(a.shape, a.strides, a.offset, walkStrides, 0, (at, slot) => {
      for (let j = 0; j < inner; j++) acc[slot + j * slotStep]! += src[at + j * step]!;
    });
  } else {
    walkRows(a.shape, a.strides, a.offset, walkStrides, 0, (at, slot) => {
      for (let j = 0; j < inner; j++) {
        const v = src[at + j * step]!;
        const s = slot + j * slotStep;
        // NaN wins, as in PyTorch: once a slot holds NaN no comparison replaces it.
        if (v > acc[s]! || Number.isNaN(v)) acc[s] = v;
      }
    });
  }
  const out = allocate(a.dtype, acc.length);
  out.set(acc);
  const shape = keepdim ? keptShape : a.shape.filter((_, axis) => !reduced.has(axis));
  return new NDArray(out, shape);
}
