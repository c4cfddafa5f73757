/**
 * concat — joins tensors along `axis` (negative counts from the end). All other sides must
 * match. The dense skip connection: DenseNet's concat([x, f(x)], channels), U-Net's long skip.
 *
 *   y is the pieces side by side, so each piece's gradient is its own part of dy:
 *   da_i = slice(dy, [offset_i, offset_i + size_i) on axis)   — concat's backward is split.
 *
 * Zero-size pieces are allowed and get zero-size gradients.
 */
import { SkipgradError, describe, formatShape, normalizeAxis } from '@skipgrad/tensor';
import { checkSameDtype, checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { narrow } from './shape.js';

/**
 * Joins tensors along an axis (the dense skip).
 *
 * @example
 * concat([tensor([[1], [2]]), tensor([[3], [4]])], 1).toArray(); // [[1, 3], [2, 4]]
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new SkipgradError('concat', 'tensors', 'a non-empty array of Tensors', describe(tensors));
  }
  const pieces = tensors.map((t, i) => checkTensor('concat', `tensors[${i}]`, t));
  const first = pieces[0]!;
  if (first.rank === 0)
    throw new SkipgradError('concat', 'tensors[0]', 'a tensor of rank >= 1 (scalars have no axis to join)', 'a scalar');
  const dim = normalizeAxis('concat', axis, first.rank);
  pieces.forEach((t, i) => {
    checkSameDtype('concat', `tensors[${i}]`, t, 'tensors[0]', first);
    const fits = t.rank === first.rank && t.shape.every((side, d) => d === dim || side === first.shape[d]);
    if (!fits) {
      throw new SkipgradError(
        'concat',
        `tensors[${i}]`,
        `shape [${first.shape.map((s, d) => (d === dim ? '*' : s)).join(', ')}] (tensors[0]'s, any side on axis ${dim})`,
        formatShape(t.shape),
      );
    }
  });
  const out = getBackend().concat(
    pieces.map((t) => t.data),
    dim,
  );
  const sizes = pieces.map((t) => t.shape[dim]!);
  return builtinOp(
    'concat',
    pieces,
    pieces.map((_, i) => `tensors[${i}]`),
    out,
    (dy, needs) => {
      let offset = 0;
      return sizes.map((size, i) => {
        const start = offset;
        offset += size;
        return needs[i] ? narrow(dy, dim, start, size) : null;
      });
    },
    { rule: 'da_i = slice(dy) (backward is split)', onnx: { op: 'Concat', attributes: { axis: dim } } },
  );
}
