/**
 * split and stack: composites of narrow and concat.
 *
 * split is concat's backward, offered as an op: its pieces are views (narrow), so a gradient
 * arriving at each piece is padded back into place and the pieces' gradients add up to the
 * whole. stack is concat of the inputs with a new axis inserted.
 */
import { SkipgradError, describe, normalizeAxis } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import type { Tensor } from '../tensor.js';
import { concat } from './concat.js';
import { narrow, unsqueeze } from './shape.js';

/** The most pieces one split makes: each is a tensor object, and 2⁴⁰ of them would take the process down. */
const MAX_PIECES = 1 << 20;

/**
 * Splits along `axis` into pieces of the given sizes (an array summing to the side), or into
 * pieces of `sizes` elements each (the last may be smaller).
 *
 * @example
 * split(arange(5), 2).map((p) => p.toArray()); // [[0, 1], [2, 3], [4]]
 */
export function split(a: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const x = checkTensor('split', 'a', a);
  const d = normalizeAxis('split', axis, x.rank);
  const side = x.shape[d]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new SkipgradError('split', 'sizes', 'a positive integer or an array of sizes', describe(sizes));
    const count = Math.ceil(side / sizes);
    if (count > MAX_PIECES) {
      throw new SkipgradError(
        'split',
        'sizes',
        `a size that cuts axis ${d} (side ${side}) into at most ${MAX_PIECES.toLocaleString('en-US')} pieces`,
        `${sizes}, ${count.toLocaleString('en-US')} pieces`,
      );
    }
    parts = [];
    for (let left = side; left > 0; left -= sizes) parts.push(Math.min(sizes, left));
    if (parts.length === 0) parts.push(0);
  } else {
    const ok =
      Array.isArray(sizes) &&
      sizes.every((n) => Number.isInteger(n) && n >= 0) &&
      sizes.reduce((t, n) => t + n, 0) === side;
    if (!ok)
      throw new SkipgradError(
        'split',
        'sizes',
        `non-negative integers summing to ${side} (the side of axis ${d})`,
        describe(sizes),
      );
    parts = [...sizes];
  }
  let offset = 0;
  return parts.map((size) => {
    const piece = narrow(x, d, offset, size);
    offset += size;
    return piece;
  });
}

/**
 * Joins tensors of one shape along a new axis.
 *
 * @example
 * stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(); // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new SkipgradError('stack', 'tensors', 'a non-empty array of Tensors', describe(tensors));
  }
  const first = checkTensor('stack', 'tensors[0]', tensors[0]);
  const d = normalizeAxis('stack', axis, first.rank + 1);
  return concat(
    tensors.map((t, i) => unsqueeze(checkTensor('stack', `tensors[${i}]`, t), d)),
    d,
  );
}
