/**
 * slice — the half-open ranges [start, end), one per leading axis (later axes are kept whole;
 * negative bounds count from the end). A view (no copy).
 *
 *   Elements inside the ranges pass dy through; elements outside had no effect on y, so
 *   their gradient is 0: da = pad(dy, [start, side − end] on each axis) with zeros.
 */
import { normalizeRanges } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { pad } from './pad.js';

/**
 * The ranges [start, end) per leading axis (a view).
 *
 * @example
 * slice(arange(10).reshape([2, 5]), [[0, 2], [1, 3]]).toArray(); // [[1, 2], [6, 7]]
 */
export function slice(a: Tensor, ranges: readonly (readonly [number, number])[]): Tensor {
  const x = checkTensor('slice', 'a', a);
  const bounds = normalizeRanges('slice', ranges, x.shape);
  const pads = x.shape.map((side, axis): [number, number] => {
    const [start, end] = bounds[axis] ?? [0, side];
    return [start, side - end];
  });
  const onnx = {
    op: 'Slice',
    inputs: [
      0,
      { ints: bounds.map((b) => b[0]) },
      { ints: bounds.map((b) => b[1]) },
      { ints: bounds.map((_, axis) => axis) },
    ],
  };
  return builtinOp('slice', [x], ['a'], x.data.slice(bounds), (dy) => [pad(dy, pads, 0)], {
    rule: 'da = pad(dy) with zeros outside the slice',
    onnx,
  });
}
