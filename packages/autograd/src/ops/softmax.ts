/**
 * softmax, logSoftmax and logSumExp along an axis: composites, so their gradients come from
 * exp, sum, log and sub.
 *
 *   softmax(x)_i    = e^(x_i − m) / Σ_j e^(x_j − m)
 *   logSoftmax(x)_i = (x_i − m) − ln Σ_j e^(x_j − m)
 *   logSumExp(x)    = m + ln Σ_j e^(x_j − m)
 *
 * with m = max(x) along the axis, subtracted so that e^(·) never overflows. Both functions
 * are unchanged by any shift m, so m is detached (a constant): its gradient would be exactly 0.
 * softmax and logSoftmax export as ONNX's own Softmax and LogSoftmax nodes.
 */
import { normalizeAxis } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { exportedAs } from '../export-form.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { max } from './max.js';
import { squeeze } from './shape.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/** x − m along the axis (m the detached max, or 0 on an empty axis), m, and the axis. */
function shifted(op: string, a: Tensor, axis: number): [Tensor, Tensor | number, number] {
  const x = checkTensor(op, 'a', a);
  const d = normalizeAxis(op, axis, x.rank);
  if (x.shape[d] === 0) return [x, 0, d];
  const m = max(x.detach(), d, true);
  return [sub(x, m), m, d];
}

/**
 * Softmax along an axis (default: the last).
 *
 * @example
 * softmax(tensor([0, 0])).toArray(); // [0.5, 0.5]
 */
export function softmax(a: Tensor, axis = -1): Tensor {
  const x = checkTensor('softmax', 'a', a);
  return exportedAs('softmax', [x], () => {
    const [z, , d] = shifted('softmax', x, axis);
    const e = exp(z);
    return { output: div(e, sum(e, d, true)), form: { op: 'Softmax', attributes: { axis: d } } };
  });
}

/**
 * Log of softmax along an axis, computed stably.
 *
 * @example
 * logSoftmax(tensor([0, 0], { dtype: 'float64' })).toArray(); // [-0.6931471805599453, -0.6931471805599453]
 */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  const x = checkTensor('logSoftmax', 'a', a);
  return exportedAs('logSoftmax', [x], () => {
    const [z, , d] = shifted('logSoftmax', x, axis);
    return { output: sub(z, log(sum(exp(z), d, true))), form: { op: 'LogSoftmax', attributes: { axis: d } } };
  });
}

/**
 * ln Σ e^a along an axis, computed stably.
 *
 * @example
 * logSumExp(tensor([1000, 1000], { dtype: 'float64' })).item(); // 1000.6931471805599
 */
export function logSumExp(a: Tensor, axis = -1, keepdim = false): Tensor {
  const [z, m, d] = shifted('logSumExp', a, axis);
  const kept = add(log(sum(exp(z), d, true)), m);
  return keepdim ? kept : squeeze(kept, d);
}
