/**
 * Batched matrix product. For each batch index, out[i, j] = Σ_k a[i, k] · b[k, j].
 * Batch axes broadcast; both operands are read through their strides (a transposed view
 * costs no copy). Each output accumulates in float64, then rounds once.
 *
 * The loop order follows the memory layout, so that the innermost loop walks memory in order:
 *   - b's rows packed (b[k, j] next to b[k, j+1]): order i-k-j, the inner loop adds
 *     a[i, k]·b[k, :] into a row of out;
 *   - b's columns packed (b is a transposed view, as x·Wᵀ in a Linear layer) and a's rows
 *     packed: order i-j-k, each out[i, j] is a dot product of two packed runs;
 *   - anything else: b is copied packed first (k·m values, cheap beside the n·k·m products).
 */
import { NDArray, allocate, sizeOf } from '@skipgrad/tensor';
import { matmulOperands } from '../backend.js';
import { walkPair } from './strided.js';

export function matmul(a: NDArray, b: NDArray): NDArray {
  const { n, k, m, batch, a: av, b: expanded } = matmulOperands(a, b);
  let bv = expanded;
  const [aRow, aCol] = av.strides.slice(-2) as [number, number];
  const dotOrder = m > 1 && bv.strides[bv.rank - 1] !== 1 && bv.strides[bv.rank - 2] === 1 && aCol === 1;
  if (!dotOrder && m > 1 && bv.strides[bv.rank - 1] !== 1) bv = b.contiguous().expand([...batch, k, m]);
  const [bRow, bCol] = bv.strides.slice(-2) as [number, number];
  const out = allocate(a.dtype, sizeOf(batch) * n * m);
  const sa = a.storage;
  const sb = bv.storage;
  const row = new Float64Array(m);
  let o = 0;
  walkPair(batch, av.strides.slice(0, -2), av.offset, bv.strides.slice(0, -2), bv.offset, (baseA, baseB) => {
    for (let i = 0; i < n; i++) {
      const aAt = baseA + i * aRow;
      if (dotOrder) {
        for (let j = 0; j < m; j++) {
          const bAt = baseB + j * bCol;
          // Four partial sums, so consecutive products do not wait on one accumulator.
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let p = 0;
          for (; p + 4 <= k; p += 4) {
            s0 += sa[aAt + p]! * sb[bAt + p]!;
            s1 += sa[aAt + p + 1]! * sb[bAt + p + 1]!;
            s2 += sa[aAt + p + 2]! * sb[bAt + p + 2]!;
            s3 += sa[aAt + p + 3]! * sb[bAt + p + 3]!;
          }
          for (; p < k; p++) s0 += sa[aAt + p]! * sb[bAt + p]!;
          row[j] = s0 + s1 + s2 + s3;
        }
      } else {
        row.fill(0);
        let p = 0;
        if (bCol === 1) {
          // Four rows of b per pass: a quarter of the loads and stores of `row`.
          for (; p + 4 <= k; p += 4) {
            const x0 = sa[aAt + p * aCol]!, x1 = sa[aAt + (p + 1) * aCol]!;
            const x2 = sa[aAt + (p + 2) * aCol]!, x3 = sa[aAt + (p + 3) * aCol]!;
            const b0 = baseB + p * bRow, b1 = b0 + bRow, b2 = b1 + bRow, b3 = b2 + bRow;
            for (let j = 0; j < m; j++) row[j]! += x0 * sb[b0 + j]! + x1 * sb[b1 + j]! + x2 * sb[b2 + j]! + x3 * sb[b3 + j]!;
          }
        }
        for (; p < k; p++) {
          const x = sa[aAt + p * aCol]!;
          const bAt = baseB + p * bRow;
          for (let j = 0; j < m; j++) row[j]! += x * sb[bAt + j * bCol]!;
        }
      }
      out.set(row, o);
      o += m;
    }
  });
  return new NDArray(out, [...batch, n, m]);
}
