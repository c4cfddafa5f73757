/**
 * Creating tensors. Each wraps the host-side creator of @skipgrad/tensor and adds
 * `requiresGrad`. Random creators draw from a seedable generator so that runs replay.
 */
import * as host from '@skipgrad/tensor';
import { type DType, type Generator, type NDArray, checkBoolean, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from './operands.js';
import { getBackend } from './current-backend.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * A creator's options checked by name (unknown keys refused), split into what the host-side
 * creator takes and requiresGrad.
 */
function split<O extends TensorOptions>(
  op: string,
  options: unknown,
  hostKeys: readonly string[],
): { host: Omit<O, 'requiresGrad'>; requiresGrad: boolean } {
  const o = checkOptions<O>(op, options, ['requiresGrad', ...hostKeys]);
  const { requiresGrad = false, ...rest } = o;
  return { host: rest as Omit<O, 'requiresGrad'>, requiresGrad: checkBoolean(op, 'requiresGrad', requiresGrad) };
}

function make<O extends TensorOptions>(
  op: string,
  options: unknown,
  hostKeys: readonly string[],
  create: (o: Omit<O, 'requiresGrad'>) => NDArray,
): Tensor {
  const { host: o, requiresGrad } = split<O>(op, options, hostKeys);
  return new Tensor(create(o), { requiresGrad });
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
  return make<TensorOptions & { shape?: readonly number[] }>('tensor', options, ['dtype', 'shape'], (o) =>
    host.fromData('tensor', data, o),
  );
}

/** @example zeros([2, 3]) */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return make('zeros', options, ['dtype'], (o) => host.zeros(shape, o));
}

/** @example ones([2, 3], { dtype: 'float64' }) */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return make('ones', options, ['dtype'], (o) => host.ones(shape, o));
}

/** @example full([2, 2], 7) */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return make('full', options, ['dtype'], (o) => host.full(shape, value, o));
}

/** @example arange(5) // [0, 1, 2, 3, 4]; arange(1, 2, 0.25) // [1, 1.25, 1.5, 1.75] */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  return make('arange', options, ['dtype'], (o) => host.arange(start, end, step, o));
}

/** @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1] */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  return make('linspace', options, ['dtype'], (o) => host.linspace(start, end, steps, o));
}

/** @example eye(3) // the 3 × 3 identity */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  return make('eye', options, ['dtype'], (o) => host.eye(n, m, o));
}

/** @example rand([2, 2], { generator: new Generator(42) }) // uniform in [0, 1), replayable */
export function rand(shape: readonly number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  return make('rand', options, ['dtype', 'generator'], (o) => host.rand(shape, o));
}

/** @example randn([3], { generator: new Generator(7) }) // standard normal, replayable */
export function randn(shape: readonly number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  return make('randn', options, ['dtype', 'generator'], (o) => host.randn(shape, o));
}

/**
 * Zeros with the shape and dtype of `t` (no grad).
 *
 * @example
 * zerosLike(ones([2])).toArray(); // [0, 0]
 */
export function zerosLike(t: Tensor): Tensor {
  checkTensor('zerosLike', 't', t);
  return new Tensor(getBackend().full(t.shape, 0, t.dtype));
}

/**
 * Ones with the shape and dtype of `t` (no grad).
 *
 * @example
 * onesLike(zeros([2, 2])).toArray(); // [[1, 1], [1, 1]]
 */
export function onesLike(t: Tensor): Tensor {
  checkTensor('onesLike', 't', t);
  return new Tensor(getBackend().full(t.shape, 1, t.dtype));
}
