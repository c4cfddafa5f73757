// The gpujs backend against the CPU reference, kernel by kernel, over generated strided
// views (broadcasting, transposes, offsets, rank 0, zero-size), in every gpu.js mode this
// machine can run: 'cpu' and 'webasm' always, 'gpu' (real GLSL through headless-gl) where a GL
// context exists. CI sets SKIPGRAD_REQUIRE_GL=1 and runs under xvfb-run, so there 'gpu' must run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test as plainTest } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import { cpuBackend as cpu, createGpujsBackend } from '../src/index.js';
import type { GpujsBackend, GpuModule } from '../src/gpujs/index.js';
import { runScript } from '../../../tests/support.js';
import { expectClose, kernelParity } from './parity.js';

const glAvailable = (createRequire(import.meta.url)('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } }).GPU
  .isHeadlessGLSupported;
const MODES: ('cpu' | 'webasm' | 'gpu')[] = ['cpu', 'webasm', ...(glAvailable ? ['gpu' as const] : [])];

plainTest('GPU tests run real GLSL where required', () => {
  console.log(
    `gpujs parity modes on this machine: ${MODES.join(', ')}${glAvailable ? ' (headless-gl: GLSL shaders run)' : ' (no GL context: no GLSL here)'}`,
  );
  if (process.env.SKIPGRAD_REQUIRE_GL === '1')
    expect(
      glAvailable,
      'SKIPGRAD_REQUIRE_GL=1 but headless-gl has no context (is gl built, and is this under xvfb-run?)',
    ).toBe(true);
});

describe.each(MODES)("gpujs backend in '%s' mode equals the CPU reference", (mode) => {
  let gpu: GpujsBackend;
  beforeAll(async () => {
    gpu = await createGpujsBackend({ mode });
  });
  afterAll(() => gpu.destroy());

  plainTest('reports the mode that runs', () => {
    expect(gpu.name).toBe('gpujs');
    expect(gpu.mode).toBe(mode);
  });

  kernelParity(() => gpu);

  plainTest('scalars from the host keep their sign and value (0 and −0 are different inputs)', () => {
    const one = new NDArray(new Float32Array([1]), []);
    const scalar = (v: number): NDArray => new NDArray(new Float32Array([v]), []);
    expect(gpu.binary('div', one, scalar(0)).item()).toBe(Infinity);
    // GLSL does not promise signed zeros (llvmpipe gives 1 / −0 = +∞); gpu.js's webasm and cpu modes do.
    if (mode !== 'gpu') expect(gpu.binary('div', one, scalar(-0)).item()).toBe(-Infinity);
    expect(gpu.binary('add', one, scalar(2)).item()).toBe(3);
    expect(gpu.binary('add', one, scalar(2)).item()).toBe(3); // the cached upload of 2
  });

  plainTest('float64 is refused with a message that points to the CPU backend', () => {
    const d = new NDArray(new Float64Array([1, 2]), [2]);
    expect(() => gpu.unary('exp', d)).toThrow(
      "gpujs exp: argument 'input' expected float32 (the gpujs backend computes in float32), got float64 (float64 needs the CPU backend: setBackend(cpuBackend))",
    );
    expect(() => gpu.binary('add', new NDArray(new Float32Array(2), [2]), d)).toThrow(
      "gpujs add: argument 'input 1' expected float32",
    );
    expect(() => gpu.full([2], 1, 'float64')).toThrow(
      "gpujs full: argument 'dtype' expected float32 (the gpujs backend computes in float32), got float64",
    );
    expect(() => gpu.copy(new NDArray(new Float32Array(2), [2]), 'float64')).toThrow(
      "gpujs copy: argument 'dtype' expected float32",
    );
    expect(() => gpu.reduce('sum', new NDArray(new Float64Array(0), [0]), [0], false)).toThrow(
      "gpujs sum: argument 'input' expected float32",
    );
    expect(() => gpu.matmul(d.reshape([1, 2]), new NDArray(new Float64Array(0), [2, 0]))).toThrow(
      "gpujs matmul: argument 'input 0' expected float32",
    );
  });

  plainTest('a chain of kernels stays on the device and compiles each kernel once', () => {
    const x = new NDArray(
      Float32Array.from({ length: 64 }, (_, i) => i / 64),
      [8, 8],
    );
    const step = (): NDArray =>
      gpu.reduce('sum', gpu.unary('tanh', gpu.binary('mul', gpu.matmul(x, x), x)), [1], false);
    step(); // compiles
    const before = gpu.stats();
    let y = step();
    for (let i = 0; i < 5; i++) y = step();
    const after = gpu.stats();
    expect(after.compiles).toBe(before.compiles);
    expect(after.downloads).toBe(before.downloads);
    expect(after.uploads).toBe(before.uploads);
    expect(after.launches - before.launches).toBe(6 * 4);
    expectClose(y, cpu.reduce('sum', cpu.unary('tanh', cpu.binary('mul', cpu.matmul(x, x), x)), [1], false));
    if (mode === 'gpu') expect(gpu.stats().downloads).toBe(after.downloads + 1); // the read above
  });

  plainTest('release frees at once; scope frees what it created but what it keeps', () => {
    const x = new NDArray(new Float32Array([1, 2, 3]), [3]);
    gpu.release(gpu.unary('exp', x)); // in gpu mode this uploads x once (a live device copy, reused)
    const live = gpu.stats().live;
    const y = gpu.unary('exp', x);
    expect(gpu.stats().live).toBe(live + 1);
    gpu.release(y);
    expect(gpu.stats().live).toBe(live);
    expect(() => y.toArray()).toThrow(
      "gpujs: argument 'tensor' expected a tensor that is still alive, got a disposed tensor",
    );
    let kept: NDArray | undefined;
    gpu.scope(
      () => {
        const a = gpu.unary('exp', x);
        kept = gpu.binary('add', a, a);
        return kept;
      },
      () => [],
    );
    expect(gpu.stats().live).toBe(live);
    const k2 = gpu.scope(() => gpu.binary('add', gpu.unary('exp', x), x));
    expect(gpu.stats().live).toBe(live + 1);
    expect(k2.toArray()).toEqual(
      [1, 2, 3].map((v) => Math.fround(Math.exp(v) + v)).map((v, i) => expect.closeTo(v, 5) as unknown as number),
    );
    gpu.release(k2);
    void kept;
  });
});

describe('installing', () => {
  plainTest(
    'gpu.js is an optional peer dependency: a CPU-only install of @skipgrad/kernels builds no native OpenGL module',
    () => {
      const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      expect(Object.keys(manifest.dependencies ?? {})).not.toContain('gpu.js');
      expect(manifest.peerDependencies?.['gpu.js']).toMatch(/^\^2\./);
      expect(manifest.peerDependenciesMeta?.['gpu.js']?.optional).toBe(true);
    },
  );
});

describe('choosing the mode', () => {
  plainTest('unknown modes are refused', async () => {
    await expect(createGpujsBackend({ mode: 'cuda' as never })).rejects.toThrow(
      "createGpujsBackend: argument 'mode' expected 'auto', 'gpu', 'webasm' or 'cpu', got \"cuda\"",
    );
  });
  plainTest(
    "'auto' takes gpu where GL works, else webasm with one warning; 'gpu' never falls back silently",
    async () => {
      const warnings: string[] = [];
      const b = await createGpujsBackend({ mode: 'auto', warn: (m) => warnings.push(m) });
      expect(b.mode).toBe(glAvailable ? 'gpu' : 'webasm');
      expect(b.gpujsMode).toBe(glAvailable ? 'headlessgl' : 'webasm'); // gpu.js' own kernel class, named
      expect(warnings).toEqual(
        glAvailable
          ? []
          : [
              "skipgrad gpujs: no GL context (headless-gl is missing or there is no display), running the kernels in 'webasm' mode on the CPU",
            ],
      );
      b.destroy();
      if (glAvailable) (await createGpujsBackend({ mode: 'gpu' })).destroy();
      else
        await expect(createGpujsBackend({ mode: 'gpu' })).rejects.toThrow(
          "createGpujsBackend: argument 'mode' expected 'gpu' with a working GL context",
        );
    },
  );
});

describe.each(MODES)("gpujs '%s': results that outlive their backend", (mode) => {
  plainTest('are released without touching the destroyed context', async () => {
    const b = await createGpujsBackend({ mode });
    const y = b.unary('exp', new NDArray(new Float32Array([1, 2]), [2]));
    b.destroy();
    expect(() => b.release(y)).not.toThrow();
    expect(b.stats().live).toBe(mode === 'gpu' ? 1 : 0); // gpu mode: the uploaded input, never read again
  });
});

describe('a GPU without float textures', () => {
  // A stand-in gpu.js module: GL works, but only 8-bit 'unsigned' textures exist.
  const real = createRequire(import.meta.url)('gpu.js') as GpuModule;
  class UnsignedOnlyGPU extends (real.GPU as unknown as new (s: { mode?: string }) => object) {
    static isHeadlessGLSupported = true;
    static isSinglePrecisionSupported = false;
  }
  const gpujs = { GPU: UnsignedOnlyGPU } as unknown as GpuModule;

  plainTest("is refused in 'gpu' mode: its results would be quantised", async () => {
    await expect(createGpujsBackend({ mode: 'gpu', gpujs })).rejects.toThrow(
      "createGpujsBackend: argument 'precision' expected float32 textures (precision single), got a device with only 8-bit 'unsigned' textures (its results would be quantised; use mode 'webasm' or the CPU backend)",
    );
  });
  plainTest("is skipped by 'auto', with one line that says why", async () => {
    const warnings: string[] = [];
    const b = await createGpujsBackend({ mode: 'auto', gpujs, warn: (m) => warnings.push(m) });
    expect(b.mode).toBe('webasm');
    expect(warnings).toEqual([
      "skipgrad gpujs: this GPU has no float textures (only 8-bit 'unsigned' ones, which would quantise every value), running the kernels in 'webasm' mode on the CPU",
    ]);
    b.destroy();
  });
});

describe('gpu.js is loaded only when the gpujs backend is created', () => {
  plainTest('a program on the CPU backend never loads it; createGpujsBackend does', async () => {
    // A child process: import the engine, train a step on the CPU, then look for gpu.js among
    // the loaded modules; then create the gpujs backend and look again.
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url)('module')._cache).some((f) => f.includes('/gpu.js/'));
      const ag = await import('@skipgrad/autograd');
      const k = await import('@skipgrad/kernels');
      const x = ag.tensor([1, 2, 3], { requiresGrad: true });
      x.mul(x).sum().backward();
      const before = loaded();
      await k.createGpujsBackend({ mode: 'cpu' });
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const r = await runScript(script);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ before: false, after: true });
  });
});
