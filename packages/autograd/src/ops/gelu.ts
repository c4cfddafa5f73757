/**
 * gelu: a·Φ(a), Φ the standard normal CDF — exactly, with erf, or by the tanh approximation.
 *
 *   exact (default):   gelu(a) = ½·a·(1 + erf(a/√2))
 *                      da = dy·(Φ(a) + a·φ(a)),   φ(a) = e^(−a²/2)/√(2π), the normal density
 *   'tanh':            gelu(a) ≈ ½·a·(1 + tanh(√(2/π)·(a + 0.044715·a³)))   (PyTorch's option)
 *
 * NOTE: the exact form is a composite with a backward of its own. Built from mul, erf and add,
 * it is 5 kernel calls forward and ~11 backward, each a full-size array — in a transformer's MLP,
 * the widest arrays it has. A backend with Backend.gelu / geluGrad does each direction in one
 * call; when the backward records a graph (createGraph), da is the formula above as
 * differentiable ops, so grad of grad works. The tanh form stays a composite of primitives.
 */
import { SkipgradError, describe, checkOptions } from '@skipgrad/tensor';
import { getBackend } from '../current-backend.js';
import { type ExportForm } from '../export-form.js';
import { builtinOp } from '../from-op.js';
import { isGradEnabled } from '../graph.js';
import { checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { erf } from './erf.js';
import { exp } from './exp.js';
import { tanh } from './tanh.js';

/**
 * GELU (Hendrycks & Gimpel, 2016): y = x·Φ(x).
 *
 * @example
 * gelu(tensor([0, 1], { dtype: 'float64' })).toArray(); // [0, 0.8413447460685428]
 */
export function gelu(a: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkOptions('gelu', options, ['approximate']);
  const x = checkTensor('gelu', 'a', a);
  const approximate = options.approximate ?? 'none';
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(tanh(inner).add(1)).mul(0.5);
  }
  if (approximate !== 'none') throw new SkipgradError('gelu', 'approximate', "'none' or 'tanh'", describe(approximate));
  const backend = getBackend();
  if (!backend.gelu || !backend.geluGrad) return x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  return builtinOp(
    'gelu',
    [x],
    ['a'],
    backend.gelu(x.data),
    (dy) => {
      const now = getBackend();
      if (!isGradEnabled() && now.geluGrad) return [new Tensor(now.geluGrad(dy.data, x.data))];
      // As differentiable ops: Φ(a) + a·φ(a).
      const cdf = erf(x.mul(Math.SQRT1_2)).mul(0.5).add(0.5);
      const pdf = exp(x.mul(x).mul(-0.5)).mul(1 / Math.sqrt(2 * Math.PI));
      return [dy.mul(cdf.add(x.mul(pdf)))];
    },
    { rule: 'da = dy·(Φ(a) + a·φ(a))', onnx: GELU_FORM },
  );
}

/** In ONNX (opset 17 has no Gelu): (a·(Erf(a·√½) + 1))·½. */
const GELU_FORM: ExportForm = {
  op: 'Mul',
  inputs: [
    {
      op: 'Mul',
      inputs: [
        0,
        {
          op: 'Add',
          inputs: [{ op: 'Erf', inputs: [{ op: 'Mul', inputs: [0, { scalar: Math.SQRT1_2 }] }] }, { scalar: 1 }],
        },
      ],
    },
    { scalar: 0.5 },
  ],
};
