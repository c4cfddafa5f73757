/**
 * Which Backend runs the kernels. The default is the wasm backend (WebAssembly SIMD, on the
 * available cores) wherever WebAssembly SIMD exists — Node 20 and every current browser — and
 * the plain-JS reference `cpuBackend` elsewhere. The wasm backend computes float32 itself and
 * hands float64 work (gradient checks) to the reference kernels, so both dtypes are exact to
 * their own precision by default.
 *
 * Choose another explicitly with `setBackend` — nothing registers itself by being imported —
 * or, in Node, with the environment variable SKIPGRAD_BACKEND=cpu|wasm (read once, at the
 * first op). The default backend is created at the first op, not at import.
 */
import { type Backend, cpuBackend, createWasmBackend, wasmSimdSupported } from '@skipgrad/kernels';
import { type NDArray, SkipgradError, checkBoolean, checkList, checkOptions, describe } from '@skipgrad/tensor';

let current: Backend | null = null;

/** SKIPGRAD_BACKEND where there is a process to read it from (Node), else undefined. */
function requestedBackend(): string | undefined {
  return typeof process !== 'undefined' ? process.env?.SKIPGRAD_BACKEND : undefined;
}

/**
 * The backend a program gets when it chooses none: the `requested` one (SKIPGRAD_BACKEND) if
 * set, else wasm where WebAssembly SIMD exists (`simd`), else the reference. Exported for its
 * tests; programs call getBackend.
 */
export function defaultBackend(requested = requestedBackend(), simd = wasmSimdSupported()): Backend {
  if (requested !== undefined && requested !== '' && requested !== 'cpu' && requested !== 'wasm') {
    throw new SkipgradError('getBackend', 'SKIPGRAD_BACKEND', "'cpu' or 'wasm' (or unset)", describe(requested));
  }
  if (requested === 'cpu') return cpuBackend;
  if (requested === 'wasm' || simd) return createWasmBackend();
  return cpuBackend;
}

/**
 * The backend that runs every kernel from now on.
 *
 * @example
 * ['wasm', 'cpu'].includes(getBackend().name); // true
 */
export function getBackend(): Backend {
  current ??= defaultBackend();
  return current;
}

/**
 * Chooses the backend for all following ops.
 *
 * @example
 * setBackend(cpuBackend);
 */
export function setBackend(backend: Backend): void {
  if (typeof backend !== 'object' || backend === null || typeof backend.binary !== 'function') {
    throw new SkipgradError('setBackend', 'backend', 'an object implementing the Backend interface', describe(backend));
  }
  current = backend;
}

/**
 * Runs `fn` so that the backend may afterwards drop its cached copies of the arrays fn made,
 * except the tensors fn returns (Backend.forgetScope: every array stays valid). The backward
 * pass and the optimizers run inside it; on a backend without a cache it just runs `fn`.
 *
 * With `sealed: true` the caller promises more: fn runs only the engine's own code, and nothing
 * it makes is read afterwards except the tensors it returns — a backward pass through built-in
 * ops only. A backend with Backend.sealedScope then keeps the other results in its own memory
 * and never copies them out (the wasm backend: half of what a training step copied out).
 *
 * @example
 * const [g] = forgettingTemporaries(() => [tensor([1, 2]).mul(3).add(1)]);
 * g!.toArray(); // [4, 7]
 */
export function forgettingTemporaries<T extends readonly { data: NDArray }[]>(
  fn: () => T,
  options: { sealed?: boolean } = {},
): T {
  if (typeof fn !== 'function')
    throw new SkipgradError('forgettingTemporaries', 'fn', 'a function to run', describe(fn));
  const { sealed = false } = checkOptions<{ sealed: boolean }>('forgettingTemporaries', options, ['sealed']);
  checkBoolean('forgettingTemporaries', 'sealed', sealed);
  const backend = getBackend();
  const keptArrays = (kept: T): NDArray[] =>
    checkList(
      'forgettingTemporaries',
      'fn',
      kept,
      (t) => (t as { data: NDArray }).data,
      'a function returning the list of tensors to keep',
    );
  if (sealed && backend.sealedScope) return backend.sealedScope(fn, keptArrays);
  return backend.forgetScope ? backend.forgetScope(fn, keptArrays) : fn();
}
