/**
 * Choosing the backend for a lab run. The CPU backend is the reference; the gpujs backend
 * (and gpu.js with it) is loaded only when asked for, and reports the mode that really runs.
 */
import { setBackend } from '@skipgrad/autograd';
import { cpuBackend, createGpujsBackend } from '@skipgrad/kernels';

export async function useBackend(name: 'cpu' | 'gpujs', mode: 'auto' | 'gpu' | 'webasm' | 'cpu', warn?: (message: string) => void): Promise<void> {
  setBackend(name === 'cpu' ? cpuBackend : await createGpujsBackend({ mode, warn }));
}
