/**
 * Choosing the backend for a lab run. The CPU backend is the reference; the gpujs backend is
 * loaded only when asked for.
 */
import { cpuBackend } from '@skipgrad/kernels';
import { setBackend } from '@skipgrad/autograd';
import { LabUsageError } from './args.js';

export async function useBackend(name: 'cpu' | 'gpujs', mode: 'auto' | 'gpu' | 'webasm' | 'cpu'): Promise<void> {
  if (name === 'cpu') {
    setBackend(cpuBackend);
    return;
  }
  throw new LabUsageError(`--backend gpujs (mode ${mode}): expected a backend this build has (cpu), got gpujs, which is not built yet`);
}
