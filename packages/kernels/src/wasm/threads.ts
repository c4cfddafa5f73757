/**
 * Worker threads for the wasm backend (Node's worker_threads). Every thread instantiates the
 * same kernels module over the one shared WebAssembly.Memory, so a kernel split over threads
 * is just the same function called with different ranges — the data never moves.
 *
 * A job is one kernel call per thread. The main thread writes each worker's call (the kernel's
 * index and its arguments, as float64s) into that worker's slot of a job table in the shared
 * memory, bumps a generation counter and wakes the workers; it does its own share meanwhile,
 * then waits until the count of workers still busy falls to 0. Workers spin for a moment
 * after each job (a training step issues kernels microseconds apart) before they sleep in
 * Atomics.wait. The backend's API stays synchronous: the main thread waits with Atomics.wait,
 * which Node allows on its main thread.
 *
 * Control words (Int32Array at `control`): [0] generation, [1] workers still busy, [2] stop,
 * [3] a worker's kernel failed. Job table (Float64Array at `jobs`): SLOT values per thread:
 * [kernel index (−1: nothing), argument count, arguments…].
 */
import { SkipgradError } from '@skipgrad/tensor';
import type { Kernels } from './module.js';

/** The kernels a job may name, by index (the workers receive the same list). */
export const JOB_KERNELS = ['unary', 'binary', 'copy', 'where', 'gather', 'sumInto', 'matmul', 'unfold', 'foldInto'] as const;
export type JobKernel = (typeof JOB_KERNELS)[number];
export interface Job { kernel: JobKernel; args: number[] }

const SLOT = 24;
export const CONTROL_BYTES = 64;

/**
 * The program each worker runs, sent as source text (so the package needs no separate worker
 * file to locate, in Node or a bundle). Plain JavaScript, CommonJS, self-contained.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, jobs, slot, names, slotSize } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports;
const ctrl = new Int32Array(memory.buffer, control, 4);
const job = new Float64Array(memory.buffer, jobs + slot * slotSize * 8, slotSize);
// The generation the pool was made at: a job posted before this worker started still runs.
let seen = 0;
for (;;) {
  for (let spin = 0; spin < 20000 && Atomics.load(ctrl, 0) === seen; spin++);
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  if (Atomics.load(ctrl, 2) === 1) break;
  if (job[0] >= 0) {
    try {
      kernels[names[job[0]]](...Array.from(job.subarray(2, 2 + job[1])));
    } catch (e) {
      Atomics.store(ctrl, 3, 1);
    }
  }
  if (Atomics.sub(ctrl, 1, 1) === 1) Atomics.notify(ctrl, 1);
}
`;

interface NodeWorker { unref(): void; terminate(): Promise<number> }
type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown; execArgv: string[] }) => NodeWorker;

/** Node's Worker class, or null where there is none (a browser: one thread there for now). */
const NodeWorkerClass: WorkerConstructor | null = await (async () => {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  const threads = await import('node:worker_threads');
  return threads.Worker as unknown as WorkerConstructor;
})();

/** The cores this process may use (1 where that cannot be known). */
export const availableCores: number = await (async () => {
  if (typeof process === 'undefined' || !process.versions?.node) return 1;
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
})();

/** True where worker threads can be started. */
export const threadsSupported = NodeWorkerClass !== null;

export class ThreadPool {
  private readonly workers: NodeWorker[] = [];
  private readonly ctrl: Int32Array;
  private readonly table: Float64Array;
  private stopped = false;

  /**
   * Starts `threads − 1` workers over `memory` (the main thread is the other one); `control`
   * and `jobs` are blocks of CONTROL_BYTES and `jobBytes(threads)` bytes in it.
   */
  constructor(readonly threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly main: Kernels, control: number, jobs: number) {
    if (!NodeWorkerClass) throw new SkipgradError('createWasmBackend', 'threads', '1 where worker threads do not exist', String(threads));
    this.ctrl = new Int32Array(memory.buffer, control, 4);
    this.table = new Float64Array(memory.buffer, jobs, threads * SLOT);
    for (let slot = 1; slot < threads; slot++) {
      const worker = new NodeWorkerClass(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, jobs, slot, names: JOB_KERNELS, slotSize: SLOT },
        // No inherited loaders (--import tsx, a test runner's hooks): they can wait on this
        // thread's event loop, which is blocked in Atomics.wait until the worker answers.
        execArgv: [],
      });
      worker.unref(); // a parked worker never keeps the process alive
      this.workers.push(worker);
    }
  }

  static jobBytes(threads: number): number { return threads * SLOT * 8; }

  /**
   * Runs `jobs[t]` on thread t (t = 0 is this thread), all at once; returns when every one has
   * finished. A null job leaves that thread idle.
   */
  run(jobs: readonly (Job | null)[]): void {
    if (this.stopped) throw new SkipgradError('wasm', 'backend', 'a backend that is still open', 'a closed backend (close() stopped its threads)');
    for (let t = 1; t < this.threads; t++) {
      const job = jobs[t] ?? null;
      const at = t * SLOT;
      this.table[at] = job ? JOB_KERNELS.indexOf(job.kernel) : -1;
      if (job) {
        this.table[at + 1] = job.args.length;
        this.table.set(job.args, at + 2);
      }
    }
    Atomics.store(this.ctrl, 1, this.threads - 1);
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    const own = jobs[0];
    if (own) (this.main[own.kernel] as (...a: number[]) => void)(...own.args);
    this.waitForWorkers();
    if (Atomics.load(this.ctrl, 3) === 1) {
      Atomics.store(this.ctrl, 3, 0);
      throw new SkipgradError('wasm', 'kernel', 'every thread to finish its share', 'a worker thread whose kernel failed');
    }
  }

  private waitForWorkers(): void {
    for (let spin = 0; spin < 100000; spin++) if (Atomics.load(this.ctrl, 1) === 0) return;
    for (;;) {
      const busy = Atomics.load(this.ctrl, 1);
      if (busy === 0) return;
      // A worker still starting up (the first job) may take a while; 30 s means it never will.
      if (Atomics.wait(this.ctrl, 1, busy, 30_000) === 'timed-out') {
        throw new SkipgradError('wasm', 'threads', `${this.threads - 1} worker threads answering`, 'no answer within 30 s');
      }
    }
  }

  /** Stops the workers (the backend cannot run threaded jobs afterwards). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctrl, 2, 1);
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    for (const w of this.workers) void w.terminate();
  }
}
