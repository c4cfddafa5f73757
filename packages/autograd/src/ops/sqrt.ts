/** sqrt: √a, a composite of pow (its gradient needs no code of its own). */
import { checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { pow } from './pow.js';

/**
 * √a = a^½, so d√a/da = ½·a^(−½) comes from pow.
 *
 * @example
 * sqrt(tensor([4, 9])).toArray(); // [2, 3]
 */
export function sqrt(a: Tensor): Tensor {
  return pow(checkTensor('sqrt', 'a', a), 0.5);
}
