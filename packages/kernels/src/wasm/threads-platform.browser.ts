/**
 * threads-platform.ts for browsers (swapped in by the package.json "browser" field): Web Workers.
 * A page may share a WebAssembly.Memory with its workers only when it is cross-origin isolated
 * (served with COOP: same-origin and COEP: require-corp); elsewhere the backend runs on one thread.
 * A page's main thread may not block in Atomics.wait, so it spins while it waits for the workers
 * (a worker's own thread — a skipgrad training loop run inside a Web Worker — may block).
 */
export interface PoolWorker {
  terminate(): void;
}
export type WorkerData = Record<string, unknown>;

interface BrowserGlobals {
  Worker?: new (url: string) => { postMessage(data: unknown): void; terminate(): void };
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  document?: unknown;
}
const web = globalThis as BrowserGlobals;

export const workersSupported: boolean =
  typeof web.Worker === 'function' &&
  typeof web.Blob === 'function' &&
  web.crossOriginIsolated === true &&
  typeof SharedArrayBuffer === 'function';

/** Atomics.wait throws on a page's main thread (one with a document); a worker may block. */
export const mainThreadCanBlock: boolean = web.document === undefined;

/** Starts a Web Worker (from a Blob, so there is no worker file to locate) running `program` on `data`. */
export function startWorker(program: string, data: WorkerData): PoolWorker {
  if (!workersSupported) throw new Error('startWorker: no shared-memory workers here');
  const source = `onmessage = (event) => { onmessage = null; (${program})(event.data); };`;
  const url = web.URL!.createObjectURL(new web.Blob!([source], { type: 'text/javascript' }));
  const worker = new web.Worker!(url);
  worker.postMessage(data); // a WebAssembly.Module and a shared Memory are cloned, not copied
  return { terminate: () => worker.terminate() };
}

export const availableCores: number =
  (web.navigator?.hardwareConcurrency ?? 0) > 0 ? web.navigator!.hardwareConcurrency! : 1;
