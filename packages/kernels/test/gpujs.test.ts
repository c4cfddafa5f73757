// The gpujs backend against the CPU reference, kernel by kernel, over generated strided
// views (broadcasting, transposes, offsets, rank 0, zero-size), in every gpu.js mode this
// machine can run: 'cpu' and 'webasm' always, 'gpu' (real GLSL through headless-gl) where a GL
// context exists. CI sets SKIPGRAD_REQUIRE_GL=1 and runs under xvfb-run, so there 'gpu' must run.
import { createRequire } from 'node:module';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test as plainTest } from 'vitest';
import { NDArray, sizeOf } from '@skipgrad/tensor';
import { BINARY_OPS, UNARY_OPS, type Window2d, cpuBackend as cpu, createGpujsBackend, windowOutputSize } from '../src/index.js';
import type { GpujsBackend, GpuModule } from '../src/gpujs/index.js';
import { runs } from '../../../tests/support.js';
import { pairArbOf, shapeArb, stridedView } from './arbitraries.js';

const glAvailable = (createRequire(import.meta.url)('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } }).GPU.isHeadlessGLSupported;
const MODES: ('cpu' | 'webasm' | 'gpu')[] = ['cpu', 'webasm', ...(glAvailable ? ['gpu' as const] : [])];
const f32 = fc.constant('float32' as const);
const view = (shape: number[]): fc.Arbitrary<NDArray> => stridedView(shape, 'float32');

plainTest('GPU tests run real GLSL where required', () => {
  console.log(`gpujs parity modes on this machine: ${MODES.join(', ')}${glAvailable ? ' (headless-gl: GLSL shaders run)' : ' (no GL context: no GLSL here)'}`);
  if (process.env.SKIPGRAD_REQUIRE_GL === '1') expect(glAvailable, 'SKIPGRAD_REQUIRE_GL=1 but headless-gl has no context (is gl built, and is this under xvfb-run?)').toBe(true);
});

/** Equal within float32 rounding: NaN where the reference is NaN, same infinities. */
function expectClose(got: NDArray, want: NDArray, tolerance = 2e-5): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const [x, y] = [g[i]!, w[i]!];
    if (Number.isNaN(y) || !Number.isFinite(y)) expect(x, `element ${i}`).toBe(y);
    else expect(Math.abs(x - y), `element ${i}: ${x} vs ${y}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(y)));
  }
}

describe.each(MODES)("gpujs backend in '%s' mode equals the CPU reference", (mode) => {
  let gpu: GpujsBackend;
  beforeAll(async () => { gpu = await createGpujsBackend({ mode }); });
  afterAll(() => gpu.destroy());

  plainTest('reports the mode that runs', () => {
    expect(gpu.name).toBe('gpujs');
    expect(gpu.mode).toBe(mode);
  });

  test.prop([pairArbOf(f32), fc.constantFrom(...BINARY_OPS)], runs(60))('binary ops, broadcasting', ([a, b], op) => {
    expectClose(gpu.binary(op, a, b), cpu.binary(op, a, b));
  });

  test.prop([shapeArb.chain(view), fc.constantFrom(...UNARY_OPS)], runs(60))('unary ops', (a, op) => {
    expectClose(gpu.unary(op, a), cpu.unary(op, a));
  });

  test.prop([shapeArb.chain((s) => fc.tuple(view(s), fc.subarray(s.map((_, i) => i)), fc.boolean()))], runs(50))('sum and max over any axes', ([a, axes, keepdim]) => {
    expectClose(gpu.reduce('sum', a, axes, keepdim), cpu.reduce('sum', a, axes, keepdim));
    if (!axes.some((d) => a.shape[d] === 0)) expectClose(gpu.reduce('max', a, axes, keepdim), cpu.reduce('max', a, axes, keepdim));
  });

  const mm = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 2 }), fc.boolean())
    .chain(([n, k, m, batch, broadcast]) => fc.tuple(view([batch, n, k]), broadcast ? view([k, m]) : view([batch, k, m])));
  test.prop([mm], runs(40))('batched matmul', ([a, b]) => {
    expectClose(gpu.matmul(a, b), cpu.matmul(a, b));
  });
  test.prop([fc.constant(0)], runs(1))('matmul of transposed views', () => {
    const a = new NDArray(Float32Array.from({ length: 12 }, (_, i) => i - 5), [3, 4]);
    expectClose(gpu.matmul(a.transpose(0, 1), a), cpu.matmul(a.transpose(0, 1), a));
  });

  test.prop([fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }))
    .chain(([base, sides]) => fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.constant(base), fc.constant(sides)))
    .chain(([axis, base, sides]) => fc.tuple(fc.constant(axis), fc.tuple(...sides.map((side) => view(base.map((s, i) => (i === axis ? side : s)))))))], runs(40))(
    'concat', ([axis, pieces]) => {
      expectClose(gpu.concat(pieces, axis), cpu.concat(pieces, axis));
    });

  test.prop([shapeArb.chain((s) => fc.tuple(view(s), fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2))))))], runs(40))('pad, copy and full', ([a, pads]) => {
    expectClose(gpu.pad(a, pads, -7), cpu.pad(a, pads, -7));
    expectClose(gpu.copy(a), cpu.copy(a));
    expectClose(gpu.full(a.shape, 2.5, 'float32'), cpu.full(a.shape, 2.5, 'float32'));
  });

  test.prop([pairArbOf(f32).chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), view([...b.shape]).map((c) => cpu.binary('eq', cpu.unary('step', c), cpu.full([], 1, 'float32')))))], runs(40))(
    'where', ([a, b, cond]) => {
      expectClose(gpu.where(cond, a, b), cpu.where(cond, a, b));
    });

  const gatherArb = fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.nat())
    .chain(([shape, k]) => {
      const axis = k % shape.length;
      const idxShape = shape.map((s, d) => (d === axis ? s + 1 : s));
      return fc.tuple(fc.constant(axis), view(shape),
        fc.array(fc.nat(shape[axis]! - 1), { minLength: sizeOf(idxShape), maxLength: sizeOf(idxShape) }).map((v) => new NDArray(Float32Array.from(v), idxShape)),
        view(idxShape));
    });
  test.prop([gatherArb], runs(40))('gather and scatterAdd', ([axis, a, index, src]) => {
    expectClose(gpu.gather(a, axis, index), cpu.gather(a, axis, index));
    expectClose(gpu.scatterAdd(a.shape, axis, index, src), cpu.scatterAdd(a.shape, axis, index, src));
  });

  const windowArb = fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }),
    kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.tuple(fc.nat(1), fc.nat(1)), dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  }).filter((o) => windowOutputSize(o.h, o.kernel[0], o.stride[0], o.padding[0], o.dilation[0]) >= 1 && windowOutputSize(o.w, o.kernel[1], o.stride[1], o.padding[1], o.dilation[1]) >= 1);
  test.prop([windowArb.chain((o) => fc.tuple(fc.constant(o), view([o.n, o.c, o.h, o.w])))], runs(40))('unfold and fold', ([o, x]) => {
    const window: Window2d = { kernel: o.kernel, stride: o.stride, padding: o.padding, dilation: o.dilation };
    const cols = cpu.unfold(x, window);
    expectClose(gpu.unfold(x, window), cols);
    expectClose(gpu.fold(cols, [o.h, o.w], window), cpu.fold(cols, [o.h, o.w], window));
  });

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
    expect(() => gpu.unary('exp', d)).toThrow("gpujs exp: argument 'input' expected float32 (the gpujs backend computes in float32), got float64 (float64 needs the CPU backend: setBackend(cpuBackend))");
    expect(() => gpu.binary('add', new NDArray(new Float32Array(2), [2]), d)).toThrow("gpujs add: argument 'input 1' expected float32");
    expect(() => gpu.full([2], 1, 'float64')).toThrow("gpujs full: argument 'dtype' expected float32 (the gpujs backend computes in float32), got float64");
    expect(() => gpu.copy(new NDArray(new Float32Array(2), [2]), 'float64')).toThrow("gpujs copy: argument 'dtype' expected float32");
    expect(() => gpu.reduce('sum', new NDArray(new Float64Array(0), [0]), [0], false)).toThrow("gpujs sum: argument 'input' expected float32");
    expect(() => gpu.matmul(d.reshape([1, 2]), new NDArray(new Float64Array(0), [2, 0]))).toThrow("gpujs matmul: argument 'input 0' expected float32");
  });

  plainTest('a chain of kernels stays on the device and compiles each kernel once', () => {
    const x = new NDArray(Float32Array.from({ length: 64 }, (_, i) => i / 64), [8, 8]);
    const step = (): NDArray => gpu.reduce('sum', gpu.unary('tanh', gpu.binary('mul', gpu.matmul(x, x), x)), [1], false);
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
    expect(() => y.toArray()).toThrow('gpujs: argument \'tensor\' expected a tensor that is still alive, got a disposed tensor');
    let kept: NDArray | undefined;
    gpu.scope(() => {
      const a = gpu.unary('exp', x);
      kept = gpu.binary('add', a, a);
      return kept;
    }, () => []);
    expect(gpu.stats().live).toBe(live);
    const k2 = gpu.scope(() => gpu.binary('add', gpu.unary('exp', x), x));
    expect(gpu.stats().live).toBe(live + 1);
    expect(k2.toArray()).toEqual([1, 2, 3].map((v) => Math.fround(Math.exp(v) + v)).map((v, i) => expect.closeTo(v, 5) as unknown as number));
    gpu.release(k2);
    void kept;
  });
});

describe('choosing the mode', () => {
  plainTest('unknown modes are refused', async () => {
    await expect(createGpujsBackend({ mode: 'cuda' as never })).rejects.toThrow("createGpujsBackend: argument 'mode' expected 'auto', 'gpu', 'webasm' or 'cpu', got \"cuda\"");
  });
  plainTest("'auto' takes gpu where GL works, else webasm with one warning; 'gpu' never falls back silently", async () => {
    const warnings: string[] = [];
    const b = await createGpujsBackend({ mode: 'auto', warn: (m) => warnings.push(m) });
    expect(b.mode).toBe(glAvailable ? 'gpu' : 'webasm');
    expect(warnings).toEqual(glAvailable ? [] : ["skipgrad gpujs: no GL context (headless-gl is missing or there is no display), running the kernels in 'webasm' mode on the CPU"]);
    b.destroy();
    if (glAvailable) (await createGpujsBackend({ mode: 'gpu' })).destroy();
    else await expect(createGpujsBackend({ mode: 'gpu' })).rejects.toThrow("createGpujsBackend: argument 'mode' expected 'gpu' with a working GL context");
  });
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
      "createGpujsBackend: argument 'precision' expected float32 textures (precision single), got a device with only 8-bit 'unsigned' textures (its results would be quantised; use mode 'webasm' or the CPU backend)");
  });
  plainTest("is skipped by 'auto', with one line that says why", async () => {
    const warnings: string[] = [];
    const b = await createGpujsBackend({ mode: 'auto', gpujs, warn: (m) => warnings.push(m) });
    expect(b.mode).toBe('webasm');
    expect(warnings).toEqual(["skipgrad gpujs: this GPU has no float textures (only 8-bit 'unsigned' ones, which would quantise every value), running the kernels in 'webasm' mode on the CPU"]);
    b.destroy();
  });
});

describe('gpu.js is loaded only when the gpujs backend is created', () => {
  plainTest('a program on the CPU backend never loads it; createGpujsBackend does', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
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
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ before: false, after: true });
  });
});
