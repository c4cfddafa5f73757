/**
 * The safetensors format, written from scratch (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: N, unsigned little-endian]  [N bytes: JSON header]  [data bytes]
 *
 * The header maps each tensor's name to { dtype: "F32" | "F64", shape, data_offsets: [begin, end] }
 * (offsets into the data bytes), plus an optional "__metadata__" of string values. Values are
 * raw little-endian. We pad the header with spaces so the data starts 8-byte aligned.
 *
 * Reading checks everything before returning anything: the header length, the JSON, every
 * entry's dtype, shape and offsets (inside the data, sized exactly shape × dtype, no overlaps,
 * no holes). A malformed or truncated file is a SkipgradError, never a crash.
 */
import { type DType, NDArray, SkipgradError, allocate, describe, sizeOf } from '@skipgrad/tensor';

const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64' };
const DTYPE_OF: Record<string, DType> = { F32: 'float32', F64: 'float64' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8 };
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
export function serializeSafetensors(tensors: Map<string, NDArray> | Record<string, NDArray>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, array] of entries) {
    if (name === '__metadata__') throw new SkipgradError('serializeSafetensors', 'tensors', 'names other than __metadata__', JSON.stringify(name));
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
  if (!(bytes instanceof Uint8Array)) throw new SkipgradError('parseSafetensors', 'bytes', 'a Uint8Array', describe(bytes));
  if (bytes.length < 8) throw bad('at least 8 bytes (the header length)', `${bytes.length} bytes (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) throw bad(`a header length of at most ${bytes.length - 8} bytes`, `${n} (truncated or not a safetensors file)`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd)));
  } catch (e) {
    throw bad('a JSON header', `unparseable text (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('a JSON object header', describe(header));
  const dataLength = bytes.length - headerEnd;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const specs: [string, DType, number[], number][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string')) throw bad('__metadata__ of string values', describe(entry));
      Object.assign(metadata, entry);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e.dtype === 'string' ? DTYPE_OF[e.dtype] : undefined;
    if (dtype === undefined) throw bad(`dtype F32 or F64 for '${name}'`, describe(e.dtype));
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) throw bad(`a shape for '${name}'`, describe(shape));
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) throw bad(`data_offsets [begin, end] for '${name}'`, describe(offsets));
    const [begin, end] = offsets as [number, number];
    const expected = sizeOf(shape) * BYTES[dtype];
    if (end - begin !== expected) throw bad(`${expected} bytes for '${name}' (shape [${shape.join(', ')}] of ${dtype})`, `offsets [${begin}, ${end}]`);
    if (end > dataLength) throw bad(`'${name}' inside the ${dataLength} data bytes`, `offsets [${begin}, ${end}] (truncated file?)`);
    spans.push([begin, end, name]);
    specs.push([name, dtype, shape as number[], headerEnd + begin]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) throw bad(`tensor data without holes or overlaps`, `'${name}' starts at ${begin}, expected ${covered}`);
    covered = end;
  }
  if (covered !== dataLength) throw bad(`data bytes used exactly (${covered})`, `${dataLength} bytes after the header`);
  const tensors = new Map<string, NDArray>();
  for (const [name, dtype, shape, at] of specs) {
    const values = allocate(dtype, sizeOf(shape));
    for (let i = 0; i < values.length; i++) {
      values[i] = dtype === 'float64' ? view.getFloat64(at + 8 * i, true) : view.getFloat32(at + 4 * i, true);
    }
    tensors.set(name, new NDArray(values, shape));
  }
  return { tensors, metadata };
}
