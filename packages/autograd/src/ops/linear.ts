/**
 * linear — a Linear layer's affine map as one op (PyTorch's F.linear), with an optional ReLU:
 *
 *   z = x·Wᵀ + b        x [..., in], W [out, in], b [out]  →  [..., out]
 *   y = z, or y = max(z, 0) with { relu: true }
 *
 *   dz = dy, or dy·[y > 0] with the ReLU (y > 0 exactly where z > 0)
 *   dx = dz·W      dW = dzᵀ·x      db = Σ dz      (dW and db summed over all leading axes of x)
 *
 * The same values as matmul(x, transpose(W)) + b (then relu), computed by one call to the
 * backend's fusedMatmul: the wasm backend adds the bias and takes the ReLU inside its matmul
 * kernel, so neither x·Wᵀ nor z becomes an array of its own, and the tape holds one node instead
 * of two or three. The backward is written with differentiable ops, so it can be differentiated
 * again.
 */
import { SkipgradError, checkOptions, formatShape, sizeOf } from '@skipgrad/tensor';
import { checkSameDtype, checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { type ExportForm } from '../export-form.js';
import { builtinOp } from '../from-op.js';
import { Tensor } from '../tensor.js';
import { matmul } from './matmul.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { transpose } from './shape.js';
import { sum } from './sum.js';

export interface LinearOptions {
  /** Apply max(·, 0) to the result, fused into the same op (default false). */
  relu?: boolean;
}

/**
 * x·Wᵀ + b over the last axis of x, optionally followed by a ReLU — a Linear layer in one op.
 *
 * @example
 * linear(tensor([[1, 2]]), tensor([[1, 1], [1, -1]]), tensor([0.5, 0])).toArray(); // [[3.5, -1]]
 * linear(tensor([[1, 2]]), tensor([[1, 1], [1, -1]]), null, { relu: true }).toArray(); // [[3, 0]]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: LinearOptions = {}): Tensor {
  const { relu = false } = checkOptions<LinearOptions>('linear', options, ['relu']);
  if (typeof relu !== 'boolean') throw new SkipgradError('linear', 'relu', 'true or false', String(relu));
  const a = checkTensor('linear', 'x', x);
  const w = checkTensor('linear', 'weight', weight);
  checkSameDtype('linear', 'weight', w, 'x', a);
  if (w.rank !== 2) throw new SkipgradError('linear', 'weight', 'a tensor [out, in]', `shape ${formatShape(w.shape)}`);
  const [outFeatures, inFeatures] = w.shape as [number, number];
  if (a.shape.at(-1) !== inFeatures) {
    throw new SkipgradError(
      'linear',
      'x',
      `a tensor of shape [..., ${inFeatures}]`,
      `shape ${formatShape(a.shape)}`,
      `weight has shape ${formatShape(w.shape)}`,
    );
  }
  if (bias !== null) {
    checkSameDtype('linear', 'bias', checkTensor('linear', 'bias', bias), 'x', a);
    if (bias.rank !== 1 || bias.shape[0] !== outFeatures)
      throw new SkipgradError('linear', 'bias', `shape [${outFeatures}]`, formatShape(bias.shape));
  }
  // Every leading axis of x is a row of one matrix product: [rows, in] · Wᵀ [in, out].
  const lead = a.shape.slice(0, -1);
  const rows = sizeOf(lead);
  const y = getBackend()
    .fusedMatmul(
      a.data.reshape([rows, inFeatures], (view) => getBackend().copy(view)),
      w.data.transpose(0, 1),
      { bias: bias?.data ?? null, relu },
    )
    .reshape([...lead, outFeatures]);
  const inputs = bias ? [a, w, bias] : [a, w];
  return builtinOp(
    'linear',
    inputs,
    bias ? ['x', 'weight', 'bias'] : ['x', 'weight'],
    y,
    (dy, needs) => {
      const dz = reshape(relu ? mul(dy, new Tensor(getBackend().unary('step', y))) : dy, [rows, outFeatures]);
      return [
        needs[0] ? reshape(matmul(dz, w), a.shape) : null,
        needs[1] ? matmul(transpose(dz, 0, 1), reshape(a, [rows, inFeatures])) : null,
        needs[2] ? sum(dz, 0) : null, // (needs[2] is undefined without a bias)
      ];
    },
    {
      rule: `dx = dz·W, dW = dzᵀ·x, db = Σ dz, with dz = ${relu ? 'dy·[y > 0]' : 'dy'}`,
      onnx: linearForm(bias !== null, relu),
    },
  );
}

/** x·Wᵀ (+ b) (then Relu) as ONNX nodes: inputs 0, 1, 2 are x, W, b. */
function linearForm(withBias: boolean, relu: boolean): ExportForm {
  const product: ExportForm = {
    op: 'MatMul',
    inputs: [0, { op: 'Transpose', inputs: [1] }], // (with no perm, ONNX's Transpose reverses the axes)
  };
  const shifted: ExportForm = withBias ? { op: 'Add', inputs: [product, 2] } : product;
  return relu ? { op: 'Relu', inputs: [shifted] } : shifted;
}
