/**
 * Worker threads for the wasm backend (Node's worker_threads; Web Workers in a page). Every thread instantiates the
 * same kernels module over the one shared WebAssembly.Memory, so a kernel split over threads
 * is just the same function called with different ranges — the data never moves.
 *
 * A job is a list of chunks, each one kernel call. The main thread writes the chunks into a
 * table in the shared memory, bumps a generation counter and wakes the workers; then every
 * thread — the main one too — claims chunks from an atomic counter until none are left, and the
 * main thread waits until all are finished. Claiming (rather than one fixed share per thread)
 * means a worker that wakes late costs nothing: the others take its chunks. Workers spin for a
 * moment after each job (a training step issues kernels microseconds apart) before they sleep in
 * Atomics.wait. Waking a sleeping worker costs the main thread a system call (30–80 µs on these
 * VMs, measured) and the worker longer still, so `asleep` tells the backend to keep mid-sized
 * calls on one thread while the workers sleep. The backend's API stays synchronous: the main thread waits with Atomics.wait,
 * which Node allows on its main thread (a page's main thread spins instead: browsers forbid it).
 *
 * A chunk may have one thread-local argument: its value plus the thread's number times a stride
 * (each thread's own packing scratch, or its own partial sums).
 *
 * Control words (Int32Array at `control`): [0] generation, [1] chunks not yet finished, [2] stop,
 * [3] a chunk failed, [4] the next chunk to claim, [5] the number of chunks, [6] chunks the workers
 * (not the main thread) have run, ever — proof in stats() that the workers share the work, [7] workers
 * asleep in Atomics.wait now. Chunk table
 * (Float64Array at `jobs`): SLOT values per chunk: [kernel index, argument count, local argument
 * index (−1: none), local stride, arguments…].
 */
import { SkipgradError } from '@skipgrad/tensor';
import type { Kernels } from './module.js';

/** The kernels a job may name, by index (the workers receive the same list). */
export const JOB_KERNELS = [
  'unary',
  'binary',
  'copy',
  'where',
  'gather',
  'sumInto',
  'matmul',
  'matmulBatch',
  'unfold',
  'foldInto',
  'conv2d',
  'gelu',
  'softmaxRows',
  'softmaxGradRows',
  'geluGrad',
  'batchNormChannels',
  'batchNormGradChannels',
  'layerNormRows',
  'layerNormGradRows',
  'layerNormParamGrads',
  'adam',
  'sgd',
] as const;
export type JobKernel = (typeof JOB_KERNELS)[number];
export interface Chunk {
  kernel: JobKernel;
  args: number[];
}
/** A thread-local argument: args[index] + thread · stride. */
export interface LocalArgument {
  index: number;
  stride: number;
}

const SLOT = 24;
/** The most chunks one job may have. */
export const MAX_CHUNKS = 64;
export const CONTROL_BYTES = 64;
/** What the claim counter holds between jobs: no chunk can be claimed. */
const CLOSED = 1 << 30;

/**
 * The program each worker runs: the source of one self-contained function of the worker's data
 * (plain JavaScript, no imports), so the package needs no separate worker file to locate — in
 * Node, in a bundle or in a page (threads-platform.ts starts it).
 */
const WORKER_PROGRAM = `(data) => {
  const { module, memory, control, jobs, thread, names, slotSize } = data;
  const kernels = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports;
  const ctrl = new Int32Array(memory.buffer, control, 8);
  const table = new Float64Array(memory.buffer, jobs, ${MAX_CHUNKS} * slotSize);
  // The generation the pool was made at: a job posted before this worker started still runs.
  let seen = 0;
  for (;;) {
    for (let spin = 0; spin < 20000 && Atomics.load(ctrl, 0) === seen; spin++);
    Atomics.add(ctrl, 7, 1);
    Atomics.wait(ctrl, 0, seen);
    Atomics.sub(ctrl, 7, 1);
    seen = Atomics.load(ctrl, 0);
    if (Atomics.load(ctrl, 2) === 1) break;
    for (;;) {
      const i = Atomics.add(ctrl, 4, 1);
      if (i >= Atomics.load(ctrl, 5)) break;
      const at = i * slotSize;
      const args = Array.from(table.subarray(at + 4, at + 4 + table[at + 1]));
      if (table[at + 2] >= 0) args[table[at + 2]] += thread * table[at + 3];
      try {
        kernels[names[table[at]]](...args);
      } catch (e) {
        Atomics.store(ctrl, 3, 1);
      }
      Atomics.add(ctrl, 6, 1);
      if (Atomics.sub(ctrl, 1, 1) === 1) Atomics.notify(ctrl, 1);
    }
  }
}`;

import {
  type PoolWorker,
  availableCores,
  mainThreadCanBlock,
  startWorker,
  workersSupported,
} from './threads-platform.js';

export { availableCores };

/** True where worker threads can be started (Node; a cross-origin-isolated page). */
export const threadsSupported = workersSupported;

export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  private readonly ctrl: Int32Array;
  private readonly table: Float64Array;
  private stopped = false;

  /**
   * Starts `threads − 1` workers over `memory` (the main thread is thread 0); `control` and
   * `jobs` are blocks of CONTROL_BYTES and JOB_BYTES bytes in it.
   */
  constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly main: Kernels,
    control: number,
    jobs: number,
  ) {
    if (!workersSupported)
      throw new SkipgradError('createWasmBackend', 'threads', '1 where worker threads do not exist', String(threads));
    this.ctrl = new Int32Array(memory.buffer, control, 8);
    this.table = new Float64Array(memory.buffer, jobs, MAX_CHUNKS * SLOT);
    Atomics.store(this.ctrl, 4, CLOSED);
    for (let thread = 1; thread < threads; thread++) {
      const worker = startWorker(WORKER_PROGRAM, {
        module,
        memory,
        control,
        jobs,
        thread,
        names: JOB_KERNELS,
        slotSize: SLOT,
      });
      this.workers.push(worker);
    }
  }

  static readonly JOB_BYTES = MAX_CHUNKS * SLOT * 8;

  /** Chunks the workers have run since the pool started (the main thread's are not counted). */
  get workerChunks(): number {
    return Atomics.load(this.ctrl, 6);
  }

  /** True when every worker sleeps in Atomics.wait (a job would have to wake them). */
  get asleep(): boolean {
    return Atomics.load(this.ctrl, 7) === this.workers.length;
  }

  /** Runs every chunk, on whichever threads claim them first; returns when all are finished. */
  run(chunks: readonly Chunk[], local?: LocalArgument): void {
    if (this.stopped)
      throw new SkipgradError(
        'wasm',
        'backend',
        'a backend that is still open',
        'a closed backend (close() stopped its threads)',
      );
    if (chunks.length > MAX_CHUNKS)
      throw new SkipgradError('wasm', 'chunks', `at most ${MAX_CHUNKS} chunks in one job`, String(chunks.length));
    chunks.forEach((chunk, i) => {
      const at = i * SLOT;
      this.table[at] = JOB_KERNELS.indexOf(chunk.kernel);
      this.table[at + 1] = chunk.args.length;
      this.table[at + 2] = local ? local.index : -1;
      this.table[at + 3] = local ? local.stride : 0;
      this.table.set(chunk.args, at + 4);
    });
    Atomics.store(this.ctrl, 5, chunks.length);
    Atomics.store(this.ctrl, 1, chunks.length);
    Atomics.store(this.ctrl, 4, 0); // open: from here on any thread may claim
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    let failure: unknown = null;
    for (;;) {
      const i = Atomics.add(this.ctrl, 4, 1);
      if (i >= chunks.length) break;
      try {
        (this.main[chunks[i]!.kernel] as (...a: number[]) => void)(...chunks[i]!.args); // thread 0: local offset 0
      } catch (e) {
        failure ??= e; // finish the job's bookkeeping first, so the pool stays usable
      }
      Atomics.sub(this.ctrl, 1, 1);
    }
    this.waitForAll();
    Atomics.store(this.ctrl, 4, CLOSED);
    if (failure !== null) throw failure;
    if (Atomics.load(this.ctrl, 3) === 1) {
      Atomics.store(this.ctrl, 3, 0);
      throw new SkipgradError(
        'wasm',
        'kernel',
        'every thread to finish its share',
        'a worker thread whose kernel failed',
      );
    }
  }

  private waitForAll(): void {
    for (let spin = 0; spin < 100000; spin++) if (Atomics.load(this.ctrl, 1) === 0) return;
    if (!mainThreadCanBlock) return this.spinForAll();
    for (;;) {
      const busy = Atomics.load(this.ctrl, 1);
      if (busy === 0) return;
      // A worker still starting up (the first job) may take a while; 30 s means it never will.
      if (Atomics.wait(this.ctrl, 1, busy, 30_000) === 'timed-out') {
        throw new SkipgradError(
          'wasm',
          'threads',
          `${this.threads - 1} worker threads answering`,
          'no answer within 30 s',
        );
      }
    }
  }

  /** A page's main thread may not block: it spins (the workers are busy on the same job meanwhile). */
  private spinForAll(): void {
    const start = Date.now();
    while (Atomics.load(this.ctrl, 1) !== 0) {
      if (Date.now() - start > 30_000)
        throw new SkipgradError(
          'wasm',
          'threads',
          `${this.threads - 1} worker threads answering`,
          'no answer within 30 s',
        );
    }
  }

  /** Stops the workers (the backend cannot run threaded jobs afterwards). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctrl, 2, 1);
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    for (const w of this.workers) w.terminate();
  }
}
