/**
 * The gpujs backend class: each Backend method builds a kernel plan (kernels.ts) and runs it
 * (runner.ts); results stay on the device (device.ts) until read.
 */
import { type DType, NDArray, SkipgradError, contiguousStrides, sizeOf } from '@skipgrad/tensor';
import {
  type Backend,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type Window2d,
  conv2dByColumns,
  matmulThenEpilogue,
  type MatmulEpilogue,
} from '../backend.js';
import { keepResult } from '../scopes.js';
import { type DeviceCounters, GpujsStorage } from './device.js';
import {
  type KernelPlan,
  binaryPlan,
  concatPlan,
  copyPlan,
  foldPlan,
  fullPlan,
  gatherPlan,
  matmulPlan,
  padPlan,
  reducePlan,
  scatterAddPlan,
  unaryPlan,
  unfoldPlan,
  wherePlan,
} from './kernels.js';
import type { GpuInstance } from './loader.js';
import { KernelRunner } from './runner.js';

export interface GpujsBackend extends Backend {
  readonly name: 'gpujs';
  /** The mode that actually runs: never 'auto'. */
  readonly mode: 'gpu' | 'webasm' | 'cpu';
  /** What gpu.js itself runs: 'webgl2' or 'webgl' in a page, 'headlessgl' in Node, else 'webasm' or 'cpu'. */
  readonly gpujsMode: string;
  /** Transfers, compiles, launches and live results since creation (a snapshot). */
  stats(): DeviceCounters & { cachedKernels: number };
  /** Frees an array's device memory now (Tensor.dispose calls this). */
  release(a: NDArray): void;
  /**
   * Runs `fn`, then frees every result it created except those `keep(result)` names (by
   * default: the result itself when it is an array).
   */
  scope<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
  /** Frees every compiled kernel and the GL context. The backend cannot be used afterwards. */
  destroy(): void;
}

export class GpujsBackendImpl implements GpujsBackend {
  readonly name = 'gpujs' as const;
  private readonly runner: KernelRunner;

  constructor(
    gpu: GpuInstance,
    readonly mode: 'gpu' | 'webasm' | 'cpu',
    readonly gpujsMode: string,
  ) {
    this.runner = new KernelRunner(gpu, this.name, mode === 'gpu');
  }

  stats(): DeviceCounters & { cachedKernels: number } {
    return { ...this.runner.memory.counters, cachedKernels: this.runner.kernels.size };
  }

  // ── running a plan ───────────────────────────────────────────────────────────────────────

  private check(op: string, arrays: readonly NDArray[]): void {
    arrays.forEach((a, i) => this.checkDType(op, arrays.length === 1 ? 'input' : `input ${i}`, a.dtype));
  }

  private checkDType(op: string, argument: string, dtype: DType): void {
    if (dtype !== 'float32') {
      throw new SkipgradError(
        `gpujs ${op}`,
        argument,
        'float32 (the gpujs backend computes in float32)',
        dtype,
        'float64 needs the CPU backend: setBackend(cpuBackend)',
      );
    }
  }

  /**
   * Runs a plan over arrays (and trailing scalar arguments) and returns the device result. The
   * zero-size cases, once for every kernel: an empty result is a host array; a kernel with an
   * empty input has nothing to read, so its result is `ifInputEmpty` everywhere (a sum or a
   * product over nothing is 0, the padding of nothing is the pad value).
   */
  private run(
    op: string,
    plan: KernelPlan,
    inputs: readonly NDArray[],
    scalars: readonly number[] = [],
    ifInputEmpty = 0,
  ): NDArray {
    this.check(op, inputs);
    if (sizeOf(plan.shape) === 0) return new NDArray(new Float32Array(0), plan.shape);
    const storage = inputs.some((a) => a.size === 0)
      ? this.runner.launch(fullPlan(plan.shape), [ifInputEmpty])
      : this.runner.launch(plan, [...inputs.map((a) => this.runner.handleOf(a)), ...scalars]);
    return new NDArray(storage, plan.shape, contiguousStrides(plan.shape));
  }

  // ── the Backend interface ────────────────────────────────────────────────────────────────

  unary(op: UnaryOp, a: NDArray): NDArray {
    return this.run(op, unaryPlan(op, a), [a]);
  }

  binary(op: BinaryOp, a: NDArray, b: NDArray): NDArray {
    return this.run(op, binaryPlan(op, a, b), [a, b], op === 'pow' ? [Infinity, NaN] : []);
  }

  reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray {
    return this.run(op, reducePlan(op, a, axes, keepdim), [a]); // max over nothing is refused before it gets here
  }

  matmul(a: NDArray, b: NDArray): NDArray {
    return this.run('matmul', matmulPlan(a, b), [a, b]);
  }

  fusedMatmul(a: NDArray, b: NDArray, epilogue: MatmulEpilogue): NDArray {
    return matmulThenEpilogue(this, a, b, epilogue);
  }

  concat(arrays: readonly NDArray[], axis: number): NDArray {
    this.check('concat', arrays);
    // Zero-size pieces add nothing; when every piece is empty, so is the result.
    const pieces = arrays.filter((a) => a.size > 0);
    if (pieces.length === 0) return new NDArray(new Float32Array(0), concatShape(arrays, axis));
    return this.run('concat', concatPlan(pieces, axis), pieces);
  }

  pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    return this.run('pad', padPlan(a, pads), [a], [value], value);
  }

  copy(a: NDArray, dtype: DType = a.dtype): NDArray {
    this.checkDType('copy', 'dtype', dtype);
    return this.run('copy', copyPlan(a), [a]);
  }

  full(shape: readonly number[], value: number, dtype: DType): NDArray {
    this.checkDType('full', 'dtype', dtype);
    return this.run('full', fullPlan(shape), [], [value]);
  }

  where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
    return this.run('where', wherePlan(cond, a, b), [cond, a, b]);
  }

  gather(a: NDArray, axis: number, index: NDArray): NDArray {
    return this.run('gather', gatherPlan(a, axis, index), [a, index]);
  }

  scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
    return this.run('scatterAdd', scatterAddPlan(shape, axis, index, src), [index, src]);
  }

  unfold(x: NDArray, window: Window2d): NDArray {
    return this.run('unfold', unfoldPlan(x, window), [x]);
  }

  fold(cols: NDArray, outputSize: readonly [number, number], window: Window2d): NDArray {
    return this.run('fold', foldPlan(cols, outputSize, window), [cols]);
  }

  conv2d(x: NDArray, w: NDArray, window: Window2d): NDArray {
    return conv2dByColumns(this, x, w, window);
  }

  // ── memory ───────────────────────────────────────────────────────────────────────────────

  release(a: NDArray): void {
    if (a.device instanceof GpujsStorage) a.device.release();
  }

  scope<T>(fn: () => T, keep: (result: T) => Iterable<NDArray> = keepResult): T {
    return this.runner.memory.scopes.run(fn, keep, (a) => (a.device instanceof GpujsStorage ? a.device : undefined));
  }

  destroy(): void {
    this.runner.destroy();
  }
}

/** The shape of a concatenation: the pieces' sides along `axis` added. */
function concatShape(arrays: readonly NDArray[], axis: number): number[] {
  const shape = [...arrays[0]!.shape];
  shape[axis] = arrays.reduce((t, a) => t + a.shape[axis]!, 0);
  return shape;
}
