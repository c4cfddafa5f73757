/** Every op, primitive and composite. Each primitive's file holds its math, forward and backward. */
export { add } from './add.js';
export { sub } from './sub.js';
export { neg } from './neg.js';
export { mul } from './mul.js';
export { div } from './div.js';
export { pow } from './pow.js';
export { exp } from './exp.js';
export { log } from './log.js';
export { relu } from './relu.js';
export { abs } from './abs.js';
export { erf } from './erf.js';
export { tanh } from './tanh.js';
export { sigmoid } from './sigmoid.js';
export { sum } from './sum.js';
export { mean } from './mean.js';
export { max } from './max.js';
export { reshape } from './reshape.js';
export { permute } from './permute.js';
export { expand } from './expand.js';
export { slice } from './slice.js';
export { pad } from './pad.js';
export { concat } from './concat.js';
export { matmul, scaledMatmul } from './matmul.js';
export { linear, type LinearOptions } from './linear.js';
export { layerNorm, type LayerNormOptions, batchNorm, nativeBatchNorm, type BatchNormOptions } from './norm.js';
export { cast } from './cast.js';
export { transpose, squeeze, unsqueeze, flatten, narrow } from './shape.js';
export { split, stack } from './split.js';
export { softmax, logSoftmax, logSumExp } from './softmax.js';
export { sqrt } from './sqrt.js';
export { dropout, type DropoutOptions } from './dropout.js';
export { clamp } from './clamp.js';
export { gelu } from './gelu.js';
export { where } from './where.js';
export { gather, scatterAdd, maskedSelect } from './gather.js';
export { unfold } from './unfold.js';
export { fold } from './fold.js';
export {
  conv1d,
  conv2d,
  convTranspose2d,
  type Conv1dOptions,
  type ConvOptions,
  type ConvTransposeOptions,
} from './conv.js';
export {
  maxPool2d,
  maxPool2dWithIndices,
  avgPool2d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  upsampleNearest,
  type PoolOptions,
  type AvgPoolOptions,
} from './pool.js';
export { type Pair, type WindowOptions } from './window.js';
export { scaledDotProductAttention, attentionWeights, type AttentionOptions } from './attention.js';
export { min, argmax, argmin, variance, std, type VarianceOptions } from './reductions.js';
export { silu, leakyRelu, elu, softplus, hardtanh } from './activations.js';
export { padWith, PAD_MODES, type PadMode } from './pad-modes.js';
export { interpolate, type InterpolateOptions } from './interpolate.js';
