/**
 * @skipgrad/nn — modules, layers, losses, optimizers, and the skip-connection blocks:
 * Residual (ResNet), DenseConcat (DenseNet, U-Net), Highway, ReZero, SkipInit, LayerScale, DualPath
 * (the hybrid), and the transformer's residual stream (TransformerEncoderLayer, VisionTransformer).
 *
 * @example
 * import { Sequential, Linear, Tanh, Residual, SGD, crossEntropy } from '@skipgrad/nn';
 * const net = new Sequential(new Linear(4, 8), new Residual(new Sequential(new Linear(8, 8), new Tanh())), new Linear(8, 3));
 */
export { Module, Parameter, Buffer, checkInput } from './module.js';
export { type InitOptions, fans, kaimingUniform, kaimingNormal, xavierUniform, xavierNormal, uniform } from './init.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export {
  ReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  LeakyReLU,
  ELU,
  Softplus,
  Hardtanh,
  Identity,
  Flatten,
  Dropout,
} from './layers/basic.js';
export {
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  Upsample,
  PADDING_MODES,
  type PaddingMode,
  type ConvLayerOptions,
  type Conv1dLayerOptions,
} from './layers/conv.js';
export { Sequential, ModuleList } from './layers/containers.js';
export { Embedding, SinusoidalPositionalEncoding, LearnedPositionalEncoding } from './layers/embedding.js';
export { MultiheadAttention, type AttentionMasks, type MultiheadAttentionOptions } from './layers/attention.js';
export {
  TransformerEncoderLayer,
  RESIDUAL_SCALES,
  type ResidualScale,
  type TransformerEncoderLayerOptions,
} from './layers/transformer.js';
export {
  LayerNorm,
  BatchNorm1d,
  BatchNorm2d,
  GroupNorm,
  InstanceNorm2d,
  type NormOptions,
  type BatchNormOptions,
} from './layers/norm.js';
export {
  type Reduction,
  type NllOptions,
  type CrossEntropyOptions,
  type BceOptions,
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  nllLoss,
  crossEntropy,
  bceWithLogits,
} from './losses/index.js';
export {
  Optimizer,
  type BaseOptions,
  type ParamGroup,
  type Params,
  type ParamState,
  type Update,
} from './optim/optimizer.js';
export { SGD, type SGDOptions, type SGDGroupOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamGroupOptions } from './optim/adam.js';
export {
  RMSprop,
  Adagrad,
  type RMSpropOptions,
  type RMSpropGroupOptions,
  type AdagradOptions,
  type AdagradGroupOptions,
} from './optim/rmsprop.js';
export { LRScheduler, type LRFactor, stepLR, cosineLR, linearWarmup, clipGradNorm } from './optim/schedule.js';
export { Residual, ReZero, DenseConcat } from './skip/residual.js';
export { SkipInit, LayerScale } from './skip/scaled.js';
export { DualPath } from './skip/dual-path.js';
export { Highway, type HighwayOptions } from './skip/highway.js';
export { mlp, type MLPKind, type MLPOptions } from './models/mlp.js';
export {
  basicBlock,
  preActBlock,
  bottleneckBlock,
  resnetCifar,
  type BlockOptions,
  type ResNetOptions,
} from './models/resnet.js';
export { denseLayer, denseBlock, transition, denseNetBC, type DenseNetOptions } from './models/densenet.js';
export { VisionTransformer, type ViTOptions } from './models/vit.js';
export { UNet, convBlock, type UNetOptions } from './models/unet.js';
export { serializeSafetensors, parseSafetensors, type SafetensorsFile } from './safetensors.js';
export { saveModel, loadModel } from './io.js';
