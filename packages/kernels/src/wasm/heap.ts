/**
 * The wasm backend's memory: one WebAssembly.Memory, a heap allocator over it, and the device
 * storage that results live in.
 *
 * Allocation. Blocks are rounded up to a size class (multiples of 64 bytes up to 4 KiB, then
 * four classes per power of two: at most 25% slack) and freed blocks wait on a free list per
 * class, so a training loop, which asks for the same sizes every step, reuses the same blocks
 * and the heap stops growing after the first step. New blocks come from the top of the heap;
 * the memory grows (in 64 KiB pages) when the top passes its end.
 *
 * Views. Growing a non-shared Memory detaches its old ArrayBuffer, so no typed array over the
 * memory is kept across calls: `f32()` and friends make a fresh view when the buffer changed.
 *
 * Storage. A result is a WasmStorage: an address and a length. Its values come to the host only
 * when host code reads them (download, once, cached). `release()` frees it at once (dispose,
 * tidy); otherwise a FinalizationRegistry frees it when the last array viewing it is collected.
 */
import { type DeviceStorage, SkipgradError, formatShape } from '@skipgrad/tensor';
import { ResultScopes } from '../scopes.js';

const PAGE = 65536;
/** WebAssembly's 32-bit memories end at 4 GiB (65,536 pages). */
export const MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** The size class a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  const b = Math.max(64, bytes);
  if (b <= 4096) return Math.ceil(b / 64) * 64;
  const quarter = 2 ** (Math.floor(Math.log2(b - 1)) - 2);
  return Math.ceil(b / quarter) * quarter;
}

export interface HeapCounters {
  /** Host arrays copied into the memory. */
  uploads: number;
  /** Values in those arrays. */
  uploadedValues: number;
  /** Results read back to the host. */
  downloads: number;
  /** Kernel calls. */
  launches: number;
  /** Results allocated and not yet freed. */
  live: number;
}

export class WasmHeap {
  readonly counters: HeapCounters = { uploads: 0, uploadedValues: 0, downloads: 0, launches: 0, live: 0 };
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly blockSize = new Map<number, number>();
  private readonly registry = new FinalizationRegistry<number>((address) => { this.counters.live--; this.free(address); });
  readonly scopes = new ResultScopes<WasmStorage>();
  private buffer: ArrayBuffer | SharedArrayBuffer | null = null;
  private views: { f32: Float32Array; f64: Float64Array; i32: Int32Array } | null = null;

  constructor(readonly memory: WebAssembly.Memory, heapBase: number) {
    this.top = Math.ceil(heapBase / 64) * 64;
  }

  /** Bytes from the heap's start to its top: what the heap has ever needed at once, roughly. */
  get heapBytes(): number { return this.top; }
  get memoryBytes(): number { return this.memory.buffer.byteLength; }

  private view(): { f32: Float32Array; f64: Float64Array; i32: Int32Array } {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer || !this.views || this.views.f32.length * 4 !== buffer.byteLength) {
      this.buffer = buffer;
      this.views = { f32: new Float32Array(buffer), f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
    }
    return this.views;
  }

  f32(): Float32Array { return this.view().f32; }
  f64(): Float64Array { return this.view().f64; }
  i32(): Int32Array { return this.view().i32; }

  /**
   * A block of at least `bytes` bytes, 64-byte aligned. `op` and `shape` name the request in
   * the error when the memory cannot hold it.
   */
  alloc(bytes: number, op: string, shape?: readonly number[]): number {
    const size = sizeClass(bytes);
    const reused = this.freeLists.get(size)?.pop();
    if (reused !== undefined) { this.blockSize.set(reused, size); return reused; }
    const address = this.top;
    const end = address + size;
    if (end > this.memory.buffer.byteLength) this.grow(end, op, bytes, shape);
    this.top = end;
    this.blockSize.set(address, size);
    return address;
  }

  private grow(end: number, op: string, bytes: number, shape?: readonly number[]): void {
    const what = shape ? `${formatShape(shape)} (${bytes.toLocaleString('en-US')} bytes)` : `${bytes.toLocaleString('en-US')} bytes`;
    const expected = `an array that fits WebAssembly's 4 GiB memory (in use: ${this.top.toLocaleString('en-US')} bytes)`;
    if (end > MAX_BYTES) throw new SkipgradError(`wasm ${op}`, 'size', expected, what);
    // Grow by at least an eighth of the memory, so a growing heap does not grow on every call.
    const current = this.memory.buffer.byteLength;
    const pages = Math.max(Math.ceil((end - current) / PAGE), Math.ceil(current / PAGE / 8));
    try {
      this.memory.grow(Math.min(pages, MAX_BYTES / PAGE - current / PAGE));
    } catch {
      try { this.memory.grow(Math.ceil((end - current) / PAGE)); } catch {
        throw new SkipgradError(`wasm ${op}`, 'size', expected, what, 'the engine refused to grow the memory');
      }
    }
  }

  /** Returns a block to its free list. */
  free(address: number): void {
    const size = this.blockSize.get(address);
    if (size === undefined) return;
    this.blockSize.delete(address);
    let list = this.freeLists.get(size);
    if (!list) { list = []; this.freeLists.set(size, list); }
    list.push(address);
  }

  /** A new result of `length` float32 values, tracked (live count, scopes, finalization). */
  result(length: number, op: string, shape?: readonly number[]): WasmStorage {
    const storage = new WasmStorage(this.alloc(length * 4, op, shape), length, this);
    this.counters.live++;
    this.registry.register(storage, storage.address, storage);
    this.scopes.add(storage);
    return storage;
  }

  /** Frees a result now (WasmStorage.release). */
  releaseResult(storage: WasmStorage): void {
    this.registry.unregister(storage);
    this.counters.live--;
    this.free(storage.address);
  }
}

/** float32 values in the wasm heap: the device storage of the wasm backend's results. */
export class WasmStorage implements DeviceStorage {
  readonly dtype = 'float32' as const;
  readonly owner = 'wasm';
  private host: Float32Array | null = null;
  private freed = false;

  constructor(private readonly at: number, readonly length: number, private readonly heap: WasmHeap) {}

  /** The byte address of the first value; an error once released. */
  get address(): number {
    if (this.freed) throw new SkipgradError('wasm', 'tensor', 'a tensor that is still alive', 'a disposed tensor (its memory was released)');
    return this.at;
  }

  get released(): boolean { return this.freed; }

  /** A host copy of the values (made once: results never change). */
  download(): Float32Array {
    if (!this.host) {
      const start = this.address / 4;
      this.host = this.heap.f32().slice(start, start + this.length);
      this.heap.counters.downloads++;
    }
    return this.host;
  }

  async downloadAsync(): Promise<Float32Array> {
    return this.download();
  }

  /** Frees the memory now; reading afterwards is an error. Idempotent. */
  release(): void {
    if (this.freed) return;
    this.heap.releaseResult(this);
    this.freed = true;
    this.host = null;
  }
}
