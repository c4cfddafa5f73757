/**
 * Making arrays on the host: from nested arrays or typed arrays, constant fills, ranges, the
 * identity, and seeded random draws. Each checks its arguments and names itself on error.
 */
import { type DType, type Storage, allocate, checkDType, dtypeOf } from './dtype.js';
import { SkipgradError, describe, formatShape } from './errors.js';
import { NDArray, type NestedArray } from './ndarray.js';
import { checkOptions, checkSize } from './args.js';
import { Generator, defaultGenerator } from './random.js';
import { checkShape, sizeOf } from './shape.js';

export interface CreateOptions {
  dtype?: DType;
}
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** The dtype an options object asks for (float32 by default), its keys checked. */
function dtypeIn(op: string, options: unknown, known: readonly string[] = ['dtype']): DType {
  const o = checkOptions<CreateOptions>(op, options, known);
  return checkDType(op, o.dtype ?? 'float32');
}

/** The generator a random creator draws from: the given one (a Generator) or the global one. */
function generatorIn(op: string, options: RandomOptions): Generator {
  const g = options.generator;
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator))
    throw new SkipgradError(op, 'generator', 'a Generator (new Generator(seed))', describe(g));
  return g;
}

/**
 * An array from nested number arrays (`[[1, 2], [3, 4]]`), a number (a scalar), or a typed
 * array with `shape` (default: 1-D). Ragged nesting or a non-number element is an error.
 */
export function fromData(
  op: string,
  data: unknown,
  options: CreateOptions & { shape?: readonly number[] } = {},
): NDArray {
  checkOptions(op, options, ['dtype', 'shape']);
  if (ArrayBuffer.isView(data)) {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new SkipgradError(op, 'data', 'a Float32Array or Float64Array', describe(data));
    }
    const dtype = options.dtype === undefined ? dtypeOf(data) : checkDType(op, options.dtype);
    const shape = options.shape === undefined ? [data.length] : checkShape(op, 'shape', options.shape);
    if (sizeOf(shape) !== data.length) {
      throw new SkipgradError(
        op,
        'shape',
        `a shape with ${data.length} elements (the data's length)`,
        formatShape(shape),
      );
    }
    const storage = allocate(dtype, data.length);
    storage.set(data);
    return new NDArray(storage, shape);
  }
  const dtype = checkDType(op, options.dtype ?? 'float32');
  const shape = inferNestedShape(op, data);
  if (options.shape !== undefined && sizeOf(checkShape(op, 'shape', options.shape)) !== sizeOf(shape)) {
    throw new SkipgradError(op, 'shape', `a shape with ${sizeOf(shape)} elements`, formatShape(options.shape));
  }
  const storage = allocate(dtype, sizeOf(shape));
  let i = 0;
  const fill = (node: NestedArray): void => {
    if (typeof node === 'number') storage[i++] = node;
    else for (const child of node) fill(child);
  };
  fill(data as NestedArray);
  const array = new NDArray(storage, shape);
  return options.shape === undefined ? array : array.reshape(options.shape);
}

/** The shape of a nested array, checking that every level is rectangular and holds numbers. */
function inferNestedShape(op: string, data: unknown): number[] {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const check = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new SkipgradError(op, `data${path}`, 'a number', describe(node));
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new SkipgradError(
        op,
        `data${path}`,
        `an array of length ${shape[depth]} (nesting must be rectangular)`,
        describe(node),
      );
    }
    node.forEach((child, i) => check(child, depth + 1, `${path}[${i}]`));
  };
  check(data, 0, '');
  return shape;
}

/** An array of `shape` with every element `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}, op = 'full'): NDArray {
  const s = checkShape(op, 'shape', shape);
  if (typeof value !== 'number') throw new SkipgradError(op, 'value', 'a number', describe(value));
  const storage = allocate(dtypeIn(op, options), sizeOf(s));
  storage.fill(value);
  return new NDArray(storage, s);
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): NDArray {
  return full(shape, 0, options, 'zeros');
}

export function ones(shape: readonly number[], options: CreateOptions = {}): NDArray {
  return full(shape, 1, options, 'ones');
}

/** `[start, start + step, …]` up to but excluding `end`. `arange(3)` is `[0, 1, 2]`. */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): NDArray {
  const [from, to] = end === undefined ? [0, start] : [start, end];
  for (const [name, v] of [
    ['start', from],
    ['end', to],
    ['step', step],
  ] as const) {
    if (!Number.isFinite(v)) throw new SkipgradError('arange', name, 'a finite number', describe(v));
  }
  if (step === 0) throw new SkipgradError('arange', 'step', 'a non-zero number', '0');
  const n = Math.max(0, Math.ceil((to - from) / step));
  checkSize('arange', [n], 4, 'end');
  return generate('arange', n, (i) => from + i * step, options);
}

/** `steps` evenly spaced numbers from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): NDArray {
  if (!Number.isInteger(steps) || steps < 0)
    throw new SkipgradError('linspace', 'steps', 'a non-negative integer', describe(steps));
  for (const [name, v] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new SkipgradError('linspace', name, 'a number', describe(v));
  }
  checkSize('linspace', [steps], 4, 'steps');
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  return generate('linspace', steps, (i) => (i === steps - 1 && steps > 1 ? end : start + i * delta), options);
}

/** The `n × m` identity (ones on the diagonal). */
export function eye(n: number, m = n, options: CreateOptions = {}): NDArray {
  for (const [name, v] of [
    ['n', n],
    ['m', m],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new SkipgradError('eye', name, 'a non-negative integer', describe(v));
  }
  const out = full([n, m], 0, options, 'eye');
  for (let i = 0; i < Math.min(n, m); i++) out.storage[i * m + i] = 1;
  return out;
}

/** Uniform numbers in [0, 1) from a seedable generator. */
export function rand(shape: readonly number[], options: RandomOptions = {}): NDArray {
  const g = generatorIn('rand', checkOptions<RandomOptions>('rand', options, ['dtype', 'generator']));
  return fillWith('rand', shape, () => g.uniform(), options);
}

/** Standard normal numbers from a seedable generator. */
export function randn(shape: readonly number[], options: RandomOptions = {}): NDArray {
  const g = generatorIn('randn', checkOptions<RandomOptions>('randn', options, ['dtype', 'generator']));
  return fillWith('randn', shape, () => g.normal(), options);
}

function generate(op: string, n: number, value: (i: number) => number, options: CreateOptions): NDArray {
  const storage: Storage = allocate(dtypeIn(op, options), n);
  for (let i = 0; i < n; i++) storage[i] = value(i);
  return new NDArray(storage, [n]);
}

function fillWith(op: string, shape: readonly number[], draw: () => number, options: CreateOptions): NDArray {
  const s = checkShape(op, 'shape', shape);
  const storage = allocate(dtypeIn(op, options, ['dtype', 'generator']), sizeOf(s));
  for (let i = 0; i < storage.length; i++) storage[i] = draw();
  return new NDArray(storage, s);
}
