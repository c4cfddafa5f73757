/**
 * Choosing the backend for a lab run. The wasm backend (WebAssembly SIMD, on every core) is
 * the default; the CPU backend is the plain-JS reference; the gpujs backend (and gpu.js with
 * it) is loaded only when asked for, and reports the mode that really runs.
 */
import { setBackend } from '@skipgrad/autograd';
import { cpuBackend, createGpujsBackend, createWasmBackend } from '@skipgrad/kernels';

export async function useBackend(
  name: 'wasm' | 'cpu' | 'gpujs',
  mode: 'auto' | 'gpu' | 'webasm' | 'cpu',
  warn?: (message: string) => void,
  threads: number | null = null,
): Promise<void> {
  if (name === 'wasm') setBackend(createWasmBackend(threads === null ? {} : { threads }));
  else setBackend(name === 'cpu' ? cpuBackend : await createGpujsBackend({ mode, warn }));
}
