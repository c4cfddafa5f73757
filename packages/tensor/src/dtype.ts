/**
 * Element types. float32 is the default (what GPUs and most models use); float64 is the
 * precision gradient checks need (see GRADCHECK.md: finite differences in float32 are off by
 * ~1e-2, in float64 by ~1e-10).
 */
import { SkipgradError, describe } from './errors.js';

export type DType = 'float32' | 'float64';
export type Storage = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64';
}

/** Checks a user-given dtype, naming the op when it is not one we know. */
export function checkDType(op: string, value: unknown): DType {
  if (!isDType(value)) throw new SkipgradError(op, 'dtype', "'float32' or 'float64'", describe(value));
  return value;
}

/** A new zero-filled storage of `length` elements. */
export function allocate(dtype: DType, length: number): Storage {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype a storage holds. */
export function dtypeOf(storage: Storage): DType {
  return storage instanceof Float64Array ? 'float64' : 'float32';
}
