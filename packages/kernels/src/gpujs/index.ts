/**
 * The gpujs backend: every Backend kernel as a gpu.js kernel, with results kept on the device.
 *
 *   const backend = await createGpujsBackend({ mode: 'auto' });   // loads gpu.js now, not before
 *   setBackend(backend);                                           // from @skipgrad/autograd
 *   backend.mode;                                                  // the mode that actually runs
 *
 * Modes: `gpu` runs GLSL shaders through WebGL or, in Node, headless-gl; `webasm` compiles the
 * kernels to WebAssembly (SIMD) on the CPU; `cpu` is gpu.js's plain-JavaScript reference;
 * `auto` takes `gpu` when a GL context can be made, else `webasm`, and says so once.
 *
 * How a kernel runs: kernels.ts writes its source for the exact shapes and strides of the call;
 * the compiled kernel is cached under that source (so a training loop compiles each kernel
 * once); inputs are passed as the device handles of earlier results (uploaded once if they are
 * host arrays); the result is wrapped as device storage (device.ts) and comes back to the host
 * only when read. float32 only: float64 arrays are refused with a message naming the op.
 */
import { type DType, NDArray, SkipgradError, type Storage, contiguousStrides, describe, sizeOf } from '@skipgrad/tensor';
import { type Backend, type BinaryOp, type ReduceOp, type UnaryOp, type Window2d, conv2dByColumns } from '../backend.js';
import { keepResult } from '../scopes.js';
import { type DeviceCounters, DeviceMemory, GpujsStorage, type Handle } from './device.js';
import {
  type KernelPlan, binaryPlan, concatPlan, copyPlan, foldPlan, fullPlan, gatherPlan, matmulPlan, padPlan, reducePlan,
  scatterAddPlan, unaryPlan, unfoldPlan, wherePlan,
} from './kernels.js';

export type GpujsMode = 'auto' | 'gpu' | 'webasm' | 'cpu';

export interface GpujsOptions {
  /** Which gpu.js backend runs the kernels (default 'auto'). */
  mode?: GpujsMode;
  /** Where the one-line notices go (a fallback from `auto`); default console.warn. */
  warn?: (message: string) => void;
  /**
   * The gpu.js module to use instead of `import('gpu.js')`: for bundlers that provide it
   * themselves, and for tests that stand in a device without float textures.
   */
  gpujs?: GpuModule;
}

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

// The part of gpu.js we use, typed here so that importing this file never loads gpu.js.
interface GpuKernel { (...args: unknown[]): unknown; }
interface GpuInstance {
  readonly mode: string;
  /** The kernel class gpu.js chose (one of the module's own: WebGL2Kernel, HeadlessGLKernel, …). */
  readonly Kernel?: unknown;
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
  destroy(): void;
}
export interface GpuModule {
  GPU: { new (settings: { mode?: string }): GpuInstance; isHeadlessGLSupported: boolean; isSinglePrecisionSupported: boolean };
  WebGL2Kernel?: unknown;
  WebGLKernel?: unknown;
  HeadlessGLKernel?: unknown;
  WebAssemblyKernel?: unknown;
  CPUKernel?: unknown;
}

/** gpu.js' own name for the kernel class it chose ('webgl2', 'headlessgl', …); its GL classes all call their mode 'gpu'. */
function kernelKind(module: GpuModule, gpu: GpuInstance): string {
  const kinds: [string, unknown][] = [['webgl2', module.WebGL2Kernel], ['webgl', module.WebGLKernel], ['headlessgl', module.HeadlessGLKernel],
    ['webasm', module.WebAssemblyKernel], ['cpu', module.CPUKernel]];
  return kinds.find(([, kernel]) => kernel !== undefined && gpu.Kernel === kernel)?.[0] ?? gpu.mode;
}

async function loadGpuJs(): Promise<GpuModule> {
  try {
    const module = (await import('gpu.js')) as unknown as GpuModule & { default?: GpuModule };
    return module.GPU ? module : module.default!;
  } catch (e) {
    // gpu.js is an optional peer dependency: a CPU-only install never builds its native OpenGL module.
    throw new SkipgradError('createGpujsBackend', 'gpu.js', "the npm package 'gpu.js' installed (the gpujs backend's optional peer dependency)",
      `it failed to load (${(e as Error).message})`, 'install it beside @skipgrad/kernels: npm install gpu.js@2.24.1');
  }
}

/** Creates the backend, loading gpu.js (and, in gpu mode, a GL context) now. */
export async function createGpujsBackend(options: GpujsOptions = {}): Promise<GpujsBackend> {
  const requested = options.mode ?? 'auto';
  if (!['auto', 'gpu', 'webasm', 'cpu'].includes(requested)) {
    throw new SkipgradError('createGpujsBackend', 'mode', "'auto', 'gpu', 'webasm' or 'cpu'", describe(requested));
  }
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const module = options.gpujs ?? await loadGpuJs();
  const { GPU } = module;
  const inNode = typeof process !== 'undefined' && !!process.versions?.node;
  const glAvailable = inNode ? GPU.isHeadlessGLSupported : true;
  // gpu.js falls back to 8-bit 'unsigned' textures where float textures are missing: every
  // value would be quantised. That is never used: refused when asked for, skipped by 'auto'.
  const floatTextures = GPU.isSinglePrecisionSupported;
  let mode: 'gpu' | 'webasm' | 'cpu';
  if (requested === 'auto') {
    mode = glAvailable && floatTextures ? 'gpu' : 'webasm';
    if (!glAvailable) warn("skipgrad gpujs: no GL context (headless-gl is missing or there is no display), running the kernels in 'webasm' mode on the CPU");
    else if (!floatTextures) warn("skipgrad gpujs: this GPU has no float textures (only 8-bit 'unsigned' ones, which would quantise every value), running the kernels in 'webasm' mode on the CPU");
  } else {
    mode = requested;
    if (mode === 'gpu' && !glAvailable) {
      throw new SkipgradError('createGpujsBackend', 'mode', "'gpu' with a working GL context (headless-gl built, and a display: xvfb-run on a server)",
        'no GL context', "choose mode 'webasm' or 'auto'");
    }
    if (mode === 'gpu' && !floatTextures) {
      throw new SkipgradError('createGpujsBackend', 'precision', 'float32 textures (precision single)',
        "a device with only 8-bit 'unsigned' textures", "its results would be quantised; use mode 'webasm' or the CPU backend");
    }
  }
  const gpu = new GPU({ mode: mode === 'gpu' ? (inNode ? 'headlessgl' : 'gpu') : mode });
  const gpujsMode = kernelKind(module, gpu);
  if (mode === 'gpu' && !['headlessgl', 'webgl2', 'webgl'].includes(gpujsMode)) {
    throw new SkipgradError('createGpujsBackend', 'mode', "'gpu' running on a GL backend (WebGL in a page, headless-gl in Node)", `gpu.js chose '${gpujsMode}'`,
      "this browser gives no WebGL context; choose mode 'webasm' or another backend");
  }
  return new GpujsBackendImpl(gpu, mode, gpujsMode);
}

/** What gpu.js compiles a kernel argument for: a number, or an array's or a texture's size. */
function argumentSize(a: unknown): string {
  if (typeof a === 'number') return 'n';
  if (a instanceof Float32Array) return String(a.length);
  const texture = a as { output?: number[]; size?: number[] };
  return `t${(texture.output ?? []).join('x')}/${(texture.size ?? []).join('x')}`;
}

class GpujsBackendImpl implements GpujsBackend {
  readonly name = 'gpujs' as const;
  private readonly memory = new DeviceMemory();
  private readonly kernels = new Map<string, GpuKernel>();
  /** Host arrays already uploaded, so a constant input is copied to the device once. */
  private readonly uploaded = new WeakMap<Storage, GpujsStorage>();
  private readonly scalars = new Map<number, GpujsStorage>();

  constructor(private readonly gpu: GpuInstance, readonly mode: 'gpu' | 'webasm' | 'cpu', readonly gpujsMode: string) {}

  stats(): DeviceCounters & { cachedKernels: number } {
    return { ...this.memory.counters, cachedKernels: this.kernels.size };
  }

  // ── running a plan ───────────────────────────────────────────────────────────────────────

  private check(op: string, arrays: readonly NDArray[]): void {
    arrays.forEach((a, i) => this.checkDType(op, arrays.length === 1 ? 'input' : `input ${i}`, a.dtype));
  }

  private checkDType(op: string, argument: string, dtype: DType): void {
    if (dtype !== 'float32') {
      throw new SkipgradError(`gpujs ${op}`, argument, 'float32 (the gpujs backend computes in float32)', dtype,
        'float64 needs the CPU backend: setBackend(cpuBackend)');
    }
  }

  /** The handle a kernel reads for `a`: a device result as is, a host array uploaded (once). */
  private handleOf(a: NDArray): Handle {
    const device = a.device;
    if (device instanceof GpujsStorage) return device.handle;
    const host = a.storage as Float32Array;
    if (this.mode !== 'gpu') return host;
    let up = this.uploaded.get(host) ?? (host.length === 1 ? this.scalars.get(host[0]!) : undefined);
    if (!up || up.released) {
      up = this.launch(copyPlan(new NDArray(host, [host.length])), [host]);
      this.memory.counters.uploads++;
      this.memory.counters.uploadedValues += host.length;
      this.uploaded.set(host, up);
      // Ops make scalars (a learning rate, a 1 − p) as fresh host arrays on every call: keep
      // the device copies of the last few hundred values so a loop uploads each one once.
      // (Map keys cannot tell 0 from −0, nor NaN from NaN usefully: those are not kept.)
      if (host.length === 1 && !Number.isNaN(host[0]!) && !Object.is(host[0], -0)) {
        if (this.scalars.size >= 256) this.scalars.delete(this.scalars.keys().next().value!);
        this.scalars.set(host[0]!, up);
      }
    }
    return up.handle;
  }

  private launch(plan: KernelPlan, args: readonly unknown[]): GpujsStorage {
    const size = sizeOf(plan.shape);
    // The source fixes the strides; the output size and the input lengths complete the key
    // (gpu.js compiles a kernel for fixed sizes of both).
    const key = `${size}|${args.map(argumentSize).join(',')}|${plan.source}`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.gpu.createKernel(plan.source, {
        output: [Math.max(1, size)], pipeline: true, immutable: true, precision: 'single', tactic: 'precision',
        loopMaxIterations: Math.max(1000, plan.loop + 1), dynamicOutput: false,
      });
      this.kernels.set(key, kernel);
      this.memory.counters.compiles++;
    }
    this.memory.counters.launches++;
    const result = kernel(...args) as Handle;
    return new GpujsStorage(this.name, result, size, this.memory);
  }

  /** Runs a plan over arrays (and trailing scalar arguments) and returns the device result. */
  private run(op: string, plan: KernelPlan, inputs: readonly NDArray[], scalars: readonly number[] = []): NDArray {
    this.check(op, inputs);
    if (sizeOf(plan.shape) === 0) return new NDArray(new Float32Array(0), plan.shape);
    const storage = this.launch(plan, [...inputs.map((a) => this.handleOf(a)), ...scalars]);
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
    const plan = reducePlan(op, a, axes, keepdim);
    // A sum over nothing is 0 (max over nothing is refused by the ops before it gets here).
    if (a.size === 0) return this.full(plan.shape, 0, a.dtype, op, 'input');
    return this.run(op, plan, [a]);
  }

  matmul(a: NDArray, b: NDArray): NDArray {
    const plan = matmulPlan(a, b);
    if (a.size === 0 || b.size === 0) { this.check('matmul', [a, b]); return this.full(plan.shape, 0, a.dtype, 'matmul', 'input 0'); }
    return this.run('matmul', plan, [a, b]);
  }

  concat(arrays: readonly NDArray[], axis: number): NDArray {
    // Zero-size pieces add nothing and would be empty inputs to the kernel.
    const pieces = arrays.filter((a) => a.size > 0);
    if (pieces.length === 0) {
      const shape = [...arrays[0]!.shape];
      shape[axis] = arrays.reduce((t, a) => t + a.shape[axis]!, 0);
      this.check('concat', arrays);
      return new NDArray(new Float32Array(sizeOf(shape)), shape);
    }
    this.check('concat', arrays);
    return this.run('concat', concatPlan(pieces, axis), pieces);
  }

  pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    if (a.size === 0) return this.full(a.shape.map((s, d) => s + pads[d]![0] + pads[d]![1]), value, a.dtype, 'pad', 'input');
    return this.run('pad', padPlan(a, pads), [a], [value]);
  }

  copy(a: NDArray, dtype: DType = a.dtype): NDArray {
    this.checkDType('copy', 'dtype', dtype);
    if (a.size === 0) { this.check('copy', [a]); return new NDArray(new Float32Array(0), [...a.shape]); }
    return this.run('copy', copyPlan(a), [a]);
  }

  /** `op` and `argument` name the caller when another kernel's edge case lands here. */
  full(shape: readonly number[], value: number, dtype: DType, op = 'full', argument = 'dtype'): NDArray {
    this.checkDType(op, argument, dtype);
    return this.run(op, fullPlan(shape), [], [value]);
  }

  where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
    return this.run('where', wherePlan(cond, a, b), [cond, a, b]);
  }

  gather(a: NDArray, axis: number, index: NDArray): NDArray {
    if (a.size === 0) { this.check('gather', [a, index]); return new NDArray(new Float32Array(index.size), [...index.shape]); }
    return this.run('gather', gatherPlan(a, axis, index), [a, index]);
  }

  scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
    if (index.size === 0) { this.check('scatterAdd', [index, src]); return this.full(shape, 0, src.dtype, 'scatterAdd', 'input 1'); }
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
    return this.memory.scopes.run(fn, keep, (a) => (a.device instanceof GpujsStorage ? a.device : undefined));
  }

  destroy(): void {
    this.memory.destroy();
    this.kernels.clear();
    this.gpu.destroy();
  }
}
