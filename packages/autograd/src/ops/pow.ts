/**
 * pow — y = a^b (elementwise), with broadcasting; b is often a plain number.
 *
 *   ∂y/∂a = b · a^(b−1)   →  da = unbroadcast(dy · b · a^(b−1))
 *   ∂y/∂b = a^b · ln a    →  db = unbroadcast(dy · y · ln a)
 *
 * ln a is undefined for a ≤ 0, so the exponent's gradient is NaN there (−∞·0 at a = 0):
 * differentiate with respect to the exponent only on positive bases.
 */
import { type TensorLike, operands } from '../operands.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import type { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/**
 * Elementwise a^b with broadcasting.
 *
 * @example
 * pow(tensor([2, 3]), 2).toArray(); // [4, 9]
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return powTensors(...operands('pow', a, b));
}

function powTensors(a: Tensor, b: Tensor): Tensor {
  const out = getBackend().binary('pow', a.data, b.data);
  const y: Tensor = builtinOp(
    'pow',
    [a, b],
    ['a', 'b'],
    out,
    (dy, needs) => [
      needs[0] ? unbroadcast(mul(dy, mul(b, pow(a, sub(b, 1)))), a.shape) : null,
      needs[1] ? unbroadcast(mul(dy, mul(y, log(a))), b.shape) : null,
    ],
    { rule: 'da = unbroadcast(dy·b·a^(b−1)), db = unbroadcast(dy·y·ln a)', onnx: { op: 'Pow' } },
  );
  return y;
}
