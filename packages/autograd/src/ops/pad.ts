/**
 * pad — surrounds a with constant `value`: pads[axis] = [before, after] new elements on each
 * axis (one pair per axis of a).
 *
 *   The padding does not depend on a; the interior is a itself  →  da = the interior of dy,
 *   slice(dy, [before, before + side] on each axis). (Pad and slice are each other's backward.)
 */
import { SkipgradError, describe, formatShape } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { slice } from './slice.js';

/**
 * Surrounds with a constant value: one [before, after] pair per axis.
 *
 * @example
 * pad(tensor([1, 2]), [[1, 2]], 9).toArray(); // [9, 1, 2, 9, 9]
 */
export function pad(a: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  const x = checkTensor('pad', 'a', a);
  if (!Array.isArray(pads) || pads.length !== x.rank) {
    throw new SkipgradError(
      'pad',
      'pads',
      `${x.rank} [before, after] pairs (one per axis of shape ${formatShape(x.shape)})`,
      describe(pads),
    );
  }
  pads.forEach((pair, axis) => {
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((n) => Number.isInteger(n) && n >= 0);
    if (!ok)
      throw new SkipgradError(
        'pad',
        `pads[${axis}]`,
        'a pair of non-negative integers [before, after]',
        describe(pair),
      );
  });
  if (typeof value !== 'number') throw new SkipgradError('pad', 'value', 'a number', describe(value));
  const interior = x.shape.map((side, axis): [number, number] => [pads[axis]![0], pads[axis]![0] + side]);
  // ONNX lists every axis's padding before, then every axis's after.
  const onnx = {
    op: 'Pad',
    inputs: [0, { ints: [...pads.map((p) => p[0]), ...pads.map((p) => p[1])] }, { scalar: value }],
  };
  return builtinOp('pad', [x], ['a'], getBackend().pad(x.data, pads, value), (dy) => [slice(dy, interior)], {
    rule: 'da = slice(dy) (the interior)',
    onnx,
  });
}
