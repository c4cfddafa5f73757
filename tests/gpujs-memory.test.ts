// Device memory does not grow in a long training loop: results nobody holds are freed when
// the garbage collector finds them (a FinalizationRegistry releases their textures), so the
// gpujs backend's live count stays flat over 10,000 steps without any dispose in the loop.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, test } from 'vitest';
import { Generator, setBackend, tensor } from '@skipgrad/autograd';
import { cpuBackend, createGpujsBackend } from '@skipgrad/kernels';
import { Linear, SGD, crossEntropy } from '@skipgrad/nn';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const glAvailable = (createRequire(import.meta.url)('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } }).GPU.isHeadlessGLSupported;

/** Collects garbage and lets the FinalizationRegistry callbacks run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

afterAll(() => setBackend(cpuBackend));

describe.each(glAvailable ? ['webasm', 'gpu'] : ['webasm'])("gpujs '%s': 10,000 training steps", (mode) => {
  test('keep the live device memory flat', async () => {
    const gpu = await createGpujsBackend({ mode: mode as 'webasm' | 'gpu' });
    setBackend(gpu);
    try {
      const g = new Generator(1);
      const model = new Linear(4, 3, { generator: g });
      const opt = new SGD(model.parameters(), { lr: 0.05 });
      const x = tensor(Float32Array.from({ length: 8 * 4 }, () => g.normal()), { shape: [8, 4] });
      const labels = [0, 1, 2, 0, 1, 2, 0, 1];
      const counts: number[] = [];
      for (let step = 1; step <= 10_000; step++) {
        opt.zeroGrad();
        crossEntropy(model.forward(x), labels).backward();
        opt.step();
        if (step % 2_000 === 0) {
          await collect();
          counts.push(gpu.stats().live);
        }
      }
      console.log(`gpujs '${mode}': live device results after every 2,000 steps: ${counts.join(', ')} (${gpu.stats().launches} kernel launches, ${gpu.stats().compiles} compiles)`);
      // Flat: what is alive after 10,000 steps is what was alive after 2,000 (give or take a step's worth).
      expect(counts.at(-1)!).toBeLessThanOrEqual(counts[0]! + 50);
      expect(Math.max(...counts)).toBeLessThan(400);
    } finally {
      setBackend(cpuBackend);
    }
  }, 240_000);
});
