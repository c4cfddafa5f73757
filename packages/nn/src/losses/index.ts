/** Loss functions: classification (nll, cross-entropy, binary cross-entropy) and regression. */
export { type Reduction } from './reduce.js';
export {
  type NllOptions,
  type CrossEntropyOptions,
  type BceOptions,
  nllLoss,
  crossEntropy,
  bceWithLogits,
} from './classification.js';
export { mseLoss, l1Loss, smoothL1Loss, huberLoss } from './regression.js';
