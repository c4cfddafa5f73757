/**
 * Creating tensors. Each wraps the host-side creator of @skipgrad/tensor and adds
 * `requiresGrad`. Random creators draw from a seedable generator so that runs replay.
 */
import * as host from '@skipgrad/tensor';
import { type DType, type Generator, type NDArray } from '@skipgrad/tensor';
import { getBackend } from './backend.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function wrap(data: NDArray, options: TensorOptions): Tensor {
  return new Tensor(data, { requiresGrad: options.requiresGrad ?? false });
}

/**
 * A tensor from nested arrays, a number (a scalar), or a typed array with `shape`.
 *
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true }); // shape [2, 3], float32
 * const s = tensor(2.5);                                              // shape [], a scalar
 * const y = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }); // float64
 */
export function tensor(data: unknown, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  return wrap(host.fromData('tensor', data, options), options);
}

/** @example zeros([2, 3]) */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return wrap(host.zeros(shape, options), options);
}

/** @example ones([2, 3], { dtype: 'float64' }) */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return wrap(host.ones(shape, options), options);
}

/** @example full([2, 2], 7) */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return wrap(host.full(shape, value, options), options);
}

/** @example arange(5) // [0, 1, 2, 3, 4]; arange(1, 2, 0.25) // [1, 1.25, 1.5, 1.75] */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  return wrap(host.arange(start, end, step, options), options);
}

/** @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1] */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  return wrap(host.linspace(start, end, steps, options), options);
}

/** @example eye(3) // the 3 × 3 identity */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  return wrap(host.eye(n, m, options), options);
}

/** @example rand([2, 2], { generator: new Generator(42) }) // uniform in [0, 1), replayable */
export function rand(shape: readonly number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  return wrap(host.rand(shape, options), options);
}

/** @example randn([3], { generator: new Generator(7) }) // standard normal, replayable */
export function randn(shape: readonly number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  return wrap(host.randn(shape, options), options);
}

/**
 * Zeros with the shape and dtype of `t` (no grad).
 *
 * @example
 * zerosLike(ones([2])).toArray(); // [0, 0]
 */
export function zerosLike(t: Tensor): Tensor {
  return new Tensor(getBackend().full(t.shape, 0, t.dtype));
}

/**
 * Ones with the shape and dtype of `t` (no grad).
 *
 * @example
 * onesLike(zeros([2, 2])).toArray(); // [[1, 1], [1, 1]]
 */
export function onesLike(t: Tensor): Tensor {
  return new Tensor(getBackend().full(t.shape, 1, t.dtype));
}
