/**
 * erf — the error function, y = 2/√π ∫₀ᵃ e^(−t²) dt (exact GELU needs it).
 *
 *   ∂y/∂a = 2/√π · e^(−a²)  →  da = dy · 2/√π · e^(−a²)
 */
import { checkTensor } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { exp } from './exp.js';
import { mul } from './mul.js';
import { neg } from './neg.js';

/**
 * Elementwise error function.
 *
 * @example
 * erf(tensor([0, 1], { dtype: 'float64' })).toArray(); // [0, 0.8427007929497148]
 */
export function erf(a: Tensor): Tensor {
  const x = checkTensor('erf', 'a', a);
  return builtinOp(
    'erf',
    [x],
    ['a'],
    getBackend().unary('erf', x.data),
    (dy) => [mul(dy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))],
    { rule: 'da = dy·2/√π·e^(−a²)', onnx: { op: 'Erf' } },
  );
}
