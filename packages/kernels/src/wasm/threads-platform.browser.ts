/**
 * threads-platform.ts for browsers (swapped in by the package.json "browser" field): no Node
 * worker threads, so the wasm backend runs on one thread; the cores as the browser reports them.
 */
export interface NodeWorker { unref(): void; terminate(): Promise<number> }
export type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown; execArgv: string[] }) => NodeWorker;

export const NodeWorkerClass: WorkerConstructor | null = null;

const browserNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
export const availableCores: number = (browserNavigator?.hardwareConcurrency ?? 0) > 0 ? browserNavigator!.hardwareConcurrency! : 1;
