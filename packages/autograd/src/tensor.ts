/**
 * Tensor: what users hold. A value (`data`, a strided NDArray), whether gradients should flow
 * to it (`requiresGrad`), the gradient collected by backward (`grad`), and for results of
 * ops, the graph `node` that made it (null for leaves: tensors the user created).
 *
 * Tensors are immutable: every op returns a new tensor. The methods below are thin aliases of
 * the op functions in ops/, where each op's math, forward and backward live together.
 */
import {
  type DType,
  NDArray,
  type NestedArray,
  SkipgradError,
  checkBoolean,
  describe,
  formatArray,
} from '@skipgrad/tensor';
import type { TensorLike } from './operands.js';
import { type BackwardOptions, backward } from './engine.js';
import { Node } from './graph.js';
import * as ops from './ops/index.js';
import { getBackend } from './current-backend.js';

export interface TensorInit {
  requiresGrad?: boolean;
  node?: Node | null;
}

export class Tensor {
  /** The values. Only a Parameter may replace them (an optimizer step), never in place. */
  protected value: NDArray;
  readonly requiresGrad: boolean;
  /** The op that made this tensor; null for a leaf. */
  readonly node: Node | null;
  /** The gradient accumulated by `backward()` (leaves only), or null. */
  grad: Tensor | null = null;

  constructor(data: NDArray, init: TensorInit = {}) {
    if (!(data instanceof NDArray))
      throw new SkipgradError(
        'Tensor',
        'data',
        'an NDArray (use tensor(values) for numbers and arrays)',
        describe(data),
      );
    // Every op result passes here: two type checks, not a scan of the options' keys.
    if (init === null || typeof init !== 'object')
      throw new SkipgradError('Tensor', 'init', 'an options object ({ requiresGrad, node })', describe(init));
    if (init.requiresGrad !== undefined) checkBoolean('Tensor', 'requiresGrad', init.requiresGrad);
    if (init.node != null && !(init.node instanceof Node))
      throw new SkipgradError('Tensor', 'node', 'a Node or null', describe(init.node));
    this.value = data;
    this.node = init.node ?? null;
    this.requiresGrad = init.requiresGrad ?? this.node !== null;
  }

  /** The values, a strided NDArray. */
  get data(): NDArray {
    return this.value;
  }
  get shape(): readonly number[] {
    return this.data.shape;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  get rank(): number {
    return this.data.rank;
  }
  get size(): number {
    return this.data.size;
  }
  /** A leaf was created by the user, not computed by an op; only leaves receive `.grad`. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  // ---- arithmetic (broadcasting) ----
  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ops.pow(this, exponent);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }

  // ---- reductions ----
  sum(axis?: number | readonly number[], keepdim = false): Tensor {
    return ops.sum(this, axis, keepdim);
  }
  mean(axis?: number | readonly number[], keepdim = false): Tensor {
    return ops.mean(this, axis, keepdim);
  }
  max(axis?: number | readonly number[], keepdim = false): Tensor {
    return ops.max(this, axis, keepdim);
  }
  min(axis?: number | readonly number[], keepdim = false): Tensor {
    return ops.min(this, axis, keepdim);
  }
  argmax(axis?: number, keepdim = false): Tensor {
    return ops.argmax(this, axis, keepdim);
  }
  argmin(axis?: number, keepdim = false): Tensor {
    return ops.argmin(this, axis, keepdim);
  }
  /** Variance with Bessel's correction by default (`{ correction: 0 }` for the population variance). */
  var(axis?: number | readonly number[], options: ops.VarianceOptions = {}): Tensor {
    return ops.variance(this, axis, options);
  }
  std(axis?: number | readonly number[], options: ops.VarianceOptions = {}): Tensor {
    return ops.std(this, axis, options);
  }
  logSumExp(axis = -1, keepdim = false): Tensor {
    return ops.logSumExp(this, axis, keepdim);
  }
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return ops.flatten(this, startAxis, endAxis);
  }
  permute(axes: readonly number[]): Tensor {
    return ops.permute(this, axes);
  }
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return ops.transpose(this, axis0, axis1);
  }
  expand(shape: readonly number[]): Tensor {
    return ops.expand(this, shape);
  }
  squeeze(axis?: number): Tensor {
    return ops.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  slice(ranges: readonly (readonly [number, number])[]): Tensor {
    return ops.slice(this, ranges);
  }
  narrow(axis: number, start: number, length: number): Tensor {
    return ops.narrow(this, axis, start, length);
  }
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return ops.pad(this, pads, value);
  }
  /** A copy in another dtype (differentiable: the gradient is cast back). */
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  // ---- autograd ----
  /**
   * Backpropagates from this tensor: every leaf that requires grad and that this tensor
   * depends on gets `∂this/∂leaf` (times `gradient`) added to its `.grad`.
   * A non-scalar tensor needs an explicit `gradient` of its own shape.
   *
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.mul(x).sum().backward();
   * x.grad!.toArray(); // [2, 4]
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    backward([this], gradient === undefined ? undefined : [gradient], options);
  }

  /** The same values, cut from the graph: no gradient flows through it. */
  detach(): Tensor {
    return new Tensor(this.data);
  }

  /**
   * Frees the device memory holding this tensor's values now, rather than when the garbage
   * collector finds it (gpujs backend; on the CPU there is nothing to free). Every tensor that
   * views the same values (reshape, transpose, detach…) becomes unreadable.
   *
   * @example
   * const t = tensor([1, 2, 3]);
   * t.dispose(); // a no-op for host arrays
   */
  dispose(): void {
    this.value.device?.release?.();
  }

  /** Forgets the accumulated gradient (and a caching backend its copy of it). */
  zeroGrad(): void {
    if (this.grad) getBackend().forget?.([this.grad.data]);
    this.grad = null;
  }

  // ---- values ----
  toArray(): NestedArray {
    return this.data.toArray();
  }
  item(): number {
    return this.data.item();
  }
  /**
   * toArray without blocking while a device finishes (see DeviceStorage.downloadAsync): the
   * way to read results once kernels are asynchronous (gpu.js v3, WebGPU).
   *
   * @example
   * await tensor([1, 2]).mul(2).toArrayAsync(); // [2, 4]
   */
  async toArrayAsync(): Promise<NestedArray> {
    return (await this.data.ready()).toArray();
  }
  /** item without blocking while a device finishes. */
  async itemAsync(): Promise<number> {
    return (await this.data.ready()).item();
  }
  toString(): string {
    const suffix = this.node ? `gradFn=<${this.node.op}>` : this.requiresGrad ? 'requiresGrad=true' : '';
    return formatArray(this.data, 'tensor(', suffix);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
