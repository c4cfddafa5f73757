/**
 * What the wasm backend's threads need from the platform, in Node: a way to start a worker that
 * runs the pool's program (node:worker_threads), whether this thread may block in Atomics.wait,
 * and the number of cores. A browser bundle gets threads-platform.browser.ts instead (the
 * package.json "browser" field): Web Workers there.
 */
export interface PoolWorker {
  terminate(): void;
}

/**
 * The data a worker needs: the kernels module, the shared memory, where the pool's control words
 * and chunk table are, its thread number, the kernel names and the table's slot size.
 */
export type WorkerData = Record<string, unknown>;

type NodeWorkerClass = new (
  source: string,
  options: { eval: true; workerData: unknown; execArgv: string[] },
) => { unref(): void; terminate(): Promise<number> };

const nodeWorker: NodeWorkerClass | null = await (async () => {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  const threads = await import('node:worker_threads');
  return threads.Worker as unknown as NodeWorkerClass;
})();

/** True where workers can be started and share a WebAssembly.Memory. */
export const workersSupported = nodeWorker !== null;

/** Node's main thread may block in Atomics.wait (a browser page's may not). */
export const mainThreadCanBlock = true;

/**
 * Starts a worker running `program` — the source of a function `(data) => void` — on `data`.
 * The worker never keeps the process alive.
 */
export function startWorker(program: string, data: WorkerData): PoolWorker {
  if (!nodeWorker) throw new Error('startWorker: no worker threads here');
  const worker = new nodeWorker(`(${program})(require('node:worker_threads').workerData);`, {
    eval: true,
    workerData: data,
    // No inherited loaders (--import tsx, a test runner's hooks): they can wait on this thread's
    // event loop, which is blocked in Atomics.wait until the worker answers.
    execArgv: [],
  });
  worker.unref();
  return { terminate: () => void worker.terminate() };
}

/** The cores this process may use (1 where that cannot be known). */
export const availableCores: number = await (async () => {
  if (typeof process === 'undefined' || !process.versions?.node) return 1;
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
})();
