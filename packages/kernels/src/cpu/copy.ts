/**
 * Kernels that move data without arithmetic: contiguous copies, concat and pad. Each writes
 * into a view of the output (same storage, the piece's shape, the output's strides), so one
 * strided copy serves them all.
 */
import {
  type DType,
  NDArray,
  allocate,
  contiguousStrides,
  sizeOf,
  rowLength,
  rowStep,
  walkRows,
} from '@skipgrad/tensor';

/** Copies every element of `src` into the same-shaped strided view `dst`. */
function copyInto(dst: NDArray, src: NDArray): void {
  const to = dst.storage;
  const from = src.storage;
  const inner = rowLength(src.shape);
  const stepTo = rowStep(dst.strides);
  const stepFrom = rowStep(src.strides);
  walkRows(src.shape, dst.strides, dst.offset, src.strides, src.offset, (d, s) => {
    for (let j = 0; j < inner; j++) to[d + j * stepTo] = from[s + j * stepFrom]!;
  });
}

export function copy(a: NDArray, dtype: DType = a.dtype): NDArray {
  return a.copy(dtype);
}

export function full(shape: readonly number[], value: number, dtype: DType): NDArray {
  const out = allocate(dtype, sizeOf(shape));
  out.fill(value);
  return new NDArray(out, [...shape]);
}

export function concat(arrays: readonly NDArray[], axis: number): NDArray {
  const first = arrays[0]!;
  const shape = [...first.shape];
  shape[axis] = arrays.reduce((total, a) => total + a.shape[axis]!, 0);
  const strides = contiguousStrides(shape);
  const out = allocate(first.dtype, sizeOf(shape));
  let start = 0;
  for (const piece of arrays) {
    copyInto(new NDArray(out, piece.shape, strides, start * strides[axis]!), piece);
    start += piece.shape[axis]!;
  }
  return new NDArray(out, shape, strides);
}

export function pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
  const shape = a.shape.map((side, axis) => side + pads[axis]![0] + pads[axis]![1]);
  const strides = contiguousStrides(shape);
  const out = allocate(a.dtype, sizeOf(shape));
  out.fill(value);
  const offset = pads.reduce((at, [before], axis) => at + before * strides[axis]!, 0);
  copyInto(new NDArray(out, a.shape, strides, offset), a);
  return new NDArray(out, shape, strides);
}
