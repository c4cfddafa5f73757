/**
 * @skipgrad/tensor — the strided array type, shape algebra, dtypes and storage, host side.
 * Imports nothing of ours; every other package builds on it.
 */
export { SkipgradError, describe, formatShape } from './errors.js';
export {
  MAX_ELEMENTS,
  checkSize,
  checkOptions,
  checkInteger,
  checkNumber,
  checkProbability,
  checkBoolean,
  checkFunction,
  checkString,
  checkList,
} from './args.js';
export {
  type DType,
  type Storage,
  type DeviceStorage,
  DTYPES,
  isDType,
  checkDType,
  allocate,
  dtypeOf,
  isDeviceStorage,
} from './dtype.js';
export {
  type Shape,
  sizeOf,
  contiguousStrides,
  shapesEqual,
  checkShape,
  broadcastShapes,
  reductionAxes,
  normalizeAxis,
  normalizeAxes,
} from './shape.js';
export { NDArray, type NestedArray, forEachOffset, checkPermutation, normalizeRanges } from './ndarray.js';
export { walkRows, walkPair, rowLength, rowStep } from './walk.js';
export {
  type CreateOptions,
  type RandomOptions,
  fromData,
  full,
  zeros,
  ones,
  arange,
  linspace,
  eye,
  rand,
  randn,
} from './create.js';
export { Generator, defaultGenerator, manualSeed, checkGenerator } from './random.js';
export { formatArray } from './format.js';
