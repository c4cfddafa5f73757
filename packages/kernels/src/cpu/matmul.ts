/**
 * Batched matrix product: for each batch index, y[i, j] = Σ_p a[i, p] · b[p, j]. Batch axes
 * broadcast; a is read through its strides (a transposed view costs no copy); b is first
 * packed row by row unless it already is. Each row of y accumulates in float64, then rounds once.
 *
 * The loops are i-p-j: row i of y is Σ_p a[i, p] · (row p of b), so the innermost loop walks a
 * row of b and a row of y in memory order. This is the reference — the plainest correct loops;
 * speed is the wasm backend's job.
 */
import { NDArray, allocate, sizeOf, walkPair } from '@skipgrad/tensor';
import { matmulOperands } from '../backend.js';

export function matmul(a: NDArray, b: NDArray): NDArray {
  const { n, k, m, batch, a: av, b: expanded } = matmulOperands(a, b);
  const packed = expanded.strides[expanded.rank - 1] === 1 || m === 1;
  const bv = packed ? expanded : b.contiguous().expand([...batch, k, m]);
  const [aRow, aCol] = av.strides.slice(-2) as [number, number];
  const [bRow, bCol] = bv.strides.slice(-2) as [number, number];
  const y = allocate(a.dtype, sizeOf(batch) * n * m);
  const [sa, sb] = [a.storage, bv.storage];
  const row = new Float64Array(m);
  let at = 0;
  walkPair(batch, av.strides.slice(0, -2), av.offset, bv.strides.slice(0, -2), bv.offset, (baseA, baseB) => {
    for (let i = 0; i < n; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = sa[baseA + i * aRow + p * aCol]!;
        const bp = baseB + p * bRow;
        for (let j = 0; j < m; j++) row[j]! += aip * sb[bp + j * bCol]!;
      }
      y.set(row, at);
      at += m;
    }
  });
  return new NDArray(y, [...batch, n, m]);
}
