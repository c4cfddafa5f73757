/**
 * Results that never leave the wasm memory: those made inside a sealed scope
 * (Backend.sealedScope — the engine's backward pass through built-in ops).
 *
 * Every other result of this backend is copied out into a Float32Array of its own as soon as it
 * is made (heap.ts says why). In a backward pass most results are intermediate gradients that
 * only the next kernel reads, and the engine promises that nobody else reads them once the pass
 * is over; copying them out is wasted work, and the arrays are garbage for the collector. So
 * inside the scope a result is a `SealedResult`: a DeviceStorage over its block. Kernels read the
 * block; host code that reads it anyway (a CPU fallback, anomaly mode, printing) gets a copy, as
 * from any device storage. When the scope ends, the results it returns are copied out and cached
 * like any other result, and the blocks of the rest are freed.
 *
 * Measured on the lab's ViT: of the 16.8 GB its 1,400 training steps copied out, 9.6 GB were
 * made inside backward passes and optimizer steps, and 0.6 GB of those were kept.
 *
 * A scope holds at most `budgetBytes` of such blocks: past that, the oldest are copied out and
 * handed to the cache (`spill`), so a large network's backward needs no more memory than before.
 */
import { type DeviceStorage, SkipgradError } from '@skipgrad/tensor';
import type { WasmHeap } from './heap.js';

export class SealedResult implements DeviceStorage {
  readonly dtype = 'float32' as const;
  readonly owner = 'wasm';
  private host: Float32Array | null = null;

  constructor(
    readonly length: number,
    /** The block holding the values; −1 once the scope has ended (copied out or freed). */
    public block: number,
    private readonly heap: WasmHeap,
  ) {}

  /** The values on the host: copied out of the block on the first call. */
  download(): Float32Array {
    if (this.host) return this.host;
    if (this.block < 0) {
      throw new SkipgradError(
        'wasm',
        'tensor',
        'a result that is still alive',
        'an intermediate result of a backward pass that has ended (only the gradients it returns are kept)',
        'a custom op (fromOp) in the graph keeps every result readable',
      );
    }
    this.host = this.heap.copyOut(this.block / 4, this.length);
    this.heap.counters.downloads++;
    return this.host;
  }

  /** The host copy if one was made. */
  get copied(): Float32Array | null {
    return this.host;
  }
}

/** The open sealed scope: its results in the order they were made, and their bytes. */
export class SealedScope {
  readonly results = new Set<SealedResult>();
  private bytes = 0;

  constructor(
    private readonly heap: WasmHeap,
    private readonly budgetBytes: number,
  ) {}

  /** A result computed in `block` (float32 × `length`). */
  add(block: number, length: number): SealedResult {
    const result = new SealedResult(length, block, this.heap);
    this.results.add(result);
    this.bytes += this.heap.sizeOf(block);
    return result;
  }

  /**
   * Past the budget, copies the oldest results out and gives each block to `adopt` (the cache),
   * until half the budget is left: they become ordinary results. Only between calls, when no
   * kernel is reading them.
   */
  spill(adopt: (host: Float32Array, block: number) => void): void {
    if (this.bytes <= this.budgetBytes) return;
    for (const result of this.results) {
      if (this.bytes <= this.budgetBytes / 2) break;
      this.hand(result, adopt);
    }
  }

  /**
   * Ends the scope: the results `kept` names are copied out and adopted (the cache keeps their
   * blocks, as for any result); the blocks of the rest are freed. A result that host code
   * copied out meanwhile keeps its copy; the others become unreadable (see download).
   */
  end(kept: ReadonlySet<unknown>, adopt: (host: Float32Array, block: number) => void): void {
    for (const result of this.results) {
      if (kept.has(result)) {
        this.hand(result, adopt);
      } else {
        this.heap.free(result.block);
        result.block = -1;
      }
    }
    this.results.clear();
    this.bytes = 0;
  }

  private hand(result: SealedResult, adopt: (host: Float32Array, block: number) => void): void {
    const host = result.download();
    adopt(host, result.block);
    this.bytes -= this.heap.sizeOf(result.block);
    this.results.delete(result);
    result.block = -1;
  }
}
