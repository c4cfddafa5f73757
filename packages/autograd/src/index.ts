/**
 * @skipgrad/autograd — the differentiable Tensor, the graph and backward, every op, and the
 * gradient checker.
 *
 * @example
 * import { tensor, concat } from '@skipgrad/autograd';
 * const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
 * const h = concat([x, x.add(1)], 1); // a dense skip: x and f(x) side by side
 * h.sum().backward();
 * x.grad!.toArray(); // [[2, 2, 2], [2, 2, 2]]
 */
export { Tensor, type TensorInit } from './tensor.js';
export { type TensorLike, checkTensor } from './operands.js';
export {
  type TensorOptions,
  tensor,
  zeros,
  ones,
  full,
  arange,
  linspace,
  eye,
  rand,
  randn,
  zerosLike,
  onesLike,
} from './create.js';
export { backward, grad, zeroGrad, type BackwardOptions, type GradOptions } from './engine.js';
export { Node, type BackwardFn, type GradTarget, type InputInfo, noGrad, enableGrad, isGradEnabled } from './graph.js';
export { type OpDescription, fromOp } from './from-op.js';
export {
  type ExportAttribute,
  type ExportForm,
  type ExportInput,
  type ExportTracer,
  exportedAs,
  traceForExport,
} from './export-form.js';
export { unbroadcast } from './unbroadcast.js';
export { forgettingTemporaries, getBackend, setBackend } from './current-backend.js';
export { tidy } from './tidy.js';
export * from './ops/index.js';
export {
  gradcheck,
  gradgradcheck,
  type GradcheckOptions,
  type GradcheckReport,
  GradcheckError,
} from './gradcheck/index.js';
export * from './inspect/index.js';
export { SkipgradError, Generator, manualSeed, type DType } from '@skipgrad/tensor';
