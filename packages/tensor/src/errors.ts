/**
 * One error type for the whole engine. Every message has the same four parts a person needs
 * to act on it: the op, the argument, what was expected, what was given.
 *
 * @example
 * throw new SkipgradError('add', 'b', 'a shape broadcastable with [2, 3]', '[4]');
 * // Error: add: argument 'b' expected a shape broadcastable with [2, 3], got [4]
 */
export class SkipgradError extends Error {
  readonly op: string;
  readonly arg: string;
  readonly expected: string;
  readonly given: string;

  constructor(op: string, arg: string, expected: string, given: string, detail?: string) {
    // String(): the fields are strings by contract, but an error must never fail to be made.
    super(
      `${String(op)}: argument '${String(arg)}' expected ${String(expected)}, got ${String(given)}${detail ? ` (${String(detail)})` : ''}`,
    );
    this.name = 'SkipgradError';
    this.op = String(op);
    this.arg = String(arg);
    this.expected = String(expected);
    this.given = String(given);
  }
}

/** Formats a shape the way every message prints it: `[2, 3]`, `[]` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A short description of any value, for the "got …" part of an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor;
    const shape = (value as { shape?: unknown }).shape;
    const name = ctor && ctor !== Object ? ctor.name : 'object';
    const article = /^[aeiou]/i.test(name) ? 'an' : 'a';
    return Array.isArray(shape)
      ? `${article} ${name} of shape ${formatShape(shape as number[])}`
      : `${article} ${name}`;
  }
  return typeof value === 'function' ? 'a function' : typeof value;
}
