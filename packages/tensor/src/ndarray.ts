/**
 * NDArray: a strided view onto flat storage. `shape` says how many elements lie along each
 * axis; `strides` how far apart (in elements) neighbours along that axis sit in `storage`;
 * `offset` where element [0, 0, …] is. Element [i, j, k] lives at
 *
 *     offset + i·strides[0] + j·strides[1] + k·strides[2]
 *
 * That one formula is why reshape, permute, expand and slice can be views that copy nothing:
 * each only computes a new (shape, strides, offset) over the same storage.
 */
import { type DType, type DeviceStorage, type Storage, allocate, dtypeOf, isDeviceStorage } from './dtype.js';
import { checkFunction } from './args.js';
import { SkipgradError, describe, formatShape } from './errors.js';
import { type Shape, checkShape, contiguousStrides, normalizeAxis, sizeOf } from './shape.js';
import { formatArray } from './format.js';
import { rowLength, rowStep, walkRows } from './walk.js';

export type NestedArray = number | NestedArray[];

export class NDArray {
  /** Where the elements live: a typed array on the host, or a device's storage (see DeviceStorage). */
  readonly source: Storage | DeviceStorage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;

  constructor(source: Storage | DeviceStorage, shape: Shape, strides: Shape = contiguousStrides(shape), offset = 0) {
    this.source = source;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
  }

  /** The elements as a host typed array; for device storage this downloads them (once). */
  get storage(): Storage {
    return isDeviceStorage(this.source) ? this.source.download() : this.source;
  }

  /** The device storage when the elements live on a device, else undefined. */
  get device(): DeviceStorage | undefined {
    return isDeviceStorage(this.source) ? this.source : undefined;
  }

  get dtype(): DType {
    return isDeviceStorage(this.source) ? this.source.dtype : dtypeOf(this.source);
  }
  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }

  /** True when the elements sit in row-major order with no gaps (sides of 1 may have any stride). */
  isContiguous(): boolean {
    let expected = 1;
    for (let axis = this.rank - 1; axis >= 0; axis--) {
      const side = this.shape[axis]!;
      if (side === 0) return true;
      if (side !== 1 && this.strides[axis] !== expected) return false;
      expected *= side;
    }
    return true;
  }

  /** The flat storage offset of a multi-index. */
  offsetOf(index: readonly number[]): number {
    let at = this.offset;
    for (let axis = 0; axis < index.length; axis++) at += index[axis]! * this.strides[axis]!;
    return at;
  }

  /** One element by its multi-index. */
  get(index: readonly number[]): number {
    if (
      index.length !== this.rank ||
      index.some((i, axis) => !Number.isInteger(i) || i < 0 || i >= this.shape[axis]!)
    ) {
      throw new SkipgradError(
        'get',
        'index',
        `an index of ${this.rank} integers inside ${formatShape(this.shape)}`,
        `[${index.join(', ')}]`,
      );
    }
    return this.storage[this.offsetOf(index)]!;
  }

  /** A row-major copy into fresh storage (always a copy; see `contiguous` for the lazy one). */
  copy(dtype: DType = this.dtype): NDArray {
    const out = allocate(dtype, this.size);
    let i = 0;
    const from = this.storage; // once: for device storage the getter downloads
    forEachOffset(this, (at) => {
      out[i++] = from[at]!;
    });
    return new NDArray(out, [...this.shape]);
  }

  /** This array if already contiguous with its own storage start, else a row-major copy. */
  contiguous(): NDArray {
    return this.isContiguous() ? this : this.copy();
  }

  /** The elements in row-major order as a flat typed array (a copy unless already packed). */
  toTypedArray(): Storage {
    if (this.isContiguous() && this.offset === 0 && this.source.length === this.size) return this.storage;
    return this.copy().storage;
  }

  /**
   * A view with a new shape and the same elements in the same row-major order. One side may
   * be -1 (inferred). When the strides cannot express the new shape (e.g. after a transpose),
   * this copies — the only view op that may, as in PyTorch's `reshape` — with `copy`: by default
   * this array's own row-major copy; autograd passes its backend's, so the copy runs where the
   * other kernels run (the wasm backend's is a bulk SIMD copy).
   */
  reshape(shape: readonly number[], copy: (a: NDArray) => NDArray = (a) => a.copy()): NDArray {
    checkFunction('reshape', 'copy', copy);
    const target = inferShape('reshape', shape, this.shape);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides) return new NDArray(this.source, target, strides, this.offset);
    return copy(this).reshape(target);
  }

  /** A view with the axes reordered: output axis i is input axis `axes[i]`. */
  permute(axes: readonly number[]): NDArray {
    const perm = checkPermutation('permute', axes, this.rank);
    return new NDArray(
      this.source,
      perm.map((a) => this.shape[a]!),
      perm.map((a) => this.strides[a]!),
      this.offset,
    );
  }

  /** A view with two axes swapped. */
  transpose(axis0 = -2, axis1 = -1): NDArray {
    const a = normalizeAxis('transpose', axis0, this.rank, 'axis0');
    const b = normalizeAxis('transpose', axis1, this.rank, 'axis1');
    const perm = Array.from({ length: this.rank }, (_, i) => (i === a ? b : i === b ? a : i));
    return this.permute(perm);
  }

  /** A view broadcast to `shape`: new leading axes and sides of 1 repeat with stride 0. */
  expand(shape: readonly number[]): NDArray {
    const target = checkShape('expand', 'shape', shape);
    const lead = target.length - this.rank;
    if (lead < 0) {
      throw new SkipgradError(
        'expand',
        'shape',
        `a shape of rank >= ${this.rank}`,
        formatShape(target),
        `input shape ${formatShape(this.shape)}`,
      );
    }
    const strides = target.map((side, axis) => {
      if (axis < lead) return 0;
      const own = this.shape[axis - lead]!;
      if (own === side) return this.strides[axis - lead]!;
      if (own === 1) return 0;
      throw new SkipgradError(
        'expand',
        'shape',
        `a shape ${formatShape(this.shape)} broadcasts to`,
        formatShape(target),
        `axis ${axis} has side ${own}, not 1`,
      );
    });
    return new NDArray(this.source, target, strides, this.offset);
  }

  /**
   * A view of the half-open ranges `[start, end)`, one per leading axis (missing axes are kept
   * whole). Negative bounds count from the end, like Python's.
   */
  slice(ranges: readonly (readonly [number, number])[]): NDArray {
    const bounds = normalizeRanges('slice', ranges, this.shape);
    let offset = this.offset;
    const shape = this.shape.map((side, axis) => {
      const [start, end] = bounds[axis] ?? [0, side];
      offset += start * this.strides[axis]!;
      return end - start;
    });
    // A zero-size view keeps offset inside storage for cleanliness; it reads nothing anyway.
    return new NDArray(this.source, shape, [...this.strides], sizeOf(shape) === 0 ? this.offset : offset);
  }

  /** A view of `length` elements along `axis`, starting at `start`. */
  narrow(axis: number, start: number, length: number): NDArray {
    const a = normalizeAxis('narrow', axis, this.rank);
    const ranges = this.shape.map((side, i): [number, number] => (i === a ? [start, start + length] : [0, side]));
    return this.slice(ranges);
  }

  /** A view without the given axis (which must have side 1), or without every side-1 axis. */
  squeeze(axis?: number): NDArray {
    if (axis === undefined) {
      const keep = this.shape.map((s, i) => (s === 1 ? -1 : i)).filter((i) => i >= 0);
      return new NDArray(
        this.source,
        keep.map((i) => this.shape[i]!),
        keep.map((i) => this.strides[i]!),
        this.offset,
      );
    }
    const a = normalizeAxis('squeeze', axis, this.rank);
    if (this.shape[a] !== 1) {
      throw new SkipgradError(
        'squeeze',
        'axis',
        'an axis of side 1',
        `axis ${axis} of side ${this.shape[a]}`,
        `shape ${formatShape(this.shape)}`,
      );
    }
    return new NDArray(
      this.source,
      this.shape.filter((_, i) => i !== a),
      this.strides.filter((_, i) => i !== a),
      this.offset,
    );
  }

  /** A view with a new axis of side 1 inserted at `axis` (in [-(rank+1), rank]). */
  unsqueeze(axis: number): NDArray {
    const a = normalizeAxis('unsqueeze', axis, this.rank + 1);
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(a, 0, 1);
    strides.splice(a, 0, 1);
    return new NDArray(this.source, shape, strides, this.offset);
  }

  /**
   * Resolves once the values are on the host (at once for host arrays); reading them
   * afterwards (toArray, item, storage) does not block. The asynchronous way to read a
   * device result.
   */
  async ready(): Promise<this> {
    const device = this.device;
    if (device) await (device.downloadAsync ? device.downloadAsync() : device.download());
    return this;
  }

  /** The elements as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const storage = this.storage;
    const build = (axis: number, at: number): NestedArray => {
      if (axis === this.rank) return storage[at]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, at + i * this.strides[axis]!));
      return out;
    };
    return build(0, this.offset);
  }

  /** The single element of a one-element array, as a number. */
  item(): number {
    if (this.size !== 1)
      throw new SkipgradError('item', 'this', 'a tensor with exactly one element', `shape ${formatShape(this.shape)}`);
    return this.storage[this.offset]!;
  }

  toString(): string {
    return formatArray(this);
  }
}

/** Calls `fn` with the storage offset of every element, in row-major order (walk.ts's walker). */
export function forEachOffset(array: NDArray, fn: (offset: number) => void): void {
  const [inner, step] = [rowLength(array.shape), rowStep(array.strides)];
  walkRows(array.shape, array.strides, array.offset, array.strides, array.offset, (row) => {
    for (let i = 0; i < inner; i++) fn(row + i * step);
  });
}

/** Resolves one -1 side and checks the element count is unchanged. */
function inferShape(op: string, shape: readonly number[], from: Shape): number[] {
  const ok =
    Array.isArray(shape) &&
    shape.every((s) => Number.isInteger(s) && s >= -1) &&
    shape.filter((s) => s === -1).length <= 1;
  if (!ok)
    throw new SkipgradError(
      op,
      'shape',
      'non-negative integer sides, at most one -1',
      Array.isArray(shape) ? formatShape(shape) : describe(shape),
    );
  const known = sizeOf(shape.filter((s) => s !== -1));
  const total = sizeOf(from);
  const target = [...shape];
  const free = target.indexOf(-1);
  if (free >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new SkipgradError(
        op,
        'shape',
        `a shape with ${total} elements`,
        formatShape(shape),
        `input shape ${formatShape(from)}`,
      );
    }
    target[free] = total / known;
  }
  if (sizeOf(target) !== total) {
    throw new SkipgradError(
      op,
      'shape',
      `a shape with ${total} elements (input shape ${formatShape(from)})`,
      `${formatShape(shape)} with ${sizeOf(target)}`,
    );
  }
  return target;
}

/**
 * Strides that let `newShape` view the same storage, or null when no strides can (the input
 * is non-contiguous across a boundary the new shape would merge or split). Walks the old axes
 * from the right in "chunks" of axes that are contiguous with each other; each chunk must be
 * covered exactly by a run of new axes, which then get strides inside that chunk.
 */
function viewStrides(oldShape: Shape, oldStrides: Shape, newShape: Shape): number[] | null {
  if (sizeOf(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let newAxis = newShape.length - 1;
  let chunkStride = oldStrides[oldShape.length - 1]!;
  let oldCount = 1;
  let newCount = 1;
  for (let oldAxis = oldShape.length - 1; oldAxis >= 0; oldAxis--) {
    oldCount *= oldShape[oldAxis]!;
    const chunkEnds =
      oldAxis === 0 || (oldShape[oldAxis - 1] !== 1 && oldStrides[oldAxis - 1] !== oldCount * chunkStride);
    if (!chunkEnds) continue;
    while (newAxis >= 0 && (newCount < oldCount || newShape[newAxis] === 1)) {
      newStrides[newAxis] = newCount * chunkStride;
      newCount *= newShape[newAxis]!;
      newAxis--;
    }
    if (newCount !== oldCount) return null;
    if (oldAxis > 0) {
      chunkStride = oldStrides[oldAxis - 1]!;
      oldCount = 1;
      newCount = 1;
    }
  }
  return newAxis === -1 ? newStrides : null;
}

/** Checks that `axes` is a permutation of 0..rank-1 (negative axes allowed). */
export function checkPermutation(op: string, axes: unknown, rank: number): number[] {
  if (!Array.isArray(axes) || axes.length !== rank) {
    throw new SkipgradError(op, 'axes', `a permutation of ${rank} axes`, describe(axes));
  }
  const perm = axes.map((a) => normalizeAxis(op, a, rank, 'axes'));
  if (new Set(perm).size !== rank)
    throw new SkipgradError(op, 'axes', `a permutation of ${rank} axes (each once)`, `[${axes.join(', ')}]`);
  return perm;
}

/** Normalises slice ranges: negative bounds count from the end; 0 <= start <= end <= side. */
export function normalizeRanges(op: string, ranges: unknown, shape: Shape): [number, number][] {
  if (!Array.isArray(ranges) || ranges.length > shape.length) {
    throw new SkipgradError(
      op,
      'ranges',
      `at most ${shape.length} [start, end) pairs`,
      describe(ranges),
      `shape ${formatShape(shape)}`,
    );
  }
  return ranges.map((range, axis) => {
    const side = shape[axis]!;
    const pair = Array.isArray(range) && range.length === 2 && range.every((b) => Number.isInteger(b));
    if (!pair) throw new SkipgradError(op, `ranges[${axis}]`, 'an integer pair [start, end)', describe(range));
    const [s, e] = range as [number, number];
    const start = s < 0 ? s + side : s;
    const end = e < 0 ? e + side : e;
    if (start < 0 || end > side || start > end) {
      throw new SkipgradError(
        op,
        `ranges[${axis}]`,
        `0 <= start <= end <= ${side} (negatives count from the end)`,
        `[${s}, ${e}]`,
        `shape ${formatShape(shape)}`,
      );
    }
    return [start, end];
  });
}
