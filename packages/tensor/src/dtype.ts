/**
 * Element types. float32 is the default (what GPUs and most models use); float64 is the
 * precision gradient checks need (finite differences in float32 are off by ~1e-2, in float64
 * by ~1e-10: the README's "Gradient checking" section).
 */
import { MAX_ELEMENTS } from './args.js';
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

/**
 * A new zero-filled storage of `length` elements. The last line of defence against a size no
 * array can hold (the ops check their output shapes first, naming themselves).
 */
export function allocate(dtype: DType, length: number, op = 'allocate'): Storage {
  if (!Number.isInteger(length) || length < 0 || length > MAX_ELEMENTS) {
    throw new SkipgradError(op, 'length', `an element count in [0, ${MAX_ELEMENTS}]`, describe(length));
  }
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype a storage holds. */
export function dtypeOf(storage: Storage): DType {
  return storage instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * Storage that lives on a device (a GPU texture, another backend's buffer) instead of in a
 * typed array. Arrays over it are views like any other; the values come to the host only when
 * host code reads `NDArray.storage` (printing, `toArray`, `item`, a CPU kernel), once: the
 * device storage keeps the downloaded copy, so reading again costs nothing.
 */
export interface DeviceStorage {
  /** Device data is float32 (the backends that hold it refuse float64). */
  readonly dtype: 'float32';
  /** Number of elements. */
  readonly length: number;
  /** The backend that owns it (its name, for error messages). */
  readonly owner: string;
  /** The values on the host (downloads on the first call, then returns the same array). */
  download(): Float32Array;
  /**
   * The same as `download`, without blocking the thread while the device finishes: where
   * reading back is asynchronous (WebGPU, gpu.js v3) this is the only way to read.
   */
  downloadAsync?(): Promise<Float32Array>;
  /** Frees the device memory now; reading afterwards is an error. */
  release?(): void;
}

/** True for device storage, false for a typed array. */
export function isDeviceStorage(s: Storage | DeviceStorage): s is DeviceStorage {
  return !ArrayBuffer.isView(s);
}
