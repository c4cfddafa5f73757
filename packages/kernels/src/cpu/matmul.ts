/**
 * Batched matrix product. For each batch index, out[i, j] = Σ_k a[i, k] · b[k, j].
 * Batch axes broadcast; both operands are read through their strides (a transposed view
 * costs no copy). Loop order i-k-j keeps the inner loop walking a row of b and of out;
 * each output row accumulates in float64, then rounds once.
 */
import { NDArray, allocate, broadcastShapes, sizeOf } from '@skipgrad/tensor';
import { walkPair } from './strided.js';

export function matmul(a: NDArray, b: NDArray): NDArray {
  const n = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const m = b.shape[b.rank - 1]!;
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const av = a.expand([...batch, n, k]);
  const bv = b.expand([...batch, k, m]);
  const out = allocate(a.dtype, sizeOf(batch) * n * m);
  const [aRow, aCol] = av.strides.slice(-2) as [number, number];
  const [bRow, bCol] = bv.strides.slice(-2) as [number, number];
  const sa = a.storage;
  const sb = b.storage;
  const row = new Float64Array(m);
  let o = 0;
  walkPair(batch, av.strides.slice(0, -2), av.offset, bv.strides.slice(0, -2), bv.offset, (baseA, baseB) => {
    for (let i = 0; i < n; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const x = sa[baseA + i * aRow + p * aCol]!;
        const bAt = baseB + p * bRow;
        for (let j = 0; j < m; j++) row[j]! += x * sb[bAt + j * bCol]!;
      }
      out.set(row, o);
      o += m;
    }
  });
  return new NDArray(out, [...batch, n, m]);
}
