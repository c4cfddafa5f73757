/**
 * Selection kernels: where (pick from a or b by a mask), gather (pick along an axis by index)
 * and scatterAdd (gather's adjoint: add back along an axis by index).
 */
import { NDArray, allocate, broadcastShapes, contiguousStrides, sizeOf, walkPair } from '@skipgrad/tensor';

export function where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
  const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
  const c = cond.expand(shape).copy();
  const av = a.expand(shape);
  const bv = b.expand(shape);
  const out = allocate(a.dtype, sizeOf(shape));
  let i = 0;
  walkPair(shape, av.strides, av.offset, bv.strides, bv.offset, (ia, ib) => {
    out[i] = c.storage[i] !== 0 ? a.storage[ia]! : b.storage[ib]!;
    i++;
  });
  return new NDArray(out, shape);
}

/** For each element of `index` (row-major), the flat offset it reads in a contiguous `shape` along `axis`. */
function targets(
  shape: readonly number[],
  axis: number,
  index: NDArray,
  visit: (i: number, target: number) => void,
): void {
  const strides = contiguousStrides(shape);
  const idx = index.toTypedArray();
  const iStrides = contiguousStrides(index.shape);
  for (let i = 0; i < idx.length; i++) {
    let target = 0;
    let rem = i;
    for (let d = 0; d < index.rank; d++) {
      const coord = Math.floor(rem / iStrides[d]!);
      rem -= coord * iStrides[d]!;
      target += (d === axis ? idx[i]! : coord) * strides[d]!;
    }
    visit(i, target);
  }
}

export function gather(a: NDArray, axis: number, index: NDArray): NDArray {
  const src = a.contiguous().toTypedArray();
  const out = allocate(a.dtype, index.size);
  targets(a.shape, axis, index, (i, target) => {
    out[i] = src[target]!;
  });
  return new NDArray(out, [...index.shape]);
}

export function scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
  const values = src.toTypedArray();
  const acc = new Float64Array(sizeOf(shape));
  targets(shape, axis, index, (i, target) => {
    acc[target]! += values[i]!;
  });
  const out = allocate(src.dtype, acc.length);
  out.set(acc);
  return new NDArray(out, [...shape]);
}
