/**
 * The safetensors format, written from scratch (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: N, unsigned little-endian]  [N bytes: JSON header]  [data bytes]
 *
 * The header maps each tensor's name to { dtype: "F32" | "F64", shape, data_offsets: [begin, end] }
 * (offsets into the data bytes), plus an optional "__metadata__" of string values. Values are
 * raw little-endian. We pad the header with spaces so the data starts 8-byte aligned. Reading
 * also takes the integer dtypes PyTorch writes (I64 for batch norm's `num_batches_tracked`, I32,
 * I16, I8, U8, BOOL) as float64 values — exact for integers up to 2⁵³, refused beyond.
 *
 * Reading checks everything before returning anything: the header length, the JSON, every
 * entry's dtype, shape and offsets (inside the data, sized exactly shape × dtype, no overlaps,
 * no holes). A malformed or truncated file is a SkipgradError, never a crash.
 */
import { type DType, NDArray, SkipgradError, allocate, describe, sizeOf, formatShape } from '@skipgrad/tensor';

const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64' };
const DTYPE_OF: Record<string, DType> = { F32: 'float32', F64: 'float64' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8 };
/** Integer dtypes, read into float64: bytes per element and how to read one. */
const INTEGERS: Record<string, { bytes: number; read: (v: DataView, at: number) => number | bigint }> = {
  I64: { bytes: 8, read: (v, at) => v.getBigInt64(at, true) },
  I32: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  I16: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  I8: { bytes: 1, read: (v, at) => v.getInt8(at) },
  U8: { bytes: 1, read: (v, at) => v.getUint8(at) },
  BOOL: { bytes: 1, read: (v, at) => v.getUint8(at) },
};
const MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  tensors: Map<string, NDArray>;
  metadata: Record<string, string>;
}

/**
 * Serialises named arrays (in insertion order) and optional string metadata.
 *
 * @example
 * serializeSafetensors(new Linear(2, 2).stateDict()).length > 8; // true
 */
export function serializeSafetensors(
  tensors: Map<string, NDArray> | Record<string, NDArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object')
    throw new SkipgradError(
      'serializeSafetensors',
      'tensors',
      'a Map or an object of names to NDArrays (a state dict)',
      describe(tensors),
    );
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  entries.forEach(([name, value]) => {
    if (typeof name !== 'string' || !(value instanceof NDArray))
      throw new SkipgradError('serializeSafetensors', `tensors['${String(name)}']`, 'an NDArray', describe(value));
  });
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    Array.isArray(metadata) ||
    Object.values(metadata).some((v) => typeof v !== 'string')
  ) {
    throw new SkipgradError('serializeSafetensors', 'metadata', 'a map of string values', describe(metadata));
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, array] of entries) {
    if (name === '__metadata__')
      throw new SkipgradError('serializeSafetensors', 'tensors', 'names other than __metadata__', JSON.stringify(name));
    const bytes = array.size * BYTES[array.dtype];
    header[name] = { dtype: CODES[array.dtype], shape: [...array.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, array] of entries) {
    const values = array.toTypedArray();
    for (let i = 0; i < values.length; i++, at += BYTES[array.dtype]) {
      if (array.dtype === 'float64') view.setFloat64(at, values[i]!, true);
      else view.setFloat32(at, values[i]!, true);
    }
  }
  return out;
}

function bad(expected: string, given: string): SkipgradError {
  return new SkipgradError('parseSafetensors', 'bytes', expected, given);
}

/**
 * Parses a safetensors file, validating it completely first.
 *
 * @example
 * [...parseSafetensors(serializeSafetensors(new Linear(2, 3).stateDict())).tensors.keys()]; // ["weight", "bias"]
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array))
    throw new SkipgradError('parseSafetensors', 'bytes', 'a Uint8Array', describe(bytes));
  if (bytes.length < 8) throw bad('at least 8 bytes (the header length)', `${bytes.length} bytes (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8)))
    throw bad(`a header length of at most ${bytes.length - 8} bytes`, `${n} (truncated or not a safetensors file)`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (e) {
    throw bad('a JSON header', `unparseable text (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('a JSON object header', describe(header));
  const dataLength = bytes.length - headerEnd;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const specs: [string, DType, number[], number, string | null][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (
        typeof entry !== 'object' ||
        entry === null ||
        Array.isArray(entry) ||
        Object.values(entry).some((v) => typeof v !== 'string')
      ) {
        throw bad('__metadata__ a map of string values', describe(entry));
      }
      Object.assign(metadata, entry);
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw bad(`an object { dtype, shape, data_offsets } for '${name}'`, describe(entry));
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const code = typeof e.dtype === 'string' ? e.dtype : '';
    const integer = Object.hasOwn(INTEGERS, code) ? code : null;
    const dtype = integer ? 'float64' : Object.hasOwn(DTYPE_OF, code) ? DTYPE_OF[code] : undefined;
    if (dtype === undefined)
      throw bad(
        `dtype F32, F64 or an integer dtype (${Object.keys(INTEGERS).join(', ')}) for '${name}'`,
        describe(e.dtype),
      );
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0))
      throw bad(`a shape for '${name}'`, describe(shape));
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0))
      throw bad(`data_offsets [begin, end] for '${name}'`, describe(offsets));
    const [begin, end] = offsets as [number, number];
    const expected = sizeOf(shape) * (integer ? INTEGERS[integer]!.bytes : BYTES[dtype]);
    if (end - begin !== expected)
      throw bad(
        `${expected} bytes for '${name}' (shape ${formatShape(shape)} of ${integer ?? dtype})`,
        `offsets [${begin}, ${end}]`,
      );
    if (end > dataLength)
      throw bad(`'${name}' inside the ${dataLength} data bytes`, `offsets [${begin}, ${end}] (truncated file?)`);
    spans.push([begin, end, name]);
    specs.push([name, dtype, shape as number[], headerEnd + begin, integer]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered)
      throw bad(`tensor data without holes or overlaps`, `'${name}' starts at ${begin}, expected ${covered}`);
    covered = end;
  }
  if (covered !== dataLength) throw bad(`data bytes used exactly (${covered})`, `${dataLength} bytes after the header`);
  const tensors = new Map<string, NDArray>();
  for (const [name, dtype, shape, at, integer] of specs) {
    const values = allocate(dtype, sizeOf(shape));
    if (integer) {
      const { bytes, read } = INTEGERS[integer]!;
      for (let i = 0; i < values.length; i++) {
        const v = read(view, at + bytes * i);
        if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))) {
          throw bad(`integers within ±2⁵³ in '${name}' (they are read as float64)`, String(v));
        }
        values[i] = Number(v);
      }
    } else {
      for (let i = 0; i < values.length; i++) {
        values[i] = dtype === 'float64' ? view.getFloat64(at + 8 * i, true) : view.getFloat32(at + 4 * i, true);
      }
    }
    tensors.set(name, new NDArray(values, shape));
  }
  return { tensors, metadata };
}
