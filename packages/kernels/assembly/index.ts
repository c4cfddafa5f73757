/**
 * The WebAssembly kernels of the wasm backend (src/wasm/), one module; each file is one family.
 * Every kernel takes byte addresses into the module's memory (which the backend owns and
 * allocates) and, where it can be split over threads, a range of rows or images to do.
 */
export { unary, binary } from './elementwise';
export { sumInto, addF64, roundToF32, maxInto } from './reduce';
export { matmul, matmulScratch, packAll, packedASize, matmulBatch, batchScratch } from './matmul';
export { copy, fill } from './copy';
export { where, gather, scatterAddInto } from './select';
export { unfold, foldInto } from './window';
export { conv2d, conv2dScratch } from './conv';
export { gelu, geluGrad } from './gelu';
export { adam } from './adam';
export { sgd } from './sgd';
export { softmaxRows, softmaxGradRows } from './softmax';
export { layerNormRows, layerNormGradRows, layerNormParamGrads, batchNormChannels, batchNormGradChannels } from './norm';

/** The first address past the module's static data: where the backend's heap begins. */
export function heapBase(): usize { return __heap_base; }
