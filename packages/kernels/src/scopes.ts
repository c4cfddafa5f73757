/**
 * Scopes of device results, for backends whose results hold memory (gpujs, wasm): `run(fn)`
 * collects every result made while fn runs and releases them afterwards, except those kept —
 * which pass to the enclosing scope, so nested scopes free each result exactly once.
 */
import { NDArray } from '@skipgrad/tensor';

export interface Releasable {
  release(): void;
}

export class ResultScopes<S extends Releasable> {
  private readonly open: Set<S>[] = [];

  /** Counts a new result into the innermost open scope (if any). */
  add(result: S): void {
    this.open.at(-1)?.add(result);
  }

  /**
   * Runs `fn`, then releases every result it created except the storages of the arrays
   * `keep(result)` names (by default: the result itself when it is an array). `storageOf`
   * finds an array's storage when this backend owns it.
   */
  run<T>(fn: () => T, keep: (result: T) => Iterable<NDArray>, storageOf: (a: NDArray) => S | undefined): T {
    this.open.push(new Set());
    const kept = new Set<S>();
    try {
      const result = fn();
      for (const a of keep(result)) {
        const s = storageOf(a);
        if (s) kept.add(s);
      }
      return result;
    } finally {
      const created = this.open.pop()!;
      const outer = this.open.at(-1);
      for (const s of created) {
        if (kept.has(s)) outer?.add(s);
        else s.release();
      }
    }
  }
}

/** The default of `keep`: the result itself when it is an array. */
export const keepResult = <T>(result: T): NDArray[] => (result instanceof NDArray ? [result] : []);
