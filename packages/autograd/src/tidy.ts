/**
 * tidy: frees a block's device memory at once (a helper for device backends such as gpujs).
 */
import { SkipgradError, describe } from '@skipgrad/tensor';
import { getBackend } from './current-backend.js';
import { Tensor } from './tensor.js';

/** Every Tensor in a value: the value itself, or the items of an array, or an object's fields (one level). */
function tensorsIn(value: unknown): Tensor[] {
  if (value instanceof Tensor) return [value];
  // An array's values are its items; a number, a string or a function has no tensor values.
  return Object.values(value ?? {}).filter((v): v is Tensor => v instanceof Tensor);
}

/**
 * Runs `fn` and frees the device memory of every tensor it created, except the ones it returns
 * (a tensor, or an array or object of tensors) and their gradients. On a backend without device
 * memory (the CPU) it just runs `fn`. Use it for inference and evaluation loops; in a training
 * step the optimizer's new parameter values are made inside, so free step results with
 * `dispose()` or leave them to the garbage collector, which frees device memory as well.
 *
 * @example
 * const total = tidy(() => tensor([1, 2, 3]).mul(2).sum()); // only `total` survives
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new SkipgradError('tidy', 'fn', 'a function to run', describe(fn));
  const backend = getBackend();
  const scope = backend.scope?.bind(backend);
  if (!scope) return fn();
  return scope(fn, (result) => tensorsIn(result).flatMap((t) => (t.grad ? [t.data, t.grad.data] : [t.data])));
}
