/**
 * softmax, logSoftmax and logSumExp along an axis.
 *
 *   softmax(x)_i    = e^(x_i − m) / Σ_j e^(x_j − m)
 *   logSoftmax(x)_i = (x_i − m) − ln Σ_j e^(x_j − m)
 *   logSumExp(x)    = m + ln Σ_j e^(x_j − m)
 *
 * with m = max(x) along the axis, subtracted so that e^(·) never overflows. Both functions
 * are unchanged by any shift m, so m is detached (a constant): its gradient would be exactly 0.
 * logSoftmax and logSumExp are composites, so their gradients come from exp, sum, log and sub.
 * softmax and logSoftmax export as ONNX's own Softmax and LogSoftmax nodes.
 *
 * NOTE: softmax is a composite with a backward of its own,
 *
 *   da_i = y_i·(dy_i − Σ_j dy_j·y_j)        (∂y_j/∂x_i = y_j·([i = j] − y_i))
 *
 * Built from max, sub, exp, sum and div it is 5 kernel calls forward and ~8 backward, each a
 * full-size array; attention takes one per layer over [batch, heads, L, L] scores. A backend
 * with Backend.softmax / softmaxGrad does each direction in one call; when the backward records
 * a graph (createGraph), da is the formula above as differentiable ops on y, so grad of grad
 * works. A backend without the two calls gets the composite.
 */
import { normalizeAxis } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { type ExportForm, exportedAs } from '../export-form.js';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { isGradEnabled } from '../graph.js';
import { Tensor } from '../tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { max } from './max.js';
import { mul } from './mul.js';
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
  const d = normalizeAxis('softmax', axis, x.rank);
  const backend = getBackend();
  const form: ExportForm = { op: 'Softmax', attributes: { axis: d } };
  if (!backend.softmax || !backend.softmaxGrad || x.shape[d] === 0) {
    return exportedAs('softmax', [x], () => {
      const [z] = shifted('softmax', x, axis);
      const e = exp(z);
      return { output: div(e, sum(e, d, true)), form };
    });
  }
  const y: Tensor = builtinOp(
    'softmax',
    [x],
    ['a'],
    backend.softmax(x.data, d),
    (dy) => {
      const now = getBackend();
      if (!isGradEnabled() && now.softmaxGrad) return [new Tensor(now.softmaxGrad(dy.data, y.data, d))];
      return [mul(y, sub(dy, sum(mul(dy, y), d, true)))]; // as ops on y: differentiable again
    },
    { rule: 'da = y·(dy − Σ dy·y)', onnx: form },
  );
  return y;
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
