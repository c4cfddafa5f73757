/**
 * softmax along an axis, the reference (Backend.softmax / softmaxGrad). Each row along the axis
 * (the other axes fixed) is, with m its largest element (subtracted so that e^(·) never overflows):
 *
 *   y_j = e^(x_j − m) / Σ_k e^(x_k − m)
 *   dx_j = y_j·(dy_j − Σ_k dy_k·y_k)
 *
 * (∂y_j/∂x_k = y_j·([j = k] − y_k); summing dy_j times that over j gives dx_k.)
 * float64 inside, rounded once; the backward's sum runs in order, as the wasm kernel's does.
 */
import { NDArray, allocate } from '@skipgrad/tensor';

/** A contiguous array's rows along `axis`: `outer · inner` rows of `length` elements, `inner` apart. */
export function rowsAlong(shape: readonly number[], axis: number): { outer: number; length: number; inner: number } {
  const product = (sides: readonly number[]): number => sides.reduce((p, q) => p * q, 1);
  return { outer: product(shape.slice(0, axis)), length: shape[axis]!, inner: product(shape.slice(axis + 1)) };
}

export function softmax(x: NDArray, axis: number): NDArray {
  const xs = x.toTypedArray();
  const out = allocate(x.dtype, x.size);
  const { outer, length, inner } = rowsAlong(x.shape, axis);
  const e = new Float64Array(length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => (o * length + j) * inner + i;
      let m = -Infinity;
      for (let j = 0; j < length; j++) m = Math.max(m, xs[at(j)]!); // NaN anywhere: a row of NaN
      let sum = 0;
      for (let j = 0; j < length; j++) {
        e[j] = Math.exp(xs[at(j)]! - m);
        sum += e[j]!;
      }
      for (let j = 0; j < length; j++) out[at(j)] = e[j]! / sum;
    }
  }
  return new NDArray(out, [...x.shape]);
}

/** dy's gradient through softmax along `axis`, from softmax's output y (dy and y of one shape). */
export function softmaxGrad(dy: NDArray, y: NDArray, axis: number): NDArray {
  const [gs, ys] = [dy.toTypedArray(), y.toTypedArray()];
  const out = allocate(y.dtype, y.size);
  const { outer, length, inner } = rowsAlong(y.shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => (o * length + j) * inner + i;
      let dot = 0;
      for (let j = 0; j < length; j++) dot += gs[at(j)]! * ys[at(j)]!;
      for (let j = 0; j < length; j++) out[at(j)] = ys[at(j)]! * (gs[at(j)]! - dot);
    }
  }
  return new NDArray(out, [...y.shape]);
}
