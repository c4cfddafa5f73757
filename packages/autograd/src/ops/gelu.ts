/** gelu: a·Φ(a), exactly with erf or by the tanh approximation, a composite of primitives. */
import { SkipgradError, describe, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { erf } from './erf.js';
import { tanh } from './tanh.js';

/**
 * GELU (Hendrycks & Gimpel, 2016): y = x·Φ(x), Φ the standard normal CDF.
 *   exact (default):      gelu(x) = ½·x·(1 + erf(x/√2))
 *   approximate 'tanh':   gelu(x) ≈ ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))   (PyTorch's option)
 *
 * @example
 * gelu(tensor([0, 1], { dtype: 'float64' })).toArray(); // [0, 0.8413447460685428]
 */
export function gelu(a: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkOptions('gelu', options, ['approximate']);
  const x = checkTensor('gelu', 'a', a);
  const approximate = options.approximate ?? 'none';
  if (approximate === 'none') return x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
  if (approximate !== 'tanh') throw new SkipgradError('gelu', 'approximate', "'none' or 'tanh'", describe(approximate));
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(tanh(inner).add(1)).mul(0.5);
}
