/**
 * The wasm backend's memory: one WebAssembly.Memory, a heap allocator over it, and a cache of
 * the arrays that are in it.
 *
 * Where values live. A result of the wasm backend is an ordinary Float32Array on the JavaScript
 * heap, like a result of the reference backend: the kernel writes it into the wasm memory and it
 * is copied out once (a memcpy, ~20 GB/s). The wasm memory is a cache in front of those arrays:
 * the block a result was computed in stays, remembered under its host array, so the next kernel
 * that reads it — the next op of a chain — finds it there and copies nothing in. Host arrays from
 * elsewhere (a data set, the first values of a weight) are copied in once on first use.
 *
 * Why not keep results only in the wasm memory: the garbage collector cannot free a block of
 * someone else's memory, and a FinalizationRegistry only runs between tasks — a synchronous
 * training loop never yields, so its dead results would pile up (900 MB after 200 steps of a
 * small MLP, measured). With the host array as the truth, every block is a cache entry that can
 * be evicted at any time: the memory stays within its budget, whatever the user's code keeps or
 * drops, with no dispose or tidy needed. The one exception is a backward pass through the
 * engine's own ops, which promises that nothing outside it reads its intermediate results:
 * those stay in the memory only and are freed when it ends (sealed.ts).
 *
 * Allocation. Blocks are rounded up to a size class (multiples of 64 bytes up to 4 KiB, then
 * four classes per power of two: at most 25% slack) and freed blocks wait on a free list per
 * class, so a training loop, which asks for the same sizes every step, reuses the same blocks.
 * New blocks come from the top of the heap; the memory grows (in 64 KiB pages) when the top
 * passes its end. Growing a non-shared Memory detaches its old ArrayBuffer, so no view over the
 * memory is kept across calls: `f32()` and friends make a fresh view when the buffer changed.
 *
 * Scratch. A kernel's working blocks (matmul's packed panels, a sum's float64 accounts) live
 * only during its call. They are freed onto lists of their own, which results never take, so
 * the next call of the same shape packs into the same block — warm in the CPU's caches, its
 * pages long touched. (Shared with results, each freed scratch block became the next result
 * and every call packed into fresh pages: ~30 µs of page faults per 64 KiB, measured — a sixth
 * of a 128 × 128 matmul.) At most SCRATCH_KEPT_BYTES wait on those lists; beyond that a freed
 * scratch block goes back to the common lists.
 */
import { SkipgradError, formatShape } from '@skipgrad/tensor';

const PAGE = 65536;

/**
 * Large copies into and out of a shared memory go through Node's Buffer.copy. V8 moves the
 * bytes of a SharedArrayBuffer (the threaded backend's memory) word by word, with relaxed
 * atomics (base::Relaxed_Memcpy), in `slice` and `set`; Buffer.copy is a plain memmove, and
 * `allocUnsafeSlow` does not zero what it allocates. Measured on 2 cores, alternated, the
 * result of a 1M-element add read out of a shared memory: 0.70–0.73 ms against 0.86–0.90 with
 * `slice`; a broadcast add 0.53–0.78 against 0.62–0.92; a fresh 4 MB input copied in,
 * 1.04–1.45 against 1.22–1.50.
 * Below 1 MiB the two are level, and over a non-shared memory `slice` is as fast or faster.
 * (A browser has no Buffer: there, a cross-origin-isolated page's shared memory keeps `slice`.)
 */
interface NodeBuffer extends Uint8Array {
  copy(target: Uint8Array): number;
}
const nodeBuffer =
  (
    globalThis as {
      Buffer?: {
        allocUnsafeSlow(bytes: number): NodeBuffer;
        from(b: ArrayBufferLike, at: number, bytes: number): NodeBuffer;
      };
    }
  ).Buffer ?? null;
/** The fewest floats copied with Buffer.copy (1 MiB). */
const BULK_FLOATS = 1 << 18;
/** WebAssembly's 32-bit memories end at 4 GiB (65,536 pages). */
export const MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** The size class a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  const b = Math.max(64, bytes);
  if (b <= 4096) return Math.ceil(b / 64) * 64;
  const quarter = 2 ** (Math.floor(Math.log2(b - 1)) - 2);
  return Math.ceil(b / quarter) * quarter;
}

/** The most bytes of free scratch blocks kept for scratch alone (see Scratch above). */
const SCRATCH_KEPT_BYTES = 32 * 1024 * 1024;

export interface HeapCounters {
  /** Host arrays copied into the memory (the ones not found in the cache). */
  uploads: number;
  /** Values in those arrays. */
  uploadedValues: number;
  /** Results copied out to their host arrays. */
  downloads: number;
  /** Kernel calls. */
  launches: number;
}

export class WasmHeap {
  readonly counters: HeapCounters = { uploads: 0, uploadedValues: 0, downloads: 0, launches: 0 };
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly scratchLists = new Map<number, number[]>();
  private scratchKept = 0;
  /**
   * The size of the block at each 64-byte slot of the heap (0 when none starts there). A typed
   * array, not a Map: V8's Map degrades to tens of microseconds per operation when the same
   * keys are deleted and set again and again in a large one — what an allocator does.
   */
  private blockSize = new Float64Array(1024);
  private buffer: ArrayBuffer | SharedArrayBuffer | null = null;
  private views: { f32: Float32Array; f64: Float64Array; i32: Int32Array } | null = null;
  /** A shared memory, where Node's Buffer exists: large copies go through Buffer.copy. */
  private readonly sharedInNode: boolean;

  constructor(
    readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.top = Math.ceil(heapBase / 64) * 64;
    // A page that is not cross-origin isolated has no SharedArrayBuffer global at all.
    this.sharedInNode =
      nodeBuffer !== null && typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  }

  /** Bytes from the memory's start to the heap's top: the most the heap has needed at once. */
  get heapBytes(): number {
    return this.top;
  }
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  private view(): { f32: Float32Array; f64: Float64Array; i32: Int32Array } {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer || !this.views || this.views.f32.length * 4 !== buffer.byteLength) {
      this.buffer = buffer;
      this.views = { f32: new Float32Array(buffer), f64: new Float64Array(buffer), i32: new Int32Array(buffer) };
    }
    return this.views;
  }

  f32(): Float32Array {
    return this.view().f32;
  }
  f64(): Float64Array {
    return this.view().f64;
  }
  i32(): Int32Array {
    return this.view().i32;
  }

  /** `count` floats from element `start` of the memory, copied out into a Float32Array of their own. */
  copyOut(start: number, count: number): Float32Array {
    if (this.bulkCopies(count)) {
      const out = nodeBuffer!.allocUnsafeSlow(count * 4); // every byte is written below
      nodeBuffer!.from(this.memory.buffer, start * 4, count * 4).copy(out);
      return new Float32Array(out.buffer, out.byteOffset, count);
    }
    return this.f32().slice(start, start + count);
  }

  /** Copies `host` into the memory at byte `address`. */
  copyIn(host: Float32Array, address: number): void {
    if (this.bulkCopies(host.length)) {
      const to = nodeBuffer!.from(this.memory.buffer, address, host.byteLength);
      nodeBuffer!.from(host.buffer, host.byteOffset, host.byteLength).copy(to);
    } else {
      this.f32().set(host, address / 4);
    }
  }

  /** True when `count` floats are moved with Buffer.copy (see BULK_FLOATS). */
  private bulkCopies(count: number): boolean {
    return this.sharedInNode && count >= BULK_FLOATS;
  }

  /**
   * A block of at least `bytes` bytes, 64-byte aligned. `op` and `shape` name the request in
   * the error when the memory cannot hold it.
   */
  alloc(bytes: number, op: string, shape?: readonly number[]): number {
    const size = sizeClass(bytes);
    const reused = this.takeFree(size);
    if (reused !== undefined) return reused;
    const address = this.top;
    const end = address + size;
    if (end > this.memory.buffer.byteLength) this.grow(end, op, bytes, shape);
    this.top = end;
    if (address / 64 >= this.blockSize.length) {
      const larger = new Float64Array(Math.max(this.blockSize.length * 2, end / 64 + 1));
      larger.set(this.blockSize);
      this.blockSize = larger;
    }
    this.blockSize[address / 64] = size;
    return address;
  }

  private grow(end: number, op: string, bytes: number, shape?: readonly number[]): void {
    const what = shape
      ? `${formatShape(shape)} (${bytes.toLocaleString('en-US')} bytes)`
      : `${bytes.toLocaleString('en-US')} bytes`;
    const expected = `an array that fits WebAssembly's 4 GiB memory (in use: ${this.top.toLocaleString('en-US')} bytes)`;
    if (end > MAX_BYTES) throw new SkipgradError(`wasm ${op}`, 'size', expected, what);
    // Grow by at least an eighth of the memory, so a growing heap does not grow on every call.
    const current = this.memory.buffer.byteLength;
    const pages = Math.max(Math.ceil((end - current) / PAGE), Math.ceil(current / PAGE / 8));
    try {
      this.memory.grow(Math.min(pages, MAX_BYTES / PAGE - current / PAGE));
    } catch {
      try {
        this.memory.grow(Math.ceil((end - current) / PAGE));
      } catch {
        throw new SkipgradError(`wasm ${op}`, 'size', expected, what, 'the engine refused to grow the memory');
      }
    }
  }

  /** A free block of exactly `size` bytes (a size class), if one waits on its list. */
  takeFree(size: number): number | undefined {
    const block = this.freeLists.get(size)?.pop();
    if (block !== undefined) this.blockSize[block / 64] = size;
    return block;
  }

  /** Returns a block to its free list. */
  free(address: number): void {
    const size = this.blockSize[address / 64] ?? 0;
    if (size === 0) return;
    this.blockSize[address / 64] = 0;
    listOf(this.freeLists, size).push(address);
  }

  /** A block for one call's working data: a freed scratch block of its size class if one waits. */
  allocScratch(bytes: number, op: string): number {
    const size = sizeClass(bytes);
    const block = this.scratchLists.get(size)?.pop();
    if (block === undefined) return this.alloc(bytes, op);
    this.scratchKept -= size;
    this.blockSize[block / 64] = size;
    return block;
  }

  /** Frees a block from allocScratch onto the scratch lists (the common ones once they are full). */
  freeScratch(address: number): void {
    const size = this.blockSize[address / 64] ?? 0;
    if (size === 0) return;
    if (this.scratchKept + size > SCRATCH_KEPT_BYTES) return this.free(address);
    this.blockSize[address / 64] = 0;
    this.scratchKept += size;
    listOf(this.scratchLists, size).push(address);
  }

  /** The bytes of the block at `address`. */
  sizeOf(address: number): number {
    return this.blockSize[address / 64] ?? 0;
  }
}

function listOf(lists: Map<number, number[]>, size: number): number[] {
  let list = lists.get(size);
  if (!list) {
    list = [];
    lists.set(size, list);
  }
  return list;
}

/**
 * Which host arrays have a copy in the memory, least recently used first. The cache holds no
 * reference to the host arrays themselves (a WeakMap finds an array's entry), so it never keeps
 * one alive; the block of an array that has died stays until its entry is the oldest, then goes.
 * The order is a doubly linked list: marking an entry used and evicting the oldest are O(1).
 */
interface Entry {
  address: number;
  bytes: number;
  /** A result computed here (true), or a host array from elsewhere copied in (false). */
  result: boolean;
  older: Entry | null;
  newer: Entry | null;
  evicted: boolean;
  lastCall: number;
}

export class ResidentCache {
  private readonly entries = new WeakMap<Float32Array, Entry>();
  private oldest: Entry | null = null;
  private newest: Entry | null = null;
  private count = 0;
  private bytes = 0;
  /** The host arrays added while each open scope runs (see `forgetting`). */
  private readonly scopes: Set<Float32Array>[] = [];

  constructor(
    private readonly heap: WasmHeap,
    readonly budgetBytes: number,
  ) {}

  /** Entries, and the bytes of their blocks. */
  get size(): number {
    return this.count;
  }
  get residentBytes(): number {
    return this.bytes;
  }

  /** The block holding `host`, marked as just used; undefined when it is not in memory. */
  get(host: Float32Array): number | undefined {
    const entry = this.entries.get(host);
    if (!entry || entry.evicted) return undefined;
    if (entry !== this.newest) {
      this.unlink(entry);
      this.link(entry);
    }
    entry.lastCall = this.call;
    return entry.address;
  }

  /** The number of the backend call running now: entries used in it are never recycled during it. */
  private call = 0;

  /** A backend call has ended (the outermost one, not one made inside another). */
  endCall(): void {
    this.call++;
  }

  /**
   * A block of `size` bytes (a size class) taken from the oldest results, so the heap reuses
   * what it has instead of growing into fresh pages. Only results not used by the running call
   * are taken, never an array that was copied in (a data set, a weight's first values, a result
   * read again after it left the cache: arrays that come back, which stay copied in once).
   * Undefined when none fits.
   *
   * Taking an old result costs, at worst, copying its host array in again if it is read later
   * (a memcpy); a fresh 64 KiB of heap costs ~30 µs of page faults
   * on first touch. Until 2026-12-04 an output took old results only once the cache held an
   * eighth of its budget: a short loop (a benchmark's 27 calls of a 128³ matmul, 64 KiB each)
   * then wrote every result into fresh pages, and took 0.39 / 0.46 ms a call against 0.30 / 0.39
   * when reusing (alternated, one process beside the other engines); a training step, whose
   * working set passes 8 MiB anyway, is the same either way.
   */
  recycle(size: number): number | undefined {
    let entry = this.oldest;
    for (let looked = 0; entry && looked < 32; looked++, entry = entry.newer) {
      if (entry.result && entry.bytes === size && entry.lastCall !== this.call) {
        this.drop(entry);
        return entry.address; // handed over, not freed
      }
    }
    return undefined;
  }

  /** Remembers that `address` holds `host`'s values: a result computed there, or a host array copied in. */
  add(host: Float32Array, address: number, result: boolean): void {
    const entry: Entry = {
      address,
      bytes: this.heap.sizeOf(address),
      result,
      older: null,
      newer: null,
      evicted: false,
      lastCall: this.call,
    };
    this.entries.set(host, entry);
    this.link(entry);
    this.count++;
    this.bytes += entry.bytes;
    this.scopes.at(-1)?.add(host);
  }

  /**
   * Runs `fn`, then evicts the entries of the arrays added meanwhile, except those in `keep`
   * (which pass on to the enclosing scope). The arrays themselves stay valid: only their
   * copies in the memory go, so the blocks are reused at once instead of ageing out.
   */
  forgetting<T>(fn: () => T, keep: (result: T) => Iterable<Float32Array>): T {
    this.scopes.push(new Set());
    let kept = new Set<Float32Array>();
    try {
      const result = fn();
      kept = new Set(keep(result));
      return result;
    } finally {
      const added = this.scopes.pop()!;
      const outer = this.scopes.at(-1);
      for (const host of added) {
        if (kept.has(host)) outer?.add(host);
        else this.forget(host);
      }
    }
  }

  /** Evicts least recently used entries until the cache fits its budget (after a call, never during one). */
  trim(): void {
    while (this.bytes > this.budgetBytes && this.oldest) this.evict(this.oldest);
  }

  /** Evicts the entry of `host`, if it has one. */
  forget(host: Float32Array): void {
    const entry = this.entries.get(host);
    if (entry && !entry.evicted) this.evict(entry);
  }

  /** Takes an entry out of the cache; its block is the caller's to free or reuse. */
  private drop(entry: Entry): void {
    this.unlink(entry);
    entry.evicted = true;
    this.count--;
    this.bytes -= entry.bytes;
  }

  private evict(entry: Entry): void {
    this.drop(entry);
    this.heap.free(entry.address);
  }

  /** Appends as the newest. */
  private link(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }
}
