/**
 * matmul — matrix product with batch broadcasting: [..., n, k] @ [..., k, m] → [..., n, m].
 * A 1-D left operand is a row [1, k], a 1-D right operand a column [k, 1]; the added axis is
 * removed from the result (NumPy's rules).
 *
 *   y = a b, so dL/da = dy bᵀ and dL/db = aᵀ dy (ᵀ swaps the last two axes), each summed over
 *   the batch axes it was broadcast along (for one b shared by a batch: one product over all
 *   the batch's rows, see rightGrad).
 *
 * Each gradient is computed in the layout of its operand: when b is a transposed view (a
 * Linear layer multiplies by Wᵀ), dL/db is computed as (dyᵀ a)ᵀ — the same products — so that
 * the gradient reaching W is packed in W's own order, and the optimizer's update runs on
 * contiguous memory instead of a transposed walk.
 *
 * scaledMatmul (below) is s·(a b) as one op — attention's scores — with the same gradients,
 * each taken of s·dy.
 */
import { SkipgradError, broadcastShapes, describe, formatShape, sizeOf } from '@skipgrad/tensor';
import { checkSameDtype, checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { mul } from './mul.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';
import { reshape } from './reshape.js';
import { squeeze, transpose, unsqueeze } from './shape.js';

/**
 * Matrix product with NumPy's rules (1-D operands, batch broadcasting).
 *
 * @example
 * matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray(); // [[11]]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  checkSameDtype('matmul', 'b', b, 'a', a);
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (t.rank === 0) throw new SkipgradError('matmul', name, 'a tensor of rank >= 1', 'a scalar');
  }
  // A vector is a matrix of one row (a) or one column (b), squeezed out of the product again.
  let y = matmul2d(a.rank === 1 ? unsqueeze(a, 0) : a, b.rank === 1 ? unsqueeze(b, 1) : b);
  if (b.rank === 1) y = squeeze(y, -1);
  if (a.rank === 1) y = squeeze(y, b.rank === 1 ? -1 : -2);
  return y;
}

/** The primitive: both operands of rank >= 2. */
function matmul2d(a: Tensor, b: Tensor): Tensor {
  checkInner('matmul', a, b);
  return builtinOp(
    'matmul',
    [a, b],
    ['a', 'b'],
    getBackend().matmul(a.data, b.data),
    (dy, needs) => grads(a, b, dy, needs),
    {
      rule: 'da = dy·bᵀ, db = aᵀ·dy (summed over broadcast batches)',
      onnx: { op: 'MatMul' },
    },
  );
}

/**
 * scale·(a b), for operands of rank >= 2 — attention's scores q kᵀ/√E as one op:
 *
 *   y = s·(a b),  so  da = (s·dy)·bᵀ  and  db = aᵀ·(s·dy)
 *
 * The scale is the matmul kernel's epilogue (Backend.fusedMatmul), so the unscaled product is
 * never an array of its own. The values are those of mul(matmul(a, b), s) bit for bit both
 * ways: the product is rounded to float32 before the scale multiplies it, and the backward
 * scales dy first, as mul's backward does, then takes matmul's gradients of that.
 *
 * @example
 * scaledMatmul(tensor([[1, 2]]), tensor([[3], [4]]), 0.5).toArray(); // [[5.5]]
 */
export function scaledMatmul(a: Tensor, b: Tensor, scale: number): Tensor {
  checkTensor('scaledMatmul', 'a', a);
  checkTensor('scaledMatmul', 'b', b);
  checkSameDtype('scaledMatmul', 'b', b, 'a', a);
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw new SkipgradError('scaledMatmul', 'scale', 'a finite number', describe(scale));
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (t.rank < 2) throw new SkipgradError('scaledMatmul', name, 'a tensor of rank >= 2', formatShape(t.shape));
  }
  checkInner('scaledMatmul', a, b);
  const y = getBackend().fusedMatmul(a.data, b.data, { scale });
  return builtinOp('scaledMatmul', [a, b], ['a', 'b'], y, (dy, needs) => grads(a, b, mul(dy, scale), needs), {
    rule: 'da = (s·dy)·bᵀ, db = aᵀ·(s·dy) (summed over broadcast batches)',
    onnx: { op: 'Mul', inputs: [{ op: 'MatMul', inputs: [0, 1] }, { scalar: scale }] },
  });
}

/** matmul's gradients of a b for dy: da = dy·bᵀ and db = aᵀ·dy, each in its operand's layout. */
function grads(a: Tensor, b: Tensor, dy: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  return [
    needs[0] ? unbroadcast(isTransposed(a) ? mT(matmul2d(b, mT(dy))) : matmul2d(dy, mT(b)), a.shape) : null,
    needs[1] ? rightGrad(a, b, dy) : null,
  ];
}

/** b's rows must equal a's columns, and the batch axes must broadcast. */
function checkInner(op: string, a: Tensor, b: Tensor): void {
  const k = a.shape[a.rank - 1]!;
  if (b.shape[b.rank - 2] !== k) {
    throw new SkipgradError(
      op,
      'b',
      `a shape [..., ${k}, m] (its rows must equal a's ${k} columns)`,
      formatShape(b.shape),
      `a has shape ${formatShape(a.shape)}`,
    );
  }
  broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
}

/**
 * dL/db = aᵀ·dy, summed over the batch axes b was broadcast along. When b is one matrix [k, m]
 * shared by a whole batch [..., n, k] (x·W on a batch of sequences), the sum over the batch of
 * each matrix's aᵀ·dy is one product over all the rows: Σ_batch aᵀ·dy = A_rowsᵀ·dY_rows, with
 * A_rows [batch·n, k] and dY_rows [batch·n, m] — one call instead of one per matrix and a sum.
 */
function rightGrad(a: Tensor, b: Tensor, dy: Tensor): Tensor {
  if (b.rank === 2 && a.rank > 2) {
    const [k, m] = b.shape as [number, number];
    const rows = sizeOf(a.shape.slice(0, -1));
    const rowsA = reshape(a, [rows, k]);
    const rowsDy = reshape(dy, [rows, m]);
    return isTransposed(b) ? mT(matmul2d(mT(rowsDy), rowsA)) : matmul2d(mT(rowsA), rowsDy);
  }
  return unbroadcast(isTransposed(b) ? mT(matmul2d(mT(dy), a)) : matmul2d(mT(a), dy), b.shape);
}

/** The transpose of the last two axes (a view). */
const mT = (t: Tensor): Tensor => transpose(t, -2, -1);

/** True when t's last two axes are stored column by column (a transposed view of a packed matrix). */
function isTransposed(t: Tensor): boolean {
  const [rows, cols] = t.data.strides.slice(-2) as [number, number];
  return rows === 1 && cols !== 1 && t.shape[t.rank - 1]! > 1;
}
