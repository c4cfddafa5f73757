/**
 * The wasm backend: every Backend kernel as WebAssembly with 128-bit SIMD (AssemblyScript
 * sources in packages/kernels/assembly/), with results kept in the module's memory.
 *
 *   const backend = createWasmBackend();   // synchronous; the module is compiled once per process
 *   setBackend(backend);                   // from @skipgrad/autograd
 *   backend.info();                        // { simd: true, threads: 1, … }
 *
 * How a call runs: each input is found in the memory (the block an earlier kernel wrote it in,
 * or a host array copied in once), its view is described by shape and strides (layout.ts), the
 * kernel writes a fresh contiguous block, and the block is copied out into the result's
 * Float32Array — and kept in the memory's cache under it (heap.ts), so the next op of a chain
 * reads it in place. Results are ordinary host arrays: the garbage collector frees them, nothing
 * needs disposing, and the memory never holds more than its cache budget between calls.
 *
 * float32 only in WebAssembly. A float64 array is computed by the reference CPU kernels, in
 * float64, exactly as with `cpuBackend` (gradient checks lose nothing); its result is a host
 * array. Zero-size results are host arrays too: there is nothing to compute.
 */
import { type NDArray, SkipgradError, describe } from '@skipgrad/tensor';
import type { Backend, Window2d } from '../backend.js';
import { WasmBackendImpl } from './backend.js';
import type { HeapCounters } from './heap.js';
import { simdSupported } from './module.js';
import { availableCores, threadsSupported } from './threads.js';

export interface WasmOptions {
  /**
   * Threads the kernels may split over: this one and `threads − 1` workers sharing its memory.
   * Default: the cores available (1 where there are no worker threads). Small ops stay on one.
   */
  threads?: number;
  /** Bytes of wasm memory kept for arrays between calls (default 64 MiB); calls may use more while they run. */
  cacheBytes?: number;
  /** Split every kernel that can be split over all threads, however small (for tests of the threaded paths). */
  splitAlways?: boolean;
}

export interface WasmInfo {
  /** 128-bit SIMD is used (always: the backend refuses to start without it). */
  simd: boolean;
  /** Threads the kernels run on. */
  threads: number;
  /** Bytes the WebAssembly memory holds now, and how many of them the heap has handed out. */
  memoryBytes: number;
  heapBytes: number;
  /** The cache: its budget, and the bytes and arrays in it now. */
  cacheBytes: number;
  residentBytes: number;
  residentArrays: number;
}

/** Backend's optional fused kernels that the wasm backend always has. */
type FusedKernel =
  | 'softmax'
  | 'softmaxGrad'
  | 'gelu'
  | 'geluGrad'
  | 'layerNorm'
  | 'layerNormGrad'
  | 'batchNorm'
  | 'batchNormGrad'
  | 'adam'
  | 'sgd';

/**
 * The wasm backend: every optional kernel of Backend is there — softmax, gelu, layerNorm and
 * batchNorm run a row, a channel or four lanes at a time (assembly/softmax.ts, gelu.ts, norm.ts),
 * each direction one call; an Adam or SGD update is one pass over the coordinates (assembly/adam.ts, sgd.ts).
 */
export interface WasmBackend extends Omit<Backend, FusedKernel>, Required<Pick<Backend, FusedKernel>> {
  readonly name: 'wasm';
  /** What runs, in words for reports: '128-bit SIMD, 2 threads'. */
  readonly mode: string;
  /** Stops the worker threads (idle workers never keep a process alive; this frees them now). */
  close(): void;
  /** What runs: SIMD, threads, memory. */
  info(): WasmInfo;
  /**
   * Copies in and out and kernel calls since creation, the heap's size, and how many pieces of
   * split kernels the worker threads ran (0 on one thread) — a snapshot.
   */
  stats(): HeapCounters & { heapBytes: number; residentArrays: number; workerChunks: number };
  /** Backend.forgetScope: runs fn, then drops the cached copies of what it made but `keep` names. */
  forgetScope<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
  /** Backend.forget: drops the cached copies of these arrays (they stay valid). */
  forget(arrays: Iterable<NDArray>): void;
  /** Backend.sealedScope: forgetScope whose results stay in the memory, the kept ones copied out at the end (sealed.ts). */
  sealedScope<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
  /** Backend.conv2dInputGrad: fold(Wᵀ·dy), the columns never copied out. */
  conv2dInputGrad(dy: NDArray, w: NDArray, imageSize: readonly [number, number], window: Window2d): NDArray;
  /** Backend.conv2dWeightGrad: Σₙ dy[n]·unfold(x)[n]ᵀ, the columns and per-image products never copied out. */
  conv2dWeightGrad(dy: NDArray, x: NDArray, window: Window2d): NDArray;
}

/**
 * Creates a wasm backend with its own memory.
 *
 * @example
 * const wasm = createWasmBackend();
 * wasm.info().simd; // true
 */
export function createWasmBackend(options: WasmOptions = {}): WasmBackend {
  const threads = options.threads ?? (threadsSupported ? availableCores : 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new SkipgradError('createWasmBackend', 'threads', 'an integer from 1 to 64', describe(threads));
  }
  if (threads > 1 && !threadsSupported) {
    throw new SkipgradError(
      'createWasmBackend',
      'threads',
      '1 here (this JavaScript engine has no worker threads)',
      String(threads),
    );
  }
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  if (typeof cacheBytes !== 'number' || !(cacheBytes >= 0) || !Number.isFinite(cacheBytes)) {
    throw new SkipgradError('createWasmBackend', 'cacheBytes', 'a number of bytes >= 0', describe(cacheBytes));
  }
  if (!simdSupported()) {
    throw new SkipgradError(
      'createWasmBackend',
      'WebAssembly',
      'an engine with 128-bit WebAssembly SIMD (Node ≥ 16.4, current browsers)',
      'no SIMD support',
      'use cpuBackend',
    );
  }
  return new WasmBackendImpl(threads, cacheBytes, options.splitAlways === true);
}
