/**
 * Seeded initialisers. Each returns fresh values for a weight of `shape`, whose fan-in is
 * the product of all sides but the first (a Linear weight [out, in] has fan-in `in`; a conv
 * weight [out, in, kh, kw] has in·kh·kw) and fan-out the product of all sides but the second.
 *
 *   Kaiming (He et al., 2015), for ReLU layers:  std = gain / √fan_in, gain = √2
 *   Xavier (Glorot & Bengio, 2010), for tanh:     std = gain · √(2 / (fan_in + fan_out))
 *
 * Uniform variants draw from [−b, b] with b = √3 · std (same variance).
 */
import {
  type DType,
  Generator,
  NDArray,
  SkipgradError,
  allocate,
  checkDType,
  checkNumber,
  checkOptions,
  checkShape,
  checkSize,
  checkString,
  defaultGenerator,
  describe,
  sizeOf,
  formatShape,
} from '@skipgrad/tensor';

export interface InitOptions {
  generator?: Generator;
  dtype?: DType;
  /** Scale factor; default √2 for Kaiming (ReLU), 1 for Xavier. */
  gain?: number;
}

/**
 * Fan-in and fan-out of a weight shape [out, in, ...].
 *
 * @example
 * fans([64, 16, 3, 3]); // {"fanIn": 144, "fanOut": 576}
 */
export function fans(shape: readonly number[], op = 'fans'): { fanIn: number; fanOut: number } {
  checkString('fans', 'op', op, 'the name its errors use (a string)');
  checkShape(op, 'shape', shape);
  if (shape.length < 2)
    throw new SkipgradError(op, 'shape', 'a weight shape of rank >= 2 ([out, in, ...])', `${formatShape(shape)}`);
  const receptive = sizeOf(shape.slice(2));
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** An initialiser's options, checked by name: gain a finite number > 0, a Generator, a dtype. */
function checkInit(op: string, options: unknown): InitOptions {
  const o = checkOptions<InitOptions>(op, options, ['gain', 'generator', 'dtype']);
  if (o.gain !== undefined) checkNumber(op, 'gain', o.gain, 0, Infinity, true);
  if (o.generator !== undefined && !(o.generator instanceof Generator))
    throw new SkipgradError(op, 'generator', 'a Generator (new Generator(seed))', describe(o.generator));
  if (o.dtype !== undefined) checkDType(op, o.dtype);
  return o;
}

function draw(op: string, shape: readonly number[], std: number, uniform: boolean, o: InitOptions): NDArray {
  const g = o.generator ?? defaultGenerator;
  const data = allocate(o.dtype ?? 'float32', checkSize(op, checkShape(op, 'shape', shape)));
  const bound = Math.sqrt(3) * std;
  for (let i = 0; i < data.length; i++) data[i] = uniform ? (2 * g.uniform() - 1) * bound : g.normal() * std;
  return new NDArray(data, [...shape]);
}

/**
 * He-uniform initial values (for ReLU layers).
 *
 * @example
 * kaimingUniform([4, 3], { generator: new Generator(0) }).shape; // [4, 3]
 */
export function kaimingUniform(shape: readonly number[], options: InitOptions = {}): NDArray {
  const o = checkInit('kaimingUniform', options);
  return draw(
    'kaimingUniform',
    shape,
    (o.gain ?? Math.SQRT2) / Math.sqrt(fans(shape, 'kaimingUniform').fanIn),
    true,
    o,
  );
}

/**
 * He-normal initial values (for ReLU layers).
 *
 * @example
 * kaimingNormal([256, 128], { generator: new Generator(0) }).shape; // [256, 128]
 */
export function kaimingNormal(shape: readonly number[], options: InitOptions = {}): NDArray {
  const o = checkInit('kaimingNormal', options);
  return draw('kaimingNormal', shape, (o.gain ?? Math.SQRT2) / Math.sqrt(fans(shape, 'kaimingNormal').fanIn), false, o);
}

/**
 * Glorot-uniform initial values (for tanh layers).
 *
 * @example
 * xavierUniform([4, 3], { generator: new Generator(0) }).shape; // [4, 3]
 */
export function xavierUniform(shape: readonly number[], options: InitOptions = {}): NDArray {
  const o = checkInit('xavierUniform', options);
  const { fanIn, fanOut } = fans(shape, 'xavierUniform');
  return draw('xavierUniform', shape, (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), true, o);
}

/**
 * Glorot-normal initial values (for tanh layers).
 *
 * @example
 * xavierNormal([4, 3], { generator: new Generator(0) }).shape; // [4, 3]
 */
export function xavierNormal(shape: readonly number[], options: InitOptions = {}): NDArray {
  const o = checkInit('xavierNormal', options);
  const { fanIn, fanOut } = fans(shape, 'xavierNormal');
  return draw('xavierNormal', shape, (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), false, o);
}

/**
 * Uniform in [−bound, bound] (PyTorch's default bias init uses bound = 1/√fan_in).
 *
 * @example
 * uniform([3], 0.5, { generator: new Generator(0) }).shape; // [3]
 */
export function uniform(shape: readonly number[], bound: number, options: InitOptions = {}): NDArray {
  const o = checkInit('uniform', options);
  return draw('uniform', shape, checkNumber('uniform', 'bound', bound, 0) / Math.sqrt(3), true, o);
}
