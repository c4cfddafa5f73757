/**
 * gather — picks elements along `axis` by index: y[i][j] = a[i][index[i][j]] for axis 1
 * (PyTorch's torch.gather). `index` has a's rank and holds integers; it is a constant.
 * With index = class labels [N, 1] this picks each row's class score.
 *
 *   Each y element is a copy of one a element, so a's gradient adds dy back where it was
 *   read: da = scatterAdd(zeros like a, axis, index, dy). An element read twice gets both.
 */
import { NDArray, SkipgradError, checkShape, formatShape, normalizeAxis, shapesEqual } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { exportedAs } from '../export-form.js';
import { builtinOp } from '../from-op.js';
import { Tensor } from '../tensor.js';
import { reshape } from './reshape.js';

/**
 * Picks elements along an axis by index.
 *
 * @example
 * gather(tensor([[1, 2, 3], [4, 5, 6]]), 1, tensor([[2], [0]])).toArray(); // [[3], [4]]
 */
export function gather(a: Tensor, axis: number, index: Tensor): Tensor {
  const x = checkTensor('gather', 'a', a);
  const idx = checkTensor('gather', 'index', index);
  const d = checkIndex('gather', x.shape, axis, idx);
  const constIndex = idx.detach();
  return builtinOp(
    'gather',
    [x],
    ['a'],
    getBackend().gather(x.data, d, idx.data),
    (dy) => [scatterAdd(x.shape, d, constIndex, dy)],
    {
      rule: 'da = scatterAdd(dy) at the gathered positions',
      onnx: { op: 'GatherElements', inputs: [0, { tensor: idx.data, as: 'int64' }], attributes: { axis: d } },
    },
  );
}

/**
 * The checks gather and scatterAdd share: an index tensor of the data's rank, no larger than
 * the data off `axis`, holding integers in [0, side of axis). Returns the normalised axis.
 */
function checkIndex(op: string, shape: readonly number[], axis: number, idx: Tensor): number {
  const d = normalizeAxis(op, axis, shape.length);
  if (idx.rank !== shape.length || idx.shape.some((s, i) => i !== d && s > shape[i]!)) {
    throw new SkipgradError(
      op,
      'index',
      `a tensor of rank ${shape.length} no larger than a's shape ${formatShape(shape)} off axis ${d}`,
      `shape ${formatShape(idx.shape)}`,
    );
  }
  const side = shape[d]!;
  const bad = Array.from(idx.data.toTypedArray()).find((v) => !Number.isInteger(v) || v < 0 || v >= side);
  if (bad !== undefined) throw new SkipgradError(op, 'index', `integers in [0, ${side})`, String(bad));
  return d;
}

/**
 * scatterAdd — gather's adjoint: zeros of `shape`, with src added at the indexed positions.
 *
 *   y = Σ src placed by index, so dsrc = gather(dy, axis, index).
 *
 * @example
 * scatterAdd([3], 0, tensor([0, 0, 2]), tensor([1, 2, 3])).toArray(); // [3, 0, 3]
 */
export function scatterAdd(shape: readonly number[], axis: number, index: Tensor, src: Tensor): Tensor {
  const s = checkTensor('scatterAdd', 'src', src);
  const idx = checkTensor('scatterAdd', 'index', index);
  const out = checkShape('scatterAdd', 'shape', shape);
  const d = checkIndex('scatterAdd', out, axis, idx);
  if (!shapesEqual(idx.shape, s.shape)) {
    throw new SkipgradError('scatterAdd', 'src', `shape ${formatShape(idx.shape)} (the index's)`, formatShape(s.shape));
  }
  const data = getBackend().scatterAdd(out, d, idx.data, s.data);
  const zeros = { op: 'Expand', inputs: [{ scalar: 0 }, { ints: out }] }; // src's dtype
  const onnx = {
    op: 'ScatterElements',
    inputs: [zeros, { tensor: idx.data, as: 'int64' as const }, 0],
    attributes: { axis: d, reduction: 'add' },
  };
  return builtinOp('scatterAdd', [s], ['src'], data, (dy) => [gather(dy, d, idx)], {
    rule: 'dsrc = gather(dy) at the scattered positions',
    onnx,
  });
}

/**
 * maskedSelect — the elements of a where mask is nonzero, as a 1-D tensor (row-major order).
 * A composite: the flattened a, gathered at the mask's positions; its gradient scatters dy
 * back to those positions (zeros elsewhere). mask must have a's shape; it is a constant.
 *
 * @example
 * maskedSelect(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 1]])).toArray(); // [1, 4]
 */
export function maskedSelect(a: Tensor, mask: Tensor): Tensor {
  const x = checkTensor('maskedSelect', 'a', a);
  const m = checkTensor('maskedSelect', 'mask', mask);
  if (!shapesEqual(m.shape, x.shape)) {
    throw new SkipgradError('maskedSelect', 'mask', `shape ${formatShape(x.shape)} (a's)`, formatShape(m.shape));
  }
  const flags = m.data.toTypedArray();
  const positions: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] !== 0) positions.push(i);
  // Its output's size depends on the mask's values: it has no fixed-shape ONNX form.
  return exportedAs('maskedSelect', [x], () => {
    const index = new Tensor(new NDArray(Float64Array.from(positions), [positions.length]).copy(x.dtype));
    return { output: gather(reshape(x, [-1]), 0, index), form: null };
  });
}
