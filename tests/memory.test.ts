// Backend memory does not grow in a long training loop, without any dispose in the loop:
// - gpujs: results nobody holds are freed when the garbage collector finds them (a
//   FinalizationRegistry releases their textures), so its live count stays flat over 10,000 steps;
// - wasm: results are host arrays and its memory a bounded cache, so its heap stays flat over
//   10,000 steps of a synchronous loop that never yields (no finalizer ever runs there).
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, test } from 'vitest';
import { Generator, setBackend, tensor } from '@skipgrad/autograd';
import { cpuBackend, createGpujsBackend, createWasmBackend } from '@skipgrad/kernels';
import { Linear, ReLU, SGD, Sequential, crossEntropy } from '@skipgrad/nn';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const glAvailable = (createRequire(import.meta.url)('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } }).GPU
  .isHeadlessGLSupported;

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
      const x = tensor(
        Float32Array.from({ length: 8 * 4 }, () => g.normal()),
        { shape: [8, 4] },
      );
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
      console.log(
        `gpujs '${mode}': live device results after every 2,000 steps: ${counts.join(', ')} (${gpu.stats().launches} kernel launches, ${gpu.stats().compiles} compiles)`,
      );
      // Flat: what is alive after 10,000 steps is what was alive after 2,000 (give or take a step's worth).
      expect(counts.at(-1)!).toBeLessThanOrEqual(counts[0]! + 50);
      expect(Math.max(...counts)).toBeLessThan(400);
    } finally {
      setBackend(cpuBackend);
    }
  }, 240_000);
});

describe('wasm: 10,000 training steps in one synchronous loop', () => {
  test('keep the heap flat and the cache within its budget; the backward pass and the optimizer forget their temporaries', () => {
    const wasm = createWasmBackend({ threads: 1, cacheBytes: 4 << 20 });
    setBackend(wasm);
    try {
      const g = new Generator(2);
      const model = new Sequential(
        new Linear(32, 64, { generator: g }),
        new ReLU(),
        new Linear(64, 4, { generator: g }),
      );
      const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = tensor(
        Float32Array.from({ length: 16 * 32 }, () => g.normal()),
        { shape: [16, 32] },
      );
      const labels = Array.from({ length: 16 }, (_, i) => i % 4);
      const heaps: number[] = [];
      let first = 0;
      let last = 0;
      for (let step = 1; step <= 10_000; step++) {
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(x), labels);
        loss.backward();
        opt.step();
        if (step === 1) first = loss.item();
        if (step === 10_000) last = loss.item();
        if (step % 2_000 === 0) heaps.push(wasm.stats().heapBytes);
      }
      console.log(
        `wasm: heap bytes after every 2,000 steps: ${heaps.join(', ')}; resident ${wasm.info().residentBytes} bytes in ${wasm.info().residentArrays} arrays`,
      );
      expect(new Set(heaps).size, 'the heap never grew after step 2,000').toBe(1);
      expect(wasm.info().residentBytes).toBeLessThanOrEqual(4 << 20);
      expect(last).toBeLessThan(first);
    } finally {
      setBackend(cpuBackend);
    }
  }, 240_000);

  test('the backward pass and the optimizer leave in the cache only what the next step reads', () => {
    const wasm = createWasmBackend({ threads: 1 }); // a cache large enough that nothing ages out here
    setBackend(wasm);
    try {
      const g = new Generator(2);
      const model = new Sequential(
        new Linear(32, 64, { generator: g }),
        new ReLU(),
        new Linear(64, 4, { generator: g }),
      );
      const params = [...model.parameters()].length;
      const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = tensor(
        Float32Array.from({ length: 16 * 32 }, () => g.normal()),
        { shape: [16, 32] },
      );
      const labels = Array.from({ length: 16 }, (_, i) => i % 4);
      for (let step = 1; step <= 3; step++) {
        const start = wasm.info().residentArrays;
        const launches = wasm.stats().launches;
        opt.zeroGrad(); // forgets the last gradients
        const loss = crossEntropy(model.forward(x), labels);
        const afterForward = wasm.info().residentArrays;
        loss.backward();
        const afterBackward = wasm.info().residentArrays;
        opt.step();
        if (step === 1) continue; // the first step also copies the initial weights in
        // The forward's results stay (saved for backward, then aged out); backward adds the
        // gradients and forgets its intermediate values; the step adds the new parameters and
        // their momentum and forgets the old parameters and its intermediate values.
        expect(afterBackward - afterForward, 'kept by backward').toBeLessThanOrEqual(params + 1);
        expect(wasm.info().residentArrays - afterBackward, 'kept by the step').toBeLessThanOrEqual(params);
        expect(wasm.info().residentArrays - start, 'kept by the whole step').toBeLessThan(
          (wasm.stats().launches - launches) / 2,
        );
      }
    } finally {
      setBackend(cpuBackend);
    }
  }, 240_000);
});
