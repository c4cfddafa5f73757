/**
 * The CPU backend: plain TypeScript over Float32Array / Float64Array. It is the reference —
 * the "living definition" of every kernel that other backends are tested against.
 */
import { type Backend, conv2dByColumns, matmulThenEpilogue } from '../backend.js';
import { adam } from './adam.js';
import { concat, copy, full, pad } from './copy.js';
import { binary, unary } from './elementwise.js';
import { gelu, geluGrad } from './gelu.js';
import { matmul } from './matmul.js';
import { batchNorm, batchNormGrad, layerNorm, layerNormGrad } from './norm.js';
import { reduce } from './reduce.js';
import { sgd } from './sgd.js';
import { softmax, softmaxGrad } from './softmax.js';
import { gather, scatterAdd, where } from './select.js';
import { fold, unfold } from './window.js';

export function createCpuBackend(): Backend {
  return {
    name: 'cpu',
    unary,
    binary,
    reduce,
    matmul,
    concat,
    pad,
    copy,
    full,
    where,
    gather,
    scatterAdd,
    unfold,
    fold,
    gelu,
    geluGrad,
    softmax,
    softmaxGrad,
    layerNorm,
    layerNormGrad,
    batchNorm,
    batchNormGrad,
    adam,
    sgd,
    // A fused matmul is, by definition, matmul then add then relu: the reference does exactly that.
    fusedMatmul: (a, b, epilogue) => matmulThenEpilogue({ matmul, binary, unary }, a, b, epilogue),
    // Convolution is, by definition, unfold then matmul: the reference does exactly that.
    conv2d: (x, w, window) => conv2dByColumns({ unfold, matmul }, x, w, window),
  };
}

/** The one CPU backend instance (it holds no state, so one is enough). */
export const cpuBackend: Backend = createCpuBackend();
