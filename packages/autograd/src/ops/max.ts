/**
 * max — y = max of a over `axis` (all axes when omitted); keepdim keeps it as a side of 1.
 *
 *   ∂y/∂a[i] = 1 where a[i] is the maximum, else 0  →  da = dy · [a == y] / (number of ties)
 *
 * When several elements tie for the maximum they share the gradient equally (PyTorch's amax
 * convention), so the gradient still sums to dy. The tie mask is a constant.
 */
import { SkipgradError, formatShape, normalizeAxes } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { Tensor } from '../tensor.js';
import { expand } from './expand.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { checkKeepdim, keptShapeOf } from './sum.js';

/**
 * Maximum over one axis, a list of axes, or all.
 *
 * @example
 * max(tensor([[1, 5], [7, 2]]), 1).toArray(); // [5, 7]
 */
export function max(a: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  const x = checkTensor('max', 'a', a);
  const axes = normalizeAxes('max', axis, x.rank);
  checkKeepdim('max', keepdim);
  const empty = axes.find((i) => x.shape[i] === 0);
  if (empty !== undefined) {
    throw new SkipgradError(
      'max',
      'a',
      'a non-zero side on the reduced axis (the max of nothing is undefined)',
      `shape ${formatShape(x.shape)}`,
      `axis ${empty} has side 0`,
    );
  }
  const backend = getBackend();
  const out = backend.reduce('max', x.data, axes, keepdim);
  const keptShape = keptShapeOf(x.shape, axes);
  return builtinOp(
    'max',
    [x],
    ['a'],
    out,
    (dy) => {
      const isMax = backend.binary('eq', x.data, out.reshape(keptShape));
      const ties = backend.reduce('sum', isMax, axes, true);
      const share = new Tensor(backend.binary('div', isMax, ties));
      return [mul(expand(reshape(dy, keptShape), x.shape), share)];
    },
    {
      rule: 'da = dy·[a == max] / number of ties',
      onnx: { op: 'ReduceMax', attributes: { axes, keepdims: keepdim ? 1 : 0 } },
    },
  ); // opset 17: axes an attribute
}
