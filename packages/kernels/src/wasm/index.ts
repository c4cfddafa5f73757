/**
 * The wasm backend: every Backend kernel as WebAssembly with 128-bit SIMD (AssemblyScript
 * sources in packages/kernels/assembly/), with results kept in the module's memory.
 *
 *   const backend = createWasmBackend();   // synchronous; the module is compiled once per process
 *   setBackend(backend);                   // from @skipgrad/autograd
 *   backend.info();                        // { simd: true, threads: 1, … }
 *
 * How a call runs: each input is found in the memory (a result of an earlier kernel as is; a
 * host array copied in once and remembered), its view is described by shape and strides
 * (layout.ts), the kernel writes a fresh contiguous result block (heap.ts), and the result
 * stays there — chained into the next kernel — until host code reads its values.
 *
 * float32 only in WebAssembly. A float64 array is computed by the reference CPU kernels, in
 * float64, exactly as with `cpuBackend` (gradient checks lose nothing); its result is a host
 * array. Zero-size results are host arrays too: there is nothing to compute.
 */
import { type DType, NDArray, SkipgradError, type Storage, broadcastShapes, contiguousStrides, sizeOf } from '@skipgrad/tensor';
import { type Backend, type BinaryOp, type ReduceOp, type UnaryOp, type Window2d, BINARY_OPS, UNARY_OPS, matmulOperands, windowOutputSize } from '../backend.js';
import { cpuBackend } from '../cpu/index.js';
import { keepResult } from '../scopes.js';
import { type HeapCounters, WasmHeap, WasmStorage } from './heap.js';
import { type Walk, coalesce, descriptor, rowsOf } from './layout.js';
import { type Kernels, instantiate, kernelsModule, simdSupported } from './module.js';

export interface WasmOptions {
  /** Threads the kernels may split over (default and, in this version, only value: 1). */
  threads?: number;
}

export interface WasmInfo {
  /** 128-bit SIMD is used (always: the backend refuses to start without it). */
  simd: boolean;
  /** Threads the kernels run on. */
  threads: number;
  /** Bytes the WebAssembly memory holds now, and how many of them the heap has handed out. */
  memoryBytes: number;
  heapBytes: number;
}

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** What runs: SIMD, threads, memory. */
  info(): WasmInfo;
  /** Transfers, kernel calls and live results since creation (a snapshot). */
  stats(): HeapCounters & { heapBytes: number };
  /** Frees an array's memory now (Tensor.dispose calls this through its storage). */
  release(a: NDArray): void;
  /** Runs `fn`, then frees every result it created except those `keep(result)` names. */
  scope<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
}

/** Where a view's first element is (byte address) and how to step through it. */
interface Operand { address: number; strides: readonly number[] }

/** Bytes kept for the descriptors of one call (shape and strides, 32-bit integers). */
const DESCRIPTOR_BYTES = 4096;

/**
 * Creates a wasm backend with its own memory.
 *
 * @example
 * const wasm = createWasmBackend();
 * wasm.info().simd; // true
 */
export function createWasmBackend(options: WasmOptions = {}): WasmBackend {
  const threads = options.threads ?? 1;
  if (threads !== 1) {
    throw new SkipgradError('createWasmBackend', 'threads', '1 (threads are not built yet in this version)', String(threads));
  }
  if (!simdSupported()) {
    throw new SkipgradError('createWasmBackend', 'WebAssembly', 'an engine with 128-bit WebAssembly SIMD (Node ≥ 16.4, current browsers)', 'no SIMD support',
      'use cpuBackend');
  }
  return new WasmBackendImpl();
}

class WasmBackendImpl implements WasmBackend {
  readonly name = 'wasm' as const;
  private readonly memory = new WebAssembly.Memory({ initial: 16 });
  private readonly kernels: Kernels = instantiate(this.memory, kernelsModule());
  private readonly heap = new WasmHeap(this.memory, this.kernels.heapBase());
  private readonly desc = this.heap.alloc(DESCRIPTOR_BYTES, 'init');
  /** Host arrays already copied in, so a constant input (a weight, a data set) is copied once. */
  private readonly uploaded = new WeakMap<Storage, WasmStorage>();
  /**
   * Ops make scalars (a learning rate, a momentum, 1 − p) as fresh host arrays on every call:
   * the copies of the last few hundred values are kept so a loop copies each one in once.
   * (Map keys cannot tell 0 from −0, and NaN is no use as a key: those are not kept.)
   */
  private readonly scalars = new Map<number, WasmStorage>();

  info(): WasmInfo {
    return { simd: true, threads: 1, memoryBytes: this.heap.memoryBytes, heapBytes: this.heap.heapBytes };
  }

  stats(): HeapCounters & { heapBytes: number } {
    return { ...this.heap.counters, heapBytes: this.heap.heapBytes };
  }

  // ── moving values in and describing views ─────────────────────────────────────────────────

  /** The memory block holding a float32 array's storage: its own result, or a host array copied in once. */
  private storageOf(a: NDArray): WasmStorage {
    const device = a.device;
    if (device instanceof WasmStorage) return device;
    const host = a.storage;
    const scalar = host.length === 1 && !Number.isNaN(host[0]!) && !Object.is(host[0], -0) ? Math.fround(host[0]!) : null;
    let copy = this.uploaded.get(host) ?? (scalar !== null ? this.scalars.get(scalar) : undefined);
    if (!copy || copy.released) {
      copy = this.heap.result(host.length, 'upload');
      this.heap.f32().set(host, copy.address / 4);
      this.heap.counters.uploads++;
      this.heap.counters.uploadedValues += host.length;
      this.uploaded.set(host, copy);
      if (scalar !== null) {
        if (this.scalars.size >= 256) this.scalars.delete(this.scalars.keys().next().value!);
        this.scalars.set(scalar, copy);
      }
    }
    return copy;
  }

  private operand(a: NDArray): Operand {
    return { address: this.storageOf(a).address + a.offset * 4, strides: a.strides };
  }

  /** Writes a walk's descriptor into the descriptor block and returns its address. */
  private describe(op: string, walk: Walk): number {
    const d = descriptor(walk);
    if (d.length * 4 > DESCRIPTOR_BYTES) throw new SkipgradError(`wasm ${op}`, 'rank', `at most ${Math.floor(DESCRIPTOR_BYTES / 4 / (1 + walk.strides.length))} axes after merging`, String(walk.shape.length));
    this.heap.i32().set(d, this.desc / 4);
    return this.desc;
  }

  private output(op: string, shape: readonly number[]): { storage: WasmStorage; array: NDArray } {
    const storage = this.heap.result(sizeOf(shape), op, shape);
    return { storage, array: new NDArray(storage, [...shape], contiguousStrides(shape)) };
  }

  /** A scratch block for one call (freed by the caller). */
  private scratch(bytes: number, op: string): number {
    return this.heap.alloc(bytes, op);
  }

  private zeroF64(address: number, count: number): void {
    this.heap.f64().fill(0, address / 8, address / 8 + count);
  }

  /** True when any input is float64: such calls run on the reference kernels. */
  private static float64(...arrays: readonly NDArray[]): boolean {
    return arrays.some((a) => a.dtype === 'float64');
  }

  // ── the Backend interface ────────────────────────────────────────────────────────────────

  unary(op: UnaryOp, a: NDArray): NDArray {
    if (WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.unary(op, a);
    const { storage, array } = this.output(op, a.shape);
    const x = this.operand(a);
    const walk = coalesce(a.shape, [contiguousStrides(a.shape), x.strides]);
    walk.strides.shift();
    this.heap.counters.launches++;
    this.kernels.unary(UNARY_OPS.indexOf(op), storage.address, x.address, walk.shape.length, this.describe(op, walk), 0, rowsOf(walk));
    return array;
  }

  binary(op: BinaryOp, a: NDArray, b: NDArray): NDArray {
    if (WasmBackendImpl.float64(a, b)) return cpuBackend.binary(op, a, b);
    const shape = broadcastShapes(op, a.shape, b.shape);
    if (sizeOf(shape) === 0) return cpuBackend.binary(op, a, b);
    const { storage, array } = this.output(op, shape);
    const x = this.operand(a.expand(shape));
    const y = this.operand(b.expand(shape));
    const walk = coalesce(shape, [contiguousStrides(shape), x.strides, y.strides]);
    walk.strides.shift();
    this.heap.counters.launches++;
    this.kernels.binary(BINARY_OPS.indexOf(op), storage.address, x.address, y.address, walk.shape.length, this.describe(op, walk), 0, rowsOf(walk));
    return array;
  }

  reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray {
    if (WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.reduce(op, a, axes, keepdim);
    const reduced = new Set(axes);
    const keptShape = a.shape.map((side, axis) => (reduced.has(axis) ? 1 : side));
    const slotStrides = contiguousStrides(keptShape).map((s, axis) => (reduced.has(axis) ? 0 : s));
    const shape = keepdim ? keptShape : a.shape.filter((_, axis) => !reduced.has(axis));
    const { storage, array } = this.output(op, shape);
    const x = this.operand(a);
    // Walk the input in its memory order (largest stride first), so each row is a run of it.
    const order = a.shape.map((_, axis) => axis).sort((p, q) => x.strides[q]! - x.strides[p]!);
    const walk = coalesce(order.map((d) => a.shape[d]!), [order.map((d) => x.strides[d]!), order.map((d) => slotStrides[d]!)]);
    const desc = this.describe(op, walk);
    const slots = sizeOf(keptShape);
    this.heap.counters.launches++;
    if (op === 'sum') {
      const acc = this.scratch(slots * 8, op);
      this.zeroF64(acc, slots);
      this.kernels.sumInto(acc, x.address, walk.shape.length, desc, 0, rowsOf(walk));
      this.kernels.roundToF32(storage.address, acc, 0, slots);
      this.heap.free(acc);
    } else {
      this.kernels.fill(storage.address, -Infinity, 0, slots);
      this.kernels.maxInto(storage.address, x.address, walk.shape.length, desc, 0, rowsOf(walk));
    }
    return array;
  }

  matmul(a: NDArray, b: NDArray): NDArray {
    if (WasmBackendImpl.float64(a, b)) return cpuBackend.matmul(a, b);
    const { n, k, m, batch, a: av, b: bv } = matmulOperands(a, b);
    const shape = [...batch, n, m];
    if (sizeOf(shape) === 0) return cpuBackend.matmul(a, b);
    const { storage, array } = this.output('matmul', shape);
    const x = this.operand(av);
    const y = this.operand(bv);
    const [ars, acs] = x.strides.slice(-2) as [number, number];
    const [brs, bcs] = y.strides.slice(-2) as [number, number];
    const scratch = this.scratch(this.kernels.matmulScratch(m) * 4, 'matmul');
    let index = 0;
    walkBatch(batch, x.strides, y.strides, (offsetA, offsetB) => {
      this.heap.counters.launches++;
      this.kernels.matmul(storage.address + index * n * m * 4, x.address + offsetA * 4, ars, acs, y.address + offsetB * 4, brs, bcs, n, k, m, 0, m, scratch);
      index++;
    });
    this.heap.free(scratch);
    return array;
  }

  /** Copies `src` into the same-shaped view of a result block at element `offset` with `strides`. */
  private copyInto(op: string, dst: WasmStorage, offset: number, strides: readonly number[], src: NDArray): void {
    const from = this.operand(src);
    const walk = coalesce(src.shape, [strides, from.strides]);
    this.heap.counters.launches++;
    this.kernels.copy(dst.address + offset * 4, from.address, walk.shape.length, this.describe(op, walk), 0, rowsOf(walk));
  }

  concat(arrays: readonly NDArray[], axis: number): NDArray {
    if (WasmBackendImpl.float64(...arrays)) return cpuBackend.concat(arrays, axis);
    const shape = [...arrays[0]!.shape];
    shape[axis] = arrays.reduce((total, a) => total + a.shape[axis]!, 0);
    if (sizeOf(shape) === 0) return cpuBackend.concat(arrays, axis);
    const { storage, array } = this.output('concat', shape);
    let start = 0;
    for (const piece of arrays) {
      if (piece.size > 0) this.copyInto('concat', storage, start * array.strides[axis]!, array.strides, piece);
      start += piece.shape[axis]!;
    }
    return array;
  }

  pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    if (WasmBackendImpl.float64(a)) return cpuBackend.pad(a, pads, value);
    const shape = a.shape.map((side, axis) => side + pads[axis]![0] + pads[axis]![1]);
    if (sizeOf(shape) === 0) return cpuBackend.pad(a, pads, value);
    const { storage, array } = this.output('pad', shape);
    this.kernels.fill(storage.address, value, 0, array.size);
    if (a.size > 0) this.copyInto('pad', storage, pads.reduce((at, [before], axis) => at + before * array.strides[axis]!, 0), array.strides, a);
    return array;
  }

  copy(a: NDArray, dtype: DType = a.dtype): NDArray {
    if (dtype === 'float64' || WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.copy(a, dtype);
    const { storage, array } = this.output('copy', a.shape);
    this.copyInto('copy', storage, 0, array.strides, a);
    return array;
  }

  full(shape: readonly number[], value: number, dtype: DType): NDArray {
    if (dtype === 'float64' || sizeOf(shape) === 0) return cpuBackend.full(shape, value, dtype);
    const { storage, array } = this.output('full', shape);
    this.heap.counters.launches++;
    this.kernels.fill(storage.address, value, 0, array.size);
    return array;
  }

  where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
    if (WasmBackendImpl.float64(cond, a, b)) return cpuBackend.where(cond, a, b);
    const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
    if (sizeOf(shape) === 0) return cpuBackend.where(cond, a, b);
    const { storage, array } = this.output('where', shape);
    const [c, x, y] = [cond, a, b].map((t) => this.operand(t.expand(shape))) as [Operand, Operand, Operand];
    const walk = coalesce(shape, [contiguousStrides(shape), c.strides, x.strides, y.strides]);
    walk.strides.shift();
    this.heap.counters.launches++;
    this.kernels.where(storage.address, c.address, x.address, y.address, walk.shape.length, this.describe('where', walk), 0, rowsOf(walk));
    return array;
  }

  /** The descriptor of gather / scatterAdd: the index's shape and the source's strides with 0 on the axis. */
  private indexWalk(op: string, shape: readonly number[], axis: number, index: NDArray): { desc: number; rank: number; rows: number; axisStride: number } {
    const strides = contiguousStrides(shape);
    const walk: Walk = { shape: [...index.shape], strides: [strides.map((s, d) => (d === axis ? 0 : s))] };
    return { desc: this.describe(op, walk), rank: index.rank, rows: rowsOf(walk), axisStride: strides[axis]! };
  }

  gather(a: NDArray, axis: number, index: NDArray): NDArray {
    if (WasmBackendImpl.float64(a, index) || index.size === 0 || a.rank === 0) return cpuBackend.gather(a, axis, index);
    const source = a.isContiguous() ? a : this.copy(a);
    const idx = index.isContiguous() ? index : this.copy(index);
    const { storage, array } = this.output('gather', index.shape);
    const w = this.indexWalk('gather', a.shape, axis, index);
    this.heap.counters.launches++;
    this.kernels.gather(storage.address, this.operand(source).address, this.operand(idx).address, w.rank, w.desc, w.axisStride, 0, w.rows);
    return array;
  }

  scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
    if (WasmBackendImpl.float64(index, src) || index.size === 0 || shape.length === 0) return cpuBackend.scatterAdd(shape, axis, index, src);
    const values = src.isContiguous() ? src : this.copy(src);
    const idx = index.isContiguous() ? index : this.copy(index);
    const { storage, array } = this.output('scatterAdd', shape);
    const acc = this.scratch(array.size * 8, 'scatterAdd');
    this.zeroF64(acc, array.size);
    const w = this.indexWalk('scatterAdd', shape, axis, index);
    this.heap.counters.launches++;
    this.kernels.scatterAddInto(acc, this.operand(values).address, this.operand(idx).address, w.rank, w.desc, w.axisStride, w.rows);
    this.kernels.roundToF32(storage.address, acc, 0, array.size);
    this.heap.free(acc);
    return array;
  }

  /** The window geometry the kernels read: [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]. */
  private geometry(image: readonly number[], win: Window2d): { address: number; oh: number; ow: number } {
    const [, C, H, W] = image as [number, number, number, number];
    const [kh, kw] = win.kernel;
    const oh = windowOutputSize(H, kh, win.stride[0], win.padding[0], win.dilation[0]);
    const ow = windowOutputSize(W, kw, win.stride[1], win.padding[1], win.dilation[1]);
    this.heap.i32().set([C, H, W, kh, kw, ...win.stride, ...win.padding, ...win.dilation, oh, ow], this.desc / 4);
    return { address: this.desc, oh, ow };
  }

  unfold(x: NDArray, window: Window2d): NDArray {
    const [N, C] = x.shape as [number, number];
    const [kh, kw] = window.kernel;
    if (WasmBackendImpl.float64(x) || x.size === 0) return cpuBackend.unfold(x, window);
    const image = x.isContiguous() ? x : this.copy(x);
    const g = this.geometry(x.shape, window);
    const { storage, array } = this.output('unfold', [N, C * kh * kw, g.oh * g.ow]);
    this.heap.counters.launches++;
    this.kernels.unfold(storage.address, this.operand(image).address, g.address, 0, N * C * kh * kw);
    return array;
  }

  fold(cols: NDArray, outputSize: readonly [number, number], window: Window2d): NDArray {
    if (WasmBackendImpl.float64(cols) || cols.size === 0) return cpuBackend.fold(cols, outputSize, window);
    const [N, rows] = cols.shape as [number, number];
    const C = rows / (window.kernel[0] * window.kernel[1]);
    const shape = [N, C, outputSize[0], outputSize[1]];
    const columns = cols.isContiguous() ? cols : this.copy(cols);
    const g = this.geometry(shape, window);
    const { storage, array } = this.output('fold', shape);
    const acc = this.scratch(array.size * 8, 'fold');
    this.zeroF64(acc, array.size);
    this.heap.counters.launches++;
    this.kernels.foldInto(acc, this.operand(columns).address, g.address, 0, N * C);
    this.kernels.roundToF32(storage.address, acc, 0, array.size);
    this.heap.free(acc);
    return array;
  }

  // ── memory ───────────────────────────────────────────────────────────────────────────────

  release(a: NDArray): void {
    if (a.device instanceof WasmStorage) a.device.release();
  }

  scope<T>(fn: () => T, keep: (result: T) => Iterable<NDArray> = keepResult): T {
    return this.heap.scopes.run(fn, keep, (a) => (a.device instanceof WasmStorage ? a.device : undefined));
  }
}

/** Calls `visit(offsetA, offsetB)` for every batch index, with the element offsets of each operand's matrix. */
function walkBatch(batch: readonly number[], stridesA: readonly number[], stridesB: readonly number[], visit: (a: number, b: number) => void): void {
  const total = sizeOf(batch);
  for (let i = 0; i < total; i++) {
    let rest = i;
    let a = 0;
    let b = 0;
    for (let axis = batch.length - 1; axis >= 0; axis--) {
      const coordinate = rest % batch[axis]!;
      rest = Math.floor(rest / batch[axis]!);
      a += coordinate * stridesA[axis]!;
      b += coordinate * stridesB[axis]!;
    }
    visit(a, b);
  }
}
