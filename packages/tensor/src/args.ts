/**
 * The argument vocabulary every public function checks its arguments with, at its first line,
 * so that every mistake ends the same way: a SkipgradError naming the function the user called,
 * the argument, what was expected and what was given — never a TypeError from deep inside.
 *
 * Options objects refuse keys they do not know, listing the ones they do (PyTorch's "unexpected
 * keyword argument"): a typo like `{ keepDim: true }` is an error, not a silent default.
 *
 * Sizes: every allocation is bounded by MAX_ELEMENTS before it happens, so a shape like
 * [1e9, 1e9] is an error naming the op and the bytes, not a RangeError or a crashed process.
 */
import { SkipgradError, describe, formatShape } from './errors.js';

/**
 * The most elements one array may have: 2³¹ − 1, what every JavaScript engine's typed arrays
 * hold (8 GiB in float32 is beyond most machines anyway; a larger request is a mistake). In Node,
 * SKIPGRAD_MAX_ELEMENTS sets a lower limit (the fuzz suite uses 2²⁴, so that its huge sizes
 * meet the check instead of the machine's memory).
 */
export const MAX_ELEMENTS = ((): number => {
  const fromEnv = typeof process !== 'undefined' ? Number(process.env?.SKIPGRAD_MAX_ELEMENTS) : NaN;
  return Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 2 ** 31 ? fromEnv : 2 ** 31 - 1;
})();

/** Refuses a shape whose element count (or bytes) is beyond MAX_ELEMENTS, naming the op. */
export function checkSize(op: string, shape: readonly number[], bytesPerElement = 4, arg = 'shape'): number {
  const n = shape.reduce((p, s) => p * s, 1);
  if (!(n <= MAX_ELEMENTS)) {
    throw new SkipgradError(
      op,
      arg,
      `at most ${MAX_ELEMENTS.toLocaleString('en-US')} elements (${formatBytes(MAX_ELEMENTS * bytesPerElement)})`,
      `${formatShape(shape)}, ${n.toLocaleString('en-US', { maximumSignificantDigits: 4 })} elements (${formatBytes(n * bytesPerElement)})`,
    );
  }
  return n;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v >= 1e6 ? v.toExponential(2) : v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/**
 * An options object: undefined is `{}` (unless `required`); null, arrays and non-objects are
 * refused; so is any key not in `known` (the message lists the known ones).
 */
export function checkOptions<T extends object>(
  op: string,
  options: unknown,
  known: readonly string[],
  arg = 'options',
  required = false,
): Partial<T> {
  if (options === undefined && !required) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SkipgradError(
      op,
      arg,
      `an options object${known.length ? ` ({ ${known.join(', ')} })` : ''}`,
      describe(options),
    );
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new SkipgradError(
      op,
      arg,
      known.length ? `only the options ${known.map((k) => `'${k}'`).join(', ')}` : 'no options',
      `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  return options as Partial<T>;
}

/** An integer in [min, max]. */
export function checkInteger(op: string, arg: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'an integer'
        : max === Infinity
          ? `an integer >= ${min}`
          : `an integer in [${min}, ${max}]`;
    throw new SkipgradError(op, arg, range, describe(value));
  }
  return value as number;
}

/** A finite number in [min, max] (exclusive bounds with `open`). */
export function checkNumber(
  op: string,
  arg: string,
  value: unknown,
  min = -Infinity,
  max = Infinity,
  open = false,
): number {
  const v = value as number;
  const inRange = typeof value === 'number' && (open ? v > min && v < max : v >= min && v <= max);
  if (typeof value !== 'number' || !Number.isFinite(value) || !inRange) {
    const lo = min === -Infinity ? '' : open ? `> ${min}` : `>= ${min}`;
    const hi = max === Infinity ? '' : open ? `< ${max}` : `<= ${max}`;
    throw new SkipgradError(
      op,
      arg,
      `a finite number${lo || hi ? ` ${[lo, hi].filter(Boolean).join(' and ')}` : ''}`,
      describe(value),
    );
  }
  return v;
}

/** A probability in [0, 1]. */
export function checkProbability(op: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new SkipgradError(op, arg, 'a probability in [0, 1]', describe(value));
  return value;
}

export function checkBoolean(op: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new SkipgradError(op, arg, 'a boolean', describe(value));
  return value;
}

export function checkFunction<F extends (...a: never[]) => unknown>(op: string, arg: string, value: unknown): F {
  if (typeof value !== 'function') throw new SkipgradError(op, arg, 'a function', describe(value));
  return value as F;
}

export function checkString(op: string, arg: string, value: unknown, what = 'a string'): string {
  if (typeof value !== 'string' || value.length === 0) throw new SkipgradError(op, arg, what, describe(value));
  return value;
}

/**
 * A list (any iterable but a string) whose items pass `item`. A single value where a list goes
 * is refused with a hint to wrap it — `zeroGrad(t)` instead of `zeroGrad([t])`.
 */
export function checkList<T>(
  op: string,
  arg: string,
  value: unknown,
  item: (v: unknown, index: number) => T,
  what = 'a list',
): T[] {
  const iterable =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
  if (!iterable || ArrayBuffer.isView(value)) {
    throw new SkipgradError(
      op,
      arg,
      what,
      describe(value),
      value !== null && typeof value === 'object' ? 'wrap a single one in [ ]' : undefined,
    );
  }
  return [...(value as Iterable<unknown>)].map(item);
}
