/**
 * Loading gpu.js and choosing the mode: gpu.js is imported only here, when a gpujs backend is
 * created (it is an optional peer dependency), and `auto` picks GLSL where a GL context with
 * float textures exists, else WebAssembly, saying so once. Asking for `gpu` where it cannot run
 * is an error, never a silent fallback.
 */
import { SkipgradError, describe } from '@skipgrad/tensor';
import { GpujsBackendImpl, type GpujsBackend } from './backend.js';

export type GpujsMode = 'auto' | 'gpu' | 'webasm' | 'cpu';

export interface GpujsOptions {
  /** Which gpu.js backend runs the kernels (default 'auto'). */
  mode?: GpujsMode;
  /** Where the one-line notices go (a fallback from `auto`); default console.warn. */
  warn?: (message: string) => void;
  /**
   * The gpu.js module to use instead of `import('gpu.js')`: for bundlers that provide it
   * themselves, and for tests that stand in a device without float textures.
   */
  gpujs?: GpuModule;
}

// The part of gpu.js we use, typed here so that importing this file never loads gpu.js.
export interface GpuKernel {
  (...args: unknown[]): unknown;
}
export interface GpuInstance {
  readonly mode: string;
  /** The kernel class gpu.js chose (one of the module's own: WebGL2Kernel, HeadlessGLKernel, …). */
  readonly Kernel?: unknown;
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
  destroy(): void;
}
export interface GpuModule {
  GPU: {
    new (settings: { mode?: string }): GpuInstance;
    isHeadlessGLSupported: boolean;
    isSinglePrecisionSupported: boolean;
  };
  WebGL2Kernel?: unknown;
  WebGLKernel?: unknown;
  HeadlessGLKernel?: unknown;
  WebAssemblyKernel?: unknown;
  CPUKernel?: unknown;
}

/** gpu.js' own name for the kernel class it chose ('webgl2', 'headlessgl', …); its GL classes all call their mode 'gpu'. */
function kernelKind(module: GpuModule, gpu: GpuInstance): string {
  const kinds: [string, unknown][] = [
    ['webgl2', module.WebGL2Kernel],
    ['webgl', module.WebGLKernel],
    ['headlessgl', module.HeadlessGLKernel],
    ['webasm', module.WebAssemblyKernel],
    ['cpu', module.CPUKernel],
  ];
  return kinds.find(([, kernel]) => kernel !== undefined && gpu.Kernel === kernel)?.[0] ?? gpu.mode;
}

async function loadGpuJs(): Promise<GpuModule> {
  try {
    const module = (await import('gpu.js')) as unknown as GpuModule & { default?: GpuModule };
    return module.GPU ? module : module.default!;
  } catch (e) {
    // gpu.js is an optional peer dependency: a CPU-only install never builds its native OpenGL module.
    throw new SkipgradError(
      'createGpujsBackend',
      'gpu.js',
      "the npm package 'gpu.js' installed (the gpujs backend's optional peer dependency)",
      `it failed to load (${(e as Error).message})`,
      'install it beside @skipgrad/kernels: npm install gpu.js@2.24.1',
    );
  }
}

/** Creates the backend, loading gpu.js (and, in gpu mode, a GL context) now. */
export async function createGpujsBackend(options: GpujsOptions = {}): Promise<GpujsBackend> {
  const requested = options.mode ?? 'auto';
  if (!['auto', 'gpu', 'webasm', 'cpu'].includes(requested)) {
    throw new SkipgradError('createGpujsBackend', 'mode', "'auto', 'gpu', 'webasm' or 'cpu'", describe(requested));
  }
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const module = options.gpujs ?? (await loadGpuJs());
  const { GPU } = module;
  const inNode = typeof process !== 'undefined' && !!process.versions?.node;
  const glAvailable = inNode ? GPU.isHeadlessGLSupported : true;
  // gpu.js falls back to 8-bit 'unsigned' textures where float textures are missing: every
  // value would be quantised. That is never used: refused when asked for, skipped by 'auto'.
  const floatTextures = GPU.isSinglePrecisionSupported;
  let mode: 'gpu' | 'webasm' | 'cpu';
  if (requested === 'auto') {
    mode = glAvailable && floatTextures ? 'gpu' : 'webasm';
    if (!glAvailable)
      warn(
        "skipgrad gpujs: no GL context (headless-gl is missing or there is no display), running the kernels in 'webasm' mode on the CPU",
      );
    else if (!floatTextures)
      warn(
        "skipgrad gpujs: this GPU has no float textures (only 8-bit 'unsigned' ones, which would quantise every value), running the kernels in 'webasm' mode on the CPU",
      );
  } else {
    mode = requested;
    if (mode === 'gpu' && !glAvailable) {
      throw new SkipgradError(
        'createGpujsBackend',
        'mode',
        "'gpu' with a working GL context (headless-gl built, and a display: xvfb-run on a server)",
        'no GL context',
        "choose mode 'webasm' or 'auto'",
      );
    }
    if (mode === 'gpu' && !floatTextures) {
      throw new SkipgradError(
        'createGpujsBackend',
        'precision',
        'float32 textures (precision single)',
        "a device with only 8-bit 'unsigned' textures",
        "its results would be quantised; use mode 'webasm' or the CPU backend",
      );
    }
  }
  const gpu = new GPU({ mode: mode === 'gpu' ? (inNode ? 'headlessgl' : 'gpu') : mode });
  const gpujsMode = kernelKind(module, gpu);
  if (mode === 'gpu' && !['headlessgl', 'webgl2', 'webgl'].includes(gpujsMode)) {
    throw new SkipgradError(
      'createGpujsBackend',
      'mode',
      "'gpu' running on a GL backend (WebGL in a page, headless-gl in Node)",
      `gpu.js chose '${gpujsMode}'`,
      "this browser gives no WebGL context; choose mode 'webasm' or another backend",
    );
  }
  return new GpujsBackendImpl(gpu, mode, gpujsMode);
}
