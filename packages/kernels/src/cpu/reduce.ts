/**
 * Reductions. One odometer walks the input; the output position of each input element is
 * found with "reduction strides": the output's own strides, but 0 on the reduced axes, so
 * every element along a reduced axis lands on the same output slot. Sums accumulate in
 * float64 whatever the dtype, then round once.
 */
import { NDArray, allocate, contiguousStrides, sizeOf } from '@skipgrad/tensor';
import type { ReduceOp } from '../backend.js';
import { walkPair } from './strided.js';

export function reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray {
  const reduced = new Set(axes);
  const keptShape = a.shape.map((side, axis) => (reduced.has(axis) ? 1 : side));
  const keptStrides = contiguousStrides(keptShape);
  const walkStrides = keptStrides.map((s, axis) => (reduced.has(axis) ? 0 : s));
  const acc = new Float64Array(sizeOf(keptShape)).fill(op === 'sum' ? 0 : -Infinity);
  const src = a.storage;
  if (op === 'sum') {
    walkPair(a.shape, a.strides, a.offset, walkStrides, 0, (at, slot) => { acc[slot]! += src[at]!; });
  } else {
    walkPair(a.shape, a.strides, a.offset, walkStrides, 0, (at, slot) => {
      const v = src[at]!;
      // NaN wins, as in PyTorch: once a slot holds NaN no comparison replaces it.
      if (v > acc[slot]! || Number.isNaN(v)) acc[slot] = v;
    });
  }
  const out = allocate(a.dtype, acc.length);
  out.set(acc);
  const shape = keepdim ? keptShape : a.shape.filter((_, axis) => !reduced.has(axis));
  return new NDArray(out, shape);
}
