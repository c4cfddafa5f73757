/**
 * The wasm backend's implementation of the Backend interface (index.ts has its options and its
 * public face). Each kernel method has the same shape: find the inputs in the memory (operand),
 * place the output (output), describe the walk to the kernel (describe, geometry), call it —
 * split over threads when large (split) — and copy the result out (finish).
 */
import {
  type DType,
  NDArray,
  SkipgradError,
  broadcastShapes,
  contiguousStrides,
  describe,
  sizeOf,
  walkPair,
} from '@skipgrad/tensor';
import { keepResult } from '../scopes.js';
import {
  type AdamResult,
  type AdamScalars,
  type SGDResult,
  type SGDScalars,
  type BinaryOp,
  type NormGrads,
  type NormResult,
  type BatchNormResult,
  type NormStats,
  type MatmulEpilogue,
  type ReduceOp,
  type UnaryOp,
  type Window2d,
  BINARY_OPS,
  UNARY_OPS,
  conv2dInputGradByColumns,
  conv2dWeightGradByColumns,
  matmulOperands,
  windowOutputSize,
} from '../backend.js';
import { cpuBackend } from '../cpu/index.js';
import { rowsAlong, softmax as referenceSoftmax, softmaxGrad as referenceSoftmaxGrad } from '../cpu/softmax.js';
import { adam as referenceAdam } from '../cpu/adam.js';
import { sgd as referenceSgd } from '../cpu/sgd.js';
import { gelu as referenceGelu, geluGrad as referenceGeluGrad } from '../cpu/gelu.js';
import {
  batchNorm as referenceBatchNorm,
  batchNormGrad as referenceBatchNormGrad,
  layerNorm as referenceLayerNorm,
  layerNormGrad as referenceLayerNormGrad,
} from '../cpu/norm.js';
import { type HeapCounters, ResidentCache, WasmHeap, sizeClass } from './heap.js';
import type { WasmBackend, WasmInfo } from './index.js';
import { type Walk, coalesce, descriptor, rowsOf } from './layout.js';
import { SealedResult, SealedScope } from './sealed.js';
import { type Kernels, instantiate, kernelsModule } from './module.js';
import { CONTROL_BYTES, type Chunk, type JobKernel, type LocalArgument, MAX_CHUNKS, ThreadPool } from './threads.js';

/** Where a view's first element is (byte address) and how to step through it. */
interface Operand {
  address: number;
  strides: readonly number[];
}

/** Bytes kept for the descriptors of one call (shape and strides, 32-bit integers). */
const DESCRIPTOR_BYTES = 4096;

/**
 * When to split a call over threads, by the size of its work: handing a share to a worker that
 * is awake (spinning after its last job) costs a few microseconds, so only work that takes a
 * single thread several times that is shared; waking a sleeping one costs the caller tens of
 * microseconds and the worker longer (see threads.ts), so while the workers sleep the bar is
 * higher. Measured on 2 cores: a matmul of 1 M multiply-adds gains from a second thread that is
 * awake, one of 4 M from one that must be woken first; an add of 256 K to 4 M elements, bound by
 * memory, never gained from waking one (1.0 vs 1.1–1.2 ms, 11.0–12.3 vs 12.1–13.1 ms).
 */
const PARALLEL_ELEMENTS = { awake: 1 << 16, asleep: 1 << 24 }; // elementwise, copies, sums: elements
const PARALLEL_MACS = { awake: 1 << 20, asleep: 1 << 22 }; //     matmul, conv2d: multiply-adds
/** The bits of the optimizer kernels' `mode` argument (assembly/adam.ts and sgd.ts name them alike). */
const ADAM_MODE = { first: 1, l2: 2, decoupled: 4 } as const;
const SGD_MODE = { first: 1, momentum: 2, nesterov: 4, decay: 8 } as const;
/** Chunks per thread of a shared convolution (see conv2d). */
const CONV_CHUNKS_PER_THREAD = 16;

export class WasmBackendImpl implements WasmBackend {
  readonly name = 'wasm' as const;
  private readonly memory: WebAssembly.Memory;
  private readonly kernels: Kernels;
  private readonly heap: WasmHeap;
  private readonly desc: number;
  private readonly cache: ResidentCache;
  private readonly pool: ThreadPool | null;
  /**
   * Ops make scalars (a learning rate, a momentum, 1 − p) as fresh host arrays on every call:
   * one block per value for the last few hundred values, so a loop copies each one in once.
   * (Map keys cannot tell 0 from −0, and NaN is no use as a key: those are not kept.)
   */
  private readonly scalars = new Map<number, number>();

  constructor(
    readonly threads: number,
    cacheBytes: number,
    private readonly splitAlways: boolean,
  ) {
    const shared = threads > 1;
    // A shared memory cannot move, so it is declared with its largest size (4 GiB, reserved, not used).
    this.memory = new WebAssembly.Memory(shared ? { initial: 16, maximum: 65536, shared: true } : { initial: 16 });
    const module = kernelsModule(shared);
    this.kernels = instantiate(this.memory, module);
    this.heap = new WasmHeap(this.memory, this.kernels.heapBase());
    this.desc = this.heap.alloc(DESCRIPTOR_BYTES, 'init');
    this.cache = new ResidentCache(this.heap, cacheBytes);
    this.pool = shared
      ? new ThreadPool(
          threads,
          module,
          this.memory,
          this.kernels,
          this.heap.alloc(CONTROL_BYTES, 'init'),
          this.heap.alloc(ThreadPool.JOB_BYTES, 'init'),
        )
      : null;
  }

  get mode(): string {
    return `128-bit SIMD, ${this.threads} thread${this.threads === 1 ? '' : 's'}`;
  }

  close(): void {
    this.pool?.close();
  }

  /** See Backend.forgetScope: results stay valid host arrays; only their cached copies go. */
  forgetScope<T>(fn: () => T, keep: (result: T) => Iterable<NDArray> = keepResult): T {
    if (typeof fn !== 'function') throw new SkipgradError('wasm forgetScope', 'fn', 'a function to run', describe(fn));
    return this.cache.forgetting(fn, (r) => [...keep(r)].flatMap((a) => hostArrayOf(a) ?? []));
  }

  /**
   * See Backend.sealedScope: forgetScope, with the results made inside kept in the memory only
   * (sealed.ts) — copied out at the end if `keep` names them, freed otherwise.
   */
  sealedScope<T>(fn: () => T, keep: (result: T) => Iterable<NDArray> = keepResult): T {
    if (typeof fn !== 'function') throw new SkipgradError('wasm sealedScope', 'fn', 'a function to run', describe(fn));
    if (typeof keep !== 'function')
      throw new SkipgradError('wasm sealedScope', 'keep', 'a function naming the arrays to keep', describe(keep));
    if (this.sealed || this.temporaries) return this.forgetScope(fn, keep); // inside one already: it settles
    const scope = new SealedScope(this.heap, this.cache.budgetBytes / 2);
    let kept: NDArray[] = [];
    return this.forgetScope(
      () => {
        this.sealed = scope;
        try {
          const result = fn();
          kept = [...keep(result)];
          return result;
        } finally {
          this.sealed = null;
          scope.end(new Set(kept.map((a) => a.source)), this.adopt);
        }
      },
      () => kept,
    );
  }

  /** See Backend.forget. */
  forget(arrays: Iterable<NDArray>): void {
    if (typeof (arrays as Iterable<NDArray> | null)?.[Symbol.iterator] !== 'function') {
      throw new SkipgradError('wasm forget', 'arrays', 'an iterable of NDArrays', describe(arrays));
    }
    for (const a of arrays) {
      const host = a instanceof NDArray ? hostArrayOf(a) : null;
      if (host) this.cache.forget(host);
    }
  }

  /** tidy() on this backend: the same as forgetScope — nothing it made becomes unreadable. */
  scope<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T {
    return this.forgetScope(fn, keep);
  }

  info(): WasmInfo {
    return {
      simd: true,
      threads: this.threads,
      memoryBytes: this.heap.memoryBytes,
      heapBytes: this.heap.heapBytes,
      cacheBytes: this.cache.budgetBytes,
      residentBytes: this.cache.residentBytes,
      residentArrays: this.cache.size,
    };
  }

  stats(): HeapCounters & { heapBytes: number; residentArrays: number; workerChunks: number } {
    return {
      ...this.heap.counters,
      heapBytes: this.heap.heapBytes,
      residentArrays: this.cache.size,
      workerChunks: this.pool?.workerChunks ?? 0,
    };
  }

  // ── moving values in and describing views ─────────────────────────────────────────────────

  /** The block holding a float32 array's storage: found in the cache, or copied in now. */
  private blockOf(a: NDArray): number {
    const temporary = this.temporaries?.get(a.source as Float32Array);
    if (temporary !== undefined) return temporary;
    if (a.source instanceof SealedResult && a.source.block >= 0) return a.source.block;
    const host = a.storage as Float32Array;
    const cached = this.cache.get(host);
    if (cached !== undefined) return cached;
    const scalar = host.length === 1 && !Number.isNaN(host[0]!) && !Object.is(host[0], -0) ? host[0]! : null;
    if (scalar !== null) {
      const known = this.scalars.get(scalar);
      if (known !== undefined) return known;
    }
    const address = this.heap.alloc(host.length * 4, 'upload');
    this.heap.copyIn(host, address);
    this.heap.counters.uploads++;
    this.heap.counters.uploadedValues += host.length;
    if (scalar !== null) {
      // The scalar blocks live beside the cache, a fixed few hundred of them.
      if (this.scalars.size >= 256) {
        const [oldest, block] = this.scalars.entries().next().value!;
        this.scalars.delete(oldest);
        this.heap.free(block);
      }
      this.scalars.set(scalar, address);
    } else {
      this.cache.add(host, address, false);
    }
    return address;
  }

  private operand(a: NDArray): Operand {
    return { address: this.blockOf(a) + a.offset * 4, strides: a.strides };
  }

  /** Writes a walk's descriptor into the descriptor block and returns its address. */
  private describe(op: string, walk: Walk): number {
    const d = descriptor(walk);
    if (d.length * 4 > DESCRIPTOR_BYTES)
      throw new SkipgradError(
        `wasm ${op}`,
        'rank',
        `at most ${Math.floor(DESCRIPTOR_BYTES / 4 / (1 + walk.strides.length))} axes after merging`,
        String(walk.shape.length),
      );
    this.heap.i32().set(d, this.desc / 4);
    return this.desc;
  }

  /** A fresh block for a result of `shape`. */
  private output(op: string, shape: readonly number[]): number {
    // A free block, else one recycled from the oldest cached results, else new memory: fresh
    // pages cost a page fault each on first touch.
    const size = sizeClass(sizeOf(shape) * 4);
    return this.heap.takeFree(size) ?? this.cache.recycle(size) ?? this.heap.alloc(sizeOf(shape) * 4, op, shape);
  }

  /**
   * The result computed in block `address`: copied out into its own Float32Array, the block
   * kept in the cache under it. Then the cache is trimmed to its budget — only here, once the
   * kernel has read its inputs, and not inside a call that other calls make (depth > 0).
   */
  private finish(address: number, shape: readonly number[]): NDArray {
    if (this.temporaries) {
      // Inside a composite (see `composite`): the result stays in the memory, under a key of its own.
      const key = new Float32Array(0);
      this.temporaries.set(key, address);
      return new NDArray(key, [...shape], contiguousStrides(shape));
    }
    if (this.sealed) {
      // Inside a sealed scope: the result stays in the memory (sealed.ts).
      const result = this.sealed.add(address, sizeOf(shape));
      if (this.depth === 0) {
        this.cache.trim();
        this.cache.endCall();
        this.sealed.spill(this.adopt);
      }
      return new NDArray(result, [...shape], contiguousStrides(shape));
    }
    const start = address / 4;
    const host = this.heap.copyOut(start, sizeOf(shape));
    this.heap.counters.downloads++;
    this.cache.add(host, address, true);
    if (this.depth === 0) {
      this.cache.trim();
      this.cache.endCall();
    }
    return new NDArray(host, [...shape], contiguousStrides(shape));
  }

  /** Takes a result's block into the cache under its host copy (a sealed result leaving its scope). */
  private readonly adopt = (host: Float32Array, block: number): void => this.cache.add(host, block, true);

  /** The open sealed scope (see sealedScope), or null. */
  private sealed: SealedScope | null = null;

  /** How many backend calls are running inside another one (e.g. a contiguous copy inside gather). */
  private depth = 0;

  /**
   * The blocks of the results made inside the running composite (by key: see finish), or null
   * outside one. Their arrays are placeholders that only this backend can read, and only
   * until the composite ends.
   */
  private temporaries: Map<Float32Array, number> | null = null;

  /**
   * Runs `fn`, a composition of this backend's own kernels, keeping every result it makes in the
   * memory: only the final one is copied out, and the blocks of the others are freed at once.
   * A convolution's gradients pass through columns of C·kh·kw × L per image (4.7 MB for
   * [8,16,32,32] 3×3) that nobody else reads; this way they are never copied out, and never
   * become host arrays for the garbage collector.
   */
  private composite(fn: () => NDArray): NDArray {
    if (this.temporaries) throw new Error('wasm: composites do not nest'); // an internal invariant
    const temporaries = new Map<Float32Array, number>();
    this.temporaries = temporaries;
    let result: NDArray;
    try {
      result = this.nested(fn);
    } catch (e) {
      for (const block of temporaries.values()) this.heap.free(block);
      throw e;
    } finally {
      this.temporaries = null;
    }
    const block = temporaries.get(result.source as Float32Array);
    if (block === undefined || !result.isContiguous() || result.offset !== 0)
      throw new Error('wasm: a composite returns one of its own contiguous results'); // an internal invariant
    for (const other of temporaries.values()) if (other !== block) this.heap.free(other);
    return this.finish(block, result.shape);
  }

  private nested<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** A float64 accumulator of `count` zeros, for one call (freed by the caller). */
  private zeroedF64(count: number, op: string): number {
    const address = this.heap.allocScratch(count * 8, op);
    this.heap.f64().fill(0, address / 8, address / 8 + count);
    return address;
  }

  // ── splitting over threads ────────────────────────────────────────────────────────────────

  /** True when a call of `work` units is worth sharing, given the threshold for its kind of work. */
  private shared(work: number, threshold: { awake: number; asleep: number }): boolean {
    if (this.pool === null || work <= 0) return false;
    return this.splitAlways || work >= (this.pool.asleep ? threshold.asleep : threshold.awake);
  }

  /**
   * Runs `kernel(...args, start, end)` over [0, total) — the kernels take element, row or image
   * ranges as their last two arguments — in one call, or, when `share`, as chunks (about four
   * per thread) that the threads claim.
   */
  private split(kernel: JobKernel, args: number[], total: number, share: boolean, local?: LocalArgument): void {
    this.heap.counters.launches++;
    if (!share) {
      (this.kernels[kernel] as (...a: number[]) => void)(...args, 0, total);
      return;
    }
    const count = Math.min(total, this.threads * 4, MAX_CHUNKS);
    const size = Math.ceil(total / count);
    const chunks: Chunk[] = [];
    for (let start = 0; start < total; start += size)
      chunks.push({ kernel, args: [...args, start, Math.min(total, start + size)] });
    this.pool!.run(chunks, local);
  }

  /** An elementwise kernel over `total` elements: shared when large. */
  private elementwise(kernel: JobKernel, args: number[], total: number): void {
    this.split(kernel, args, total, this.shared(total, PARALLEL_ELEMENTS));
  }

  /** True when any input is float64: such calls run on the reference kernels. */
  private static float64(...arrays: readonly NDArray[]): boolean {
    return arrays.some((a) => a.dtype === 'float64');
  }

  // ── the Backend interface ────────────────────────────────────────────────────────────────

  unary(op: UnaryOp, a: NDArray): NDArray {
    if (WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.unary(op, a);
    const x = this.operand(a);
    const out = this.output(op, a.shape);
    const walk = coalesce(a.shape, [contiguousStrides(a.shape), x.strides]);
    walk.strides.shift();
    this.elementwise(
      'unary',
      [UNARY_OPS.indexOf(op), out, x.address, walk.shape.length, this.describe(op, walk)],
      a.size,
    );
    return this.finish(out, a.shape);
  }

  binary(op: BinaryOp, a: NDArray, b: NDArray): NDArray {
    if (WasmBackendImpl.float64(a, b)) return cpuBackend.binary(op, a, b);
    const shape = broadcastShapes(op, a.shape, b.shape);
    if (sizeOf(shape) === 0) return cpuBackend.binary(op, a, b);
    const x = this.operand(a.expand(shape));
    const y = this.operand(b.expand(shape));
    const out = this.output(op, shape);
    const walk = coalesce(shape, [contiguousStrides(shape), x.strides, y.strides]);
    walk.strides.shift();
    this.elementwise(
      'binary',
      [BINARY_OPS.indexOf(op), out, x.address, y.address, walk.shape.length, this.describe(op, walk)],
      sizeOf(shape),
    );
    return this.finish(out, shape);
  }

  reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray {
    if (WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.reduce(op, a, axes, keepdim);
    const reduced = new Set(axes);
    const keptShape = a.shape.map((side, axis) => (reduced.has(axis) ? 1 : side));
    const slotStrides = contiguousStrides(keptShape).map((s, axis) => (reduced.has(axis) ? 0 : s));
    const shape = keepdim ? keptShape : a.shape.filter((_, axis) => !reduced.has(axis));
    const x = this.operand(a);
    const out = this.output(op, shape);
    // Walk the input in its memory order (largest stride first), so each row is a run of it.
    const order = a.shape.map((_, axis) => axis).sort((p, q) => x.strides[q]! - x.strides[p]!);
    const walk = coalesce(
      order.map((d) => a.shape[d]!),
      [order.map((d) => x.strides[d]!), order.map((d) => slotStrides[d]!)],
    );
    const desc = this.describe(op, walk);
    const slots = sizeOf(keptShape);
    if (op === 'sum') {
      // Each thread sums the chunks it claims into its own float64 slots; then they are added.
      const share = this.shared(a.size, PARALLEL_ELEMENTS);
      const accounts = share ? this.threads : 1;
      const stride = Math.ceil((slots * 8) / 64) * 64;
      const accs = this.zeroedF64((stride / 8) * accounts, op);
      this.split('sumInto', [accs, x.address, walk.shape.length, desc], a.size, share, { index: 0, stride });
      for (let t = 1; t < accounts; t++) this.kernels.addF64(accs, accs + t * stride, 0, slots);
      this.kernels.roundToF32(out, accs, 0, slots);
      this.heap.freeScratch(accs);
    } else {
      this.heap.counters.launches++;
      this.kernels.fill(out, -Infinity, 0, slots);
      this.kernels.maxInto(out, x.address, walk.shape.length, desc, 0, rowsOf(walk));
    }
    return this.finish(out, shape);
  }

  matmul(a: NDArray, b: NDArray): NDArray {
    return this.fusedMatmul(a, b, {});
  }

  /** matmul with its epilogue (scale, bias, ReLU) applied by the matmul kernel to each share it computes. */
  fusedMatmul(a: NDArray, b: NDArray, { scale = 1, bias = null, relu = false }: MatmulEpilogue): NDArray {
    if (WasmBackendImpl.float64(a, b)) return cpuBackend.fusedMatmul(a, b, { scale, bias, relu });
    const operands = matmulOperands(a, b);
    const { k, m } = operands;
    const shape = [...operands.batch, operands.n, m];
    if (sizeOf(shape) === 0) return cpuBackend.fusedMatmul(a, b, { scale, bias, relu });
    // One B for every matrix of the batch, and A's matrices stacked row after row (a Linear
    // layer on [N, T, d] tokens): one product of all the rows, [N·T, k] · [k, m] — the same
    // dot products, with B packed once instead of once per matrix.
    const stacked = stackedRows(operands.a, operands.b);
    const { n, batch, a: av, b: bv } = stacked ?? operands;
    const x = this.operand(av);
    const y = this.operand(bv);
    const biasAddress = bias ? this.operand(this.contiguous(bias)).address : 0;
    const out = this.output('matmul', shape);
    const [ars, acs] = x.strides.slice(-2) as [number, number];
    const [brs, bcs] = y.strides.slice(-2) as [number, number];
    // The kernel takes the scale as a float32, as a scalar array of the product's dtype holds it.
    const epilogue = [biasAddress, relu ? 1 : 0, scale];
    // A product large enough to share is shared by columns, one matrix at a time: A is packed
    // once per matrix, read by every thread, and each thread packs the columns of B it computes
    // (in chunks of whole 8-column panels) into its own scratch.
    if (this.shared(n * k * m, PARALLEL_MACS) && m > 8) {
      const panels = Math.ceil(m / 8);
      const columns = 8 * Math.ceil(panels / Math.min(panels, this.threads * 4, MAX_CHUNKS));
      const stride = Math.ceil((this.kernels.matmulScratch(columns) * 4) / 64) * 64;
      const scratch = this.heap.allocScratch(stride * this.threads, 'matmul');
      const packed = this.heap.allocScratch(this.kernels.packedASize(n, k) * 4, 'matmul');
      let index = 0;
      let packedOffset = -1; // A broadcast over the batch (stride 0) is packed once
      walkBatch(batch, x.strides, y.strides, (offsetA, offsetB) => {
        this.heap.counters.launches++;
        if (offsetA !== packedOffset) this.kernels.packAll(packed, x.address + offsetA * 4, ars, acs, n, k);
        packedOffset = offsetA;
        const args = [out + index * n * m * 4, packed, y.address + offsetB * 4, brs, bcs, n, k, m];
        const chunks: Chunk[] = [];
        for (let j0 = 0; j0 < m; j0 += columns)
          chunks.push({ kernel: 'matmul', args: [...args, j0, Math.min(m, j0 + columns) - j0, scratch, ...epilogue] });
        this.pool!.run(chunks, { index: 10, stride });
        index++;
      });
      this.heap.freeScratch(packed);
      this.heap.freeScratch(scratch);
      return this.finish(out, shape);
    }
    // Smaller products, however many, are one call: the kernel walks a table of each matrix's
    // offsets, and threads share a large batch by whole matrices (attention's per-head products).
    const count = sizeOf(batch);
    const offsets = this.heap.allocScratch(count * 8, 'matmul');
    const table = this.heap.i32();
    let at = offsets / 4;
    walkBatch(batch, x.strides, y.strides, (offsetA, offsetB) => {
      table[at++] = offsetA;
      table[at++] = offsetB;
    });
    const share = count > 1 && this.shared(count * n * k * m, PARALLEL_MACS);
    const stride = this.kernels.batchScratch(n, k, m);
    const scratch = this.heap.allocScratch(stride * (share ? this.threads : 1), 'matmul');
    const args = [out, x.address, ars, acs, y.address, brs, bcs, n, k, m, offsets, scratch, ...epilogue];
    this.split('matmulBatch', args, count, share, { index: 11, stride });
    this.heap.freeScratch(scratch);
    this.heap.freeScratch(offsets);
    return this.finish(out, shape);
  }

  /** Copies `src` into the same-shaped view of block `dst` at element `offset` with `strides`. */
  private copyInto(op: string, dst: number, offset: number, strides: readonly number[], src: NDArray): void {
    const from = this.operand(src);
    const walk = coalesce(src.shape, [strides, from.strides]);
    this.elementwise('copy', [dst + offset * 4, from.address, walk.shape.length, this.describe(op, walk)], src.size);
  }

  concat(arrays: readonly NDArray[], axis: number): NDArray {
    if (WasmBackendImpl.float64(...arrays)) return cpuBackend.concat(arrays, axis);
    const shape = [...arrays[0]!.shape];
    shape[axis] = arrays.reduce((total, a) => total + a.shape[axis]!, 0);
    if (sizeOf(shape) === 0) return cpuBackend.concat(arrays, axis);
    for (const piece of arrays) if (piece.size > 0) this.blockOf(piece); // in the memory (and marked used) before the output is placed
    const out = this.output('concat', shape);
    const strides = contiguousStrides(shape);
    let start = 0;
    for (const piece of arrays) {
      if (piece.size > 0) this.copyInto('concat', out, start * strides[axis]!, strides, piece);
      start += piece.shape[axis]!;
    }
    return this.finish(out, shape);
  }

  pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    if (WasmBackendImpl.float64(a)) return cpuBackend.pad(a, pads, value);
    const shape = a.shape.map((side, axis) => side + pads[axis]![0] + pads[axis]![1]);
    if (sizeOf(shape) === 0) return cpuBackend.pad(a, pads, value);
    if (a.size > 0) this.blockOf(a);
    const out = this.output('pad', shape);
    const strides = contiguousStrides(shape);
    this.kernels.fill(out, value, 0, sizeOf(shape));
    if (a.size > 0)
      this.copyInto(
        'pad',
        out,
        pads.reduce((at, [before], axis) => at + before * strides[axis]!, 0),
        strides,
        a,
      );
    return this.finish(out, shape);
  }

  copy(a: NDArray, dtype: DType = a.dtype): NDArray {
    if (dtype === 'float64' || WasmBackendImpl.float64(a) || a.size === 0) return cpuBackend.copy(a, dtype);
    this.blockOf(a);
    const out = this.output('copy', a.shape);
    this.copyInto('copy', out, 0, contiguousStrides(a.shape), a);
    return this.finish(out, a.shape);
  }

  /** `a` itself when contiguous, else a contiguous copy (inside another call: the cache waits for that call). */
  private contiguous(a: NDArray): NDArray {
    return a.isContiguous() ? a : this.nested(() => this.copy(a));
  }

  full(shape: readonly number[], value: number, dtype: DType): NDArray {
    if (dtype === 'float64' || sizeOf(shape) === 0) return cpuBackend.full(shape, value, dtype);
    const out = this.output('full', shape);
    this.heap.counters.launches++;
    this.kernels.fill(out, value, 0, sizeOf(shape));
    return this.finish(out, shape);
  }

  where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
    if (WasmBackendImpl.float64(cond, a, b)) return cpuBackend.where(cond, a, b);
    const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
    if (sizeOf(shape) === 0) return cpuBackend.where(cond, a, b);
    const [c, x, y] = [cond, a, b].map((t) => this.operand(t.expand(shape))) as [Operand, Operand, Operand];
    const out = this.output('where', shape);
    const walk = coalesce(shape, [contiguousStrides(shape), c.strides, x.strides, y.strides]);
    walk.strides.shift();
    this.elementwise(
      'where',
      [out, c.address, x.address, y.address, walk.shape.length, this.describe('where', walk)],
      sizeOf(shape),
    );
    return this.finish(out, shape);
  }

  /** The descriptor of gather / scatterAdd: the index's shape and the source's strides with 0 on the axis. */
  private indexWalk(
    op: string,
    shape: readonly number[],
    axis: number,
    index: NDArray,
  ): { desc: number; rank: number; rows: number; axisStride: number } {
    const strides = contiguousStrides(shape);
    const walk: Walk = { shape: [...index.shape], strides: [strides.map((s, d) => (d === axis ? 0 : s))] };
    return { desc: this.describe(op, walk), rank: index.rank, rows: rowsOf(walk), axisStride: strides[axis]! };
  }

  gather(a: NDArray, axis: number, index: NDArray): NDArray {
    if (WasmBackendImpl.float64(a, index) || index.size === 0 || a.rank === 0) return cpuBackend.gather(a, axis, index);
    const source = this.contiguous(a);
    const idx = this.contiguous(index);
    const [from, at] = [this.operand(source).address, this.operand(idx).address];
    const out = this.output('gather', index.shape);
    const w = this.indexWalk('gather', a.shape, axis, index);
    this.elementwise('gather', [out, from, at, w.rank, w.desc, w.axisStride], index.size);
    return this.finish(out, index.shape);
  }

  scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
    if (WasmBackendImpl.float64(index, src) || index.size === 0 || shape.length === 0)
      return cpuBackend.scatterAdd(shape, axis, index, src);
    const values = this.contiguous(src);
    const idx = this.contiguous(index);
    const [from, at] = [this.operand(values).address, this.operand(idx).address];
    const out = this.output('scatterAdd', shape);
    const acc = this.zeroedF64(sizeOf(shape), 'scatterAdd');
    const w = this.indexWalk('scatterAdd', shape, axis, index);
    this.heap.counters.launches++;
    this.kernels.scatterAddInto(acc, from, at, w.rank, w.desc, w.axisStride, w.rows);
    this.kernels.roundToF32(out, acc, 0, sizeOf(shape));
    this.heap.freeScratch(acc);
    return this.finish(out, shape);
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
    if (WasmBackendImpl.float64(x) || x.size === 0) return cpuBackend.unfold(x, window);
    const [N, C] = x.shape as [number, number];
    const [kh, kw] = window.kernel;
    const image = this.contiguous(x);
    const g = this.geometry(x.shape, window);
    const shape = [N, C * kh * kw, g.oh * g.ow];
    const from = this.operand(image).address;
    const out = this.output('unfold', shape);
    // Threads take whole column rows (one per image, channel and kernel offset).
    const rows = N * C * kh * kw;
    this.split('unfold', [out, from, g.address], rows, this.shared(sizeOf(shape), PARALLEL_ELEMENTS));
    return this.finish(out, shape);
  }

  fold(cols: NDArray, outputSize: readonly [number, number], window: Window2d): NDArray {
    if (WasmBackendImpl.float64(cols) || cols.size === 0) return cpuBackend.fold(cols, outputSize, window);
    const [N, rows] = cols.shape as [number, number];
    const C = rows / (window.kernel[0] * window.kernel[1]);
    const shape = [N, C, outputSize[0], outputSize[1]];
    const columns = this.contiguous(cols);
    const g = this.geometry(shape, window);
    const from = this.operand(columns).address;
    const out = this.output('fold', shape);
    const acc = this.zeroedF64(sizeOf(shape), 'fold');
    // Threads take whole images (one per sample and channel): no two add into the same pixel.
    this.split('foldInto', [acc, from, g.address], N * C, this.shared(cols.size, PARALLEL_ELEMENTS));
    this.kernels.roundToF32(out, acc, 0, sizeOf(shape));
    this.heap.freeScratch(acc);
    return this.finish(out, shape);
  }
  /**
   * Convolution without the columns (assembly/conv.ts): the filters are packed once, and each
   * thread reads its share of the windows straight from the image (packing only those that
   * cannot be read in place). Threads share the images and, within one, its output positions
   * in chunks of whole 8-column panels — about
   * CONV_CHUNKS_PER_THREAD chunks per thread: each copies only its band of input rows, and
   * small chunks keep two threads finishing together on a noisy machine (measured on 2 cores,
   * [8,16,32,32] 3×3: 1.64 ms with 4 chunks per thread, 1.34 with 16, medians of six runs each).
   */
  conv2d(x: NDArray, w: NDArray, window: Window2d): NDArray {
    if (WasmBackendImpl.float64(x, w) || x.size === 0 || w.size === 0) return cpuBackend.conv2d(x, w, window);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [O, , kh, kw] = w.shape as [number, number, number, number];
    const K = C * kh * kw;
    const image = this.contiguous(x);
    const filters = this.contiguous(w);
    const from = this.operand(image).address;
    const weights = this.operand(filters).address;
    const oh = windowOutputSize(H, kh, window.stride[0], window.padding[0], window.dilation[0]);
    const ow = windowOutputSize(W, kw, window.stride[1], window.padding[1], window.dilation[1]);
    const shape = [N, O, oh, ow];
    const L = oh * ow;
    const out = this.output('conv2d', shape);
    const g = this.geometry(x.shape, window);
    const packed = this.heap.allocScratch(this.kernels.packedASize(O, K) * 4, 'conv2d');
    this.kernels.packAll(packed, weights, K, 1, O, K);
    const share = this.shared(N * O * K * L, PARALLEL_MACS) && L > 8;
    const perImage = share
      ? Math.max(1, Math.min(Math.ceil(L / 8), Math.ceil((this.threads * CONV_CHUNKS_PER_THREAD) / N)))
      : 1;
    const columns = 8 * Math.ceil(Math.ceil(L / 8) / perImage);
    const stride = Math.ceil((this.kernels.conv2dScratch(g.address, columns) * 4) / 64) * 64;
    const scratch = this.heap.allocScratch(stride * (share ? this.threads : 1), 'conv2d');
    const chunks: Chunk[] = [];
    for (let n = 0; n < N; n++) {
      for (let j0 = 0; j0 < L; j0 += columns)
        chunks.push({
          kernel: 'conv2d',
          args: [out, packed, from, g.address, O, K, n, j0, Math.min(L, j0 + columns) - j0, scratch],
        });
    }
    this.heap.counters.launches++;
    if (share) {
      for (let at = 0; at < chunks.length; at += MAX_CHUNKS)
        this.pool!.run(chunks.slice(at, at + MAX_CHUNKS), { index: 9, stride });
    } else {
      for (const chunk of chunks) this.kernels.conv2d(...(chunk.args as Parameters<Kernels['conv2d']>));
    }
    this.heap.freeScratch(scratch);
    this.heap.freeScratch(packed);
    return this.finish(out, shape);
  }

  /** See Backend.conv2dInputGrad: fold(Wᵀ·dy), the columns kept in the memory. */
  conv2dInputGrad(dy: NDArray, w: NDArray, imageSize: readonly [number, number], window: Window2d): NDArray {
    if (WasmBackendImpl.float64(dy, w) || dy.size === 0 || w.size === 0)
      return conv2dInputGradByColumns(cpuBackend, dy, w, imageSize, window);
    return this.composite(() => conv2dInputGradByColumns(this, dy, w, imageSize, window));
  }

  /** See Backend.conv2dWeightGrad: Σₙ dy[n]·unfold(x)[n]ᵀ, the columns and the per-image products kept in the memory. */
  conv2dWeightGrad(dy: NDArray, x: NDArray, window: Window2d): NDArray {
    if (WasmBackendImpl.float64(dy, x) || dy.size === 0 || x.size === 0)
      return conv2dWeightGradByColumns(cpuBackend, dy, x, window);
    return this.composite(() => conv2dWeightGradByColumns(this, dy, x, window));
  }

  /** See Backend.softmax: a row at a time (assembly/softmax.ts), the rows shared when many. */
  softmax(x: NDArray, axis: number): NDArray {
    if (WasmBackendImpl.float64(x) || x.size === 0) return referenceSoftmax(x, axis);
    const { outer, length, inner } = rowsAlong(x.shape, axis);
    const a = this.operand(this.contiguous(x)).address;
    const out = this.output('softmax', x.shape);
    this.split('softmaxRows', [out, a, length, inner], outer * inner, this.shared(x.size, PARALLEL_ELEMENTS));
    return this.finish(out, x.shape);
  }

  /** See Backend.softmaxGrad: a row at a time (assembly/softmax.ts). */
  softmaxGrad(dy: NDArray, y: NDArray, axis: number): NDArray {
    if (WasmBackendImpl.float64(dy, y) || y.size === 0) return referenceSoftmaxGrad(dy, y, axis);
    const { outer, length, inner } = rowsAlong(y.shape, axis);
    const [g, s] = [dy, y].map((t) => this.operand(this.contiguous(t)).address) as [number, number];
    const out = this.output('softmaxGrad', y.shape);
    this.split('softmaxGradRows', [out, g, s, length, inner], outer * inner, this.shared(y.size, PARALLEL_ELEMENTS));
    return this.finish(out, y.shape);
  }

  /** See Backend.gelu: in lanes (assembly/gelu.ts). */
  gelu(x: NDArray): NDArray {
    if (WasmBackendImpl.float64(x) || x.size === 0) return referenceGelu(x);
    const a = this.operand(this.contiguous(x)).address;
    const out = this.output('gelu', x.shape);
    this.elementwise('gelu', [out, a], x.size);
    return this.finish(out, x.shape);
  }

  /** See Backend.geluGrad: in lanes (assembly/gelu.ts). */
  geluGrad(dy: NDArray, x: NDArray): NDArray {
    if (WasmBackendImpl.float64(dy, x) || x.size === 0) return referenceGeluGrad(dy, x);
    const [g, a] = [dy, x].map((t) => this.operand(this.contiguous(t)).address) as [number, number];
    const out = this.output('geluGrad', x.shape);
    this.elementwise('geluGrad', [out, g, a], x.size);
    return this.finish(out, x.shape);
  }

  /** See Backend.adam: one pass over the coordinates (assembly/adam.ts), shared when large. */
  adam(p: NDArray, g: NDArray, m: NDArray | null, v: NDArray | null, o: AdamScalars): AdamResult {
    if (WasmBackendImpl.float64(p, g, ...present(m, v)) || p.size === 0) return referenceAdam(p, g, m, v, o);
    const [ps, gs, ms, vs] = this.addressesOf(p, g, m, v);
    const decays = o.weightDecay !== 0;
    const mode =
      (m === null ? ADAM_MODE.first : 0) |
      (decays && !o.decoupled ? ADAM_MODE.l2 : 0) |
      (decays && o.decoupled ? ADAM_MODE.decoupled : 0);
    const decay = o.decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay;
    // Each number as the composite makes it, rounded to float32 by the kernel's f32 parameters.
    const scalars = [o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.correction1, o.correction2, o.eps, o.lr];
    return this.results('adam', { p: p.shape, m: p.shape, v: p.shape }, (out) =>
      this.elementwise('adam', [out.p, out.m, out.v, ps!, gs!, ms!, vs!, mode, decay, ...scalars], p.size),
    );
  }

  /** See Backend.sgd: one pass over the coordinates (assembly/sgd.ts), shared when large. */
  sgd(p: NDArray, g: NDArray, buf: NDArray | null, o: SGDScalars): SGDResult {
    if (WasmBackendImpl.float64(p, g, ...present(buf)) || p.size === 0) return referenceSgd(p, g, buf, o);
    const momentum = o.momentum !== 0;
    const [ps, gs, bs] = this.addressesOf(p, g, momentum ? buf : null);
    const mode =
      (momentum && buf === null ? SGD_MODE.first : 0) |
      (momentum ? SGD_MODE.momentum : 0) |
      (o.nesterov ? SGD_MODE.nesterov : 0) |
      (o.weightDecay !== 0 ? SGD_MODE.decay : 0);
    const args = (outP: number, outB: number): number[] => [
      outP,
      outB,
      ps!,
      gs!,
      bs!,
      mode,
      o.weightDecay,
      o.momentum,
      1 - o.dampening,
      o.lr,
    ];
    if (!momentum) {
      const { p: value } = this.results('sgd', { p: p.shape }, (out) =>
        this.elementwise('sgd', args(out.p, 0), p.size),
      );
      return { p: value, buf: null };
    }
    return this.results('sgd', { p: p.shape, buf: p.shape }, (out) =>
      this.elementwise('sgd', args(out.p, out.buf), p.size),
    );
  }

  /** See Backend.layerNorm: one pass over each row (assembly/norm.ts), the rows shared when many. */
  layerNorm(x: NDArray, n: number, eps: number, weight: NDArray | null, bias: NDArray | null): NormResult {
    if (WasmBackendImpl.float64(x, ...present(weight, bias)) || x.size === 0)
      return referenceLayerNorm(x, n, eps, weight, bias);
    const rows = x.size / n;
    const [xs, w, b] = this.addressesOf(x, weight, bias);
    return this.results('layerNorm', { y: x.shape, mean: [rows], rstd: [rows] }, (out) =>
      this.split(
        'layerNormRows',
        [out.y, out.mean, out.rstd, xs!, w!, b!, n, eps],
        rows,
        this.shared(x.size, PARALLEL_ELEMENTS),
      ),
    );
  }

  /** See Backend.layerNormGrad: dx by rows, dweight and dbias by columns (each summed over the rows in order). */
  layerNormGrad(dy: NDArray, x: NDArray, stats: NormStats, weight: NDArray | null, n: number): NormGrads {
    if (WasmBackendImpl.float64(dy, x, stats.mean, stats.rstd, ...present(weight)) || x.size === 0)
      return referenceLayerNormGrad(dy, x, stats, weight, n);
    const rows = x.size / n;
    const inputs = this.addressesOf(dy, x, stats.mean, stats.rstd, weight);
    const share = this.shared(x.size, PARALLEL_ELEMENTS);
    return this.results('layerNormGrad', { dx: x.shape, dweight: [n], dbias: [n] }, (out) => {
      this.split('layerNormGradRows', [out.dx, ...inputs, n], rows, share);
      this.split('layerNormParamGrads', [out.dweight, out.dbias, ...inputs.slice(0, 4), rows, n], n, share);
    });
  }

  /** See Backend.batchNorm: a channel at a time (assembly/norm.ts), the channels shared when large. */
  batchNorm(x: NDArray, eps: number, weight: NDArray | null, bias: NDArray | null): BatchNormResult {
    if (WasmBackendImpl.float64(x, ...present(weight, bias)) || x.size === 0)
      return referenceBatchNorm(x, eps, weight, bias);
    const [N, C] = x.shape as [number, number];
    const inputs = this.addressesOf(x, weight, bias);
    return this.results('batchNorm', { y: x.shape, mean: [C], rstd: [C], variance: [C] }, (out) =>
      this.split(
        'batchNormChannels',
        [out.y, out.mean, out.rstd, out.variance, ...inputs, N, C, x.size / (N * C), eps],
        C,
        this.shared(x.size, PARALLEL_ELEMENTS),
      ),
    );
  }

  /** See Backend.batchNormGrad: a channel at a time, its dx, dweight and dbias together. */
  batchNormGrad(dy: NDArray, x: NDArray, stats: NormStats, weight: NDArray | null): NormGrads {
    if (WasmBackendImpl.float64(dy, x, stats.mean, stats.rstd, ...present(weight)) || x.size === 0)
      return referenceBatchNormGrad(dy, x, stats, weight);
    const [N, C] = x.shape as [number, number];
    const inputs = this.addressesOf(dy, x, stats.mean, stats.rstd, weight);
    return this.results('batchNormGrad', { dx: x.shape, dweight: [C], dbias: [C] }, (out) =>
      this.split(
        'batchNormGradChannels',
        [out.dx, out.dweight, out.dbias, ...inputs, N, C, x.size / (N * C)],
        C,
        this.shared(x.size, PARALLEL_ELEMENTS),
      ),
    );
  }

  /** The addresses of contiguous copies of `arrays` in the memory (0 for a null: an absent weight or bias). */
  private addressesOf(...arrays: (NDArray | null)[]): number[] {
    return arrays.map((a) => (a ? this.operand(this.contiguous(a)).address : 0));
  }

  /**
   * A call with several results: a block for each of `shapes`, `run(blocks)` computes them, and
   * each is copied out (finish) — the first, the large one, last, so that the cache is trimmed
   * once, after all of them.
   */
  private results<K extends string>(
    op: string,
    shapes: Record<K, readonly number[]>,
    run: (blocks: Record<K, number>) => void,
  ): Record<K, NDArray> {
    const keys = Object.keys(shapes) as K[];
    const blocks = {} as Record<K, number>;
    for (const key of keys) blocks[key] = this.output(op, shapes[key]);
    run(blocks);
    const out = {} as Record<K, NDArray>;
    for (const key of keys.slice(1)) out[key] = this.nested(() => this.finish(blocks[key], shapes[key]));
    out[keys[0]!] = this.finish(blocks[keys[0]!], shapes[keys[0]!]);
    return out;
  }
}

/** The arrays that are there (an optional weight and bias). */
function present(...arrays: (NDArray | null)[]): NDArray[] {
  return arrays.filter((a): a is NDArray => a !== null);
}

/**
 * A batched product as one matrix product, when B is the same matrix for the whole batch
 * (stride 0 along every batch axis) and A's batch and row axes step through memory as one
 * axis of rows (each batch axis steps past all the rows inside it): then A is
 * [batch · n, k] with A's own row stride, and the contiguous result [..., n, m] is that
 * product's [batch · n, m]. Null otherwise.
 */
function stackedRows(a: NDArray, b: NDArray): { n: number; batch: number[]; a: NDArray; b: NDArray } | null {
  const batchRank = a.rank - 2;
  if (batchRank === 0 || !b.strides.slice(0, batchRank).every((s) => s === 0)) return null;
  let step = a.strides[batchRank]! * a.shape[batchRank]!; // past one matrix's rows
  for (let axis = batchRank - 1; axis >= 0; axis--) {
    if (a.shape[axis] === 1) continue; // a side of 1 never steps
    if (a.strides[axis] !== step) return null;
    step *= a.shape[axis]!;
  }
  const rows = a.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const [k, m] = [a.shape[a.rank - 1]!, b.shape[b.rank - 1]!];
  const matrixA = new NDArray(a.source, [rows, k], [a.strides[batchRank]!, a.strides[batchRank + 1]!], a.offset);
  const matrixB = new NDArray(b.source, [k, m], b.strides.slice(-2), b.offset);
  return { n: rows, batch: [], a: matrixA, b: matrixB };
}

/** Calls `visit(offsetA, offsetB)` for every batch index, with the element offsets of each operand's matrix. */
function walkBatch(
  batch: readonly number[],
  stridesA: readonly number[],
  stridesB: readonly number[],
  visit: (a: number, b: number) => void,
): void {
  walkPair(batch, stridesA.slice(0, batch.length), 0, stridesB.slice(0, batch.length), 0, visit); // the batch axes lead
}

/** The host array holding `a`'s values, if there is one: its own, or a sealed result's copy. */
function hostArrayOf(a: NDArray): Float32Array | null {
  if (a.source instanceof Float32Array) return a.source;
  return a.source instanceof SealedResult ? a.source.copied : null;
}
