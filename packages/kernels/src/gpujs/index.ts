/**
 * The gpujs backend: every Backend kernel as a gpu.js kernel, with results kept on the device.
 *
 *   const backend = await createGpujsBackend({ mode: 'auto' });   // loads gpu.js now, not before
 *   setBackend(backend);                                           // from @skipgrad/autograd
 *   backend.mode;                                                  // the mode that actually runs
 *
 * Modes: `gpu` runs GLSL shaders through WebGL or, in Node, headless-gl; `webasm` compiles the
 * kernels to WebAssembly (SIMD) on the CPU; `cpu` is gpu.js's plain-JavaScript reference;
 * `auto` takes `gpu` when a GL context can be made, else `webasm`, and says so once.
 *
 * Files: loader.ts loads gpu.js and chooses the mode; backend.ts is the Backend; runner.ts runs
 * a plan and keeps the caches; kernels.ts and source.ts write the kernels; device.ts is the
 * device storage.
 *
 * How a kernel runs: kernels.ts writes its source for the exact shapes and strides of the call;
 * the compiled kernel is cached under that source (so a training loop compiles each kernel
 * once); inputs are passed as the device handles of earlier results (uploaded once if they are
 * host arrays); the result is wrapped as device storage (device.ts) and comes back to the host
 * only when read. float32 only: float64 arrays are refused with a message naming the op.
 */
export { type GpujsBackend } from './backend.js';
export { type GpuModule, type GpujsMode, type GpujsOptions, createGpujsBackend } from './loader.js';
