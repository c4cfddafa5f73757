/**
 * @skipgrad/kernels — the Backend interface and its implementations: the plain-JS CPU backend
 * (the reference), the wasm backend (WebAssembly SIMD and threads, the default) and the gpujs
 * backend (gpu.js).
 */
export {
  type Backend,
  type UnaryOp,
  type BinaryOp,
  type ReduceOp,
  type Window2d,
  type MatmulEpilogue,
  type NormResult,
  type NormStats,
  type BatchNormResult,
  type NormGrads,
  type AdamScalars,
  type AdamResult,
  type SGDScalars,
  type SGDResult,
  UNARY_OPS,
  BINARY_OPS,
  matmulThenEpilogue,
  conv2dInputGradByColumns,
  conv2dWeightGradByColumns,
  windowOutputSize,
} from './backend.js';
export { cpuBackend, createCpuBackend } from './cpu/index.js';
// The gpujs backend: this import loads no gpu.js; createGpujsBackend does, when called.
export {
  createGpujsBackend,
  type GpujsBackend,
  type GpujsMode,
  type GpujsOptions,
  type GpuModule,
} from './gpujs/index.js';
// The wasm backend: WebAssembly SIMD kernels over memory it owns (compiled once, on first use).
export { createWasmBackend, type WasmBackend, type WasmInfo, type WasmOptions } from './wasm/index.js';
export { simdSupported as wasmSimdSupported } from './wasm/module.js';
