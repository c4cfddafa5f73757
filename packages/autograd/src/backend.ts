/**
 * Which Backend runs the kernels. The CPU backend is the default; choose another explicitly
 * with `setBackend` — nothing registers itself by being imported.
 */
import { type Backend, cpuBackend } from '@skipgrad/kernels';
import { SkipgradError, describe } from '@skipgrad/tensor';

let current: Backend = cpuBackend;

/**
 * The backend that runs every kernel from now on.
 *
 * @example
 * getBackend().name; // 'cpu'
 */
export function getBackend(): Backend {
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
