/**
 * What the wasm backend's threads need from the platform, in Node: the Worker class of
 * node:worker_threads and the number of cores. A browser bundle gets threads-platform.browser.ts
 * instead (the package.json "browser" field): no Node workers there, so one thread for now.
 */
export interface NodeWorker { unref(): void; terminate(): Promise<number> }
export type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown; execArgv: string[] }) => NodeWorker;

/** Node's Worker class, or null where there is none (a browser: one thread there for now). */
export const NodeWorkerClass: WorkerConstructor | null = await (async () => {
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

