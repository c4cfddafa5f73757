import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, SkipgradError, randn } from '@skipgrad/autograd';
import { NDArray } from '@skipgrad/tensor';
import {
  BatchNorm1d,
  Highway,
  Linear,
  Sequential,
  loadModel,
  mlp,
  parseSafetensors,
  saveModel,
  serializeSafetensors,
} from '../src/index.js';

const bits = (a: NDArray): string => Buffer.from(new Uint8Array(a.toTypedArray().buffer.slice(0))).toString('hex');
const model = (seed: number): Sequential =>
  new Sequential(
    mlp({ inFeatures: 4, width: 6, depth: 3, classes: 2, kind: 'residual', generator: new Generator(seed) }),
    new BatchNorm1d(2),
    new Highway(2, { generator: new Generator(seed + 1) }),
  );

describe('safetensors', () => {
  it('round-trips bit for bit, including NaN, ±0, ±Infinity, zero-size and scalar tensors, in both dtypes', () => {
    const tensors = new Map<string, NDArray>([
      ['a', new NDArray(Float32Array.from([1.5, -0, NaN, Infinity, -Infinity, 1e-40]), [2, 3])],
      ['b', new NDArray(Float64Array.from([Math.PI, -1e-310]), [2])],
      ['empty', new NDArray(new Float32Array(0), [0, 4])],
      ['scalar', new NDArray(Float64Array.from([7]), [])],
      ['view', new NDArray(Float32Array.from([1, 2, 3, 4]), [2, 2]).transpose()],
    ]);
    const bytes = serializeSafetensors(tensors, { format: 'pt', by: 'skipgrad' });
    const header = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + header) % 8).toBe(0);
    const parsed = parseSafetensors(bytes);
    expect(parsed.metadata).toEqual({ format: 'pt', by: 'skipgrad' });
    expect([...parsed.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, array] of tensors) {
      const back = parsed.tensors.get(name)!;
      expect(back.shape).toEqual(array.shape);
      expect(back.dtype).toBe(array.dtype);
      expect(bits(back)).toBe(bits(array));
    }
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + header)));
    expect(json.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  });

  it('a saved and reloaded model gives identical outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-'));
    try {
      const a = model(1).eval();
      const b = model(2).eval();
      const x = randn([3, 4], { generator: new Generator(3) });
      expect(b.forward(x).toArray()).not.toEqual(a.forward(x).toArray());
      await saveModel(a, join(dir, 'model.safetensors'), { note: 'test' });
      expect(await loadModel(b, join(dir, 'model.safetensors'))).toEqual({ note: 'test' });
      expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('malformed or truncated files are clear errors and load nothing', async () => {
    const good = serializeSafetensors(model(1).stateDict());
    const bad = (bytes: Uint8Array, pattern: RegExp): void => {
      expect(() => parseSafetensors(bytes)).toThrow(SkipgradError);
      expect(() => parseSafetensors(bytes)).toThrow(pattern);
    };
    bad(good.subarray(0, 5), /at least 8 bytes.*got 5 bytes \(truncated\)/);
    bad(good.subarray(0, 40), /header length of at most 32 bytes/);
    bad(good.subarray(0, good.length - 4), /inside the .* data bytes|data bytes used exactly/);
    const withTail = new Uint8Array(good.length + 4);
    withTail.set(good);
    bad(withTail, /data bytes used exactly/);
    const edit = (
      mutate: (header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void,
    ): Uint8Array => {
      const n = Number(new DataView(good.buffer).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
      mutate(header);
      const text = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + text.length + good.length - 8 - n);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      out.set(good.subarray(8 + n), 8 + text.length);
      return out;
    };
    const first = (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) =>
      h[Object.keys(h)[0]!]!;
    bad(
      edit((h) => {
        first(h).dtype = 'F16';
      }),
      /dtype F32, F64 or an integer dtype \(I64, I32, I16, I8, U8, BOOL\).*got "F16"/,
    );
    bad(
      edit((h) => {
        first(h).dtype = 'I8';
      }),
      /bytes for .* of I8\).*got offsets/,
    ); // I8 is read, but the sizes do not match
    bad(
      edit((h) => {
        first(h).shape = [5];
      }),
      /bytes for .* got offsets/,
    );
    bad(
      edit((h) => {
        first(h).data_offsets = [4, 4 + (first(h).data_offsets[1]! - first(h).data_offsets[0]!)];
      }),
      /without holes or overlaps/,
    );
    bad(
      edit((h) => {
        first(h).shape = [-1] as never;
      }),
      /a shape for/,
    );
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 8n, true);
    garbage.set(new TextEncoder().encode('{"a": no'), 8);
    bad(garbage, /expected a JSON header, got unparseable text/);
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-'));
    try {
      const path = join(dir, 'm.safetensors');
      writeFileSync(path, good.subarray(0, good.length - 8));
      const target = model(5);
      const before = [...target.stateDict()].map(([k, v]) => [k, bits(v)]);
      await expect(loadModel(target, path)).rejects.toThrow(SkipgradError);
      expect([...target.stateDict()].map(([k, v]) => [k, bits(v)])).toEqual(before);
      writeFileSync(path, serializeSafetensors(new Sequential(new Linear(4, 2)).stateDict()));
      await expect(loadModel(target, path)).rejects.toThrow(
        /loadStateDict: argument 'state' expected exactly the module's/,
      );
      expect(readFileSync(path).length).toBeGreaterThan(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the integer dtypes PyTorch writes (I64 and the rest) as float64, refusing what float64 cannot hold', () => {
    /** A file of one tensor with the given dtype code, shape and raw bytes. */
    const file = (dtype: string, shape: number[], data: Uint8Array): Uint8Array => {
      const header = new TextEncoder().encode(JSON.stringify({ t: { dtype, shape, data_offsets: [0, data.length] } }));
      const out = new Uint8Array(8 + header.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
      out.set(header, 8);
      out.set(data, 8 + header.length);
      return out;
    };
    const i64 = new Uint8Array(new BigInt64Array([7n, -3n, 2n ** 53n - 1n]).buffer);
    expect(
      parseSafetensors(file('I64', [3], i64))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([7, -3, 2 ** 53 - 1]);
    expect(parseSafetensors(file('I64', [3], i64)).tensors.get('t')!.dtype).toBe('float64');
    expect(
      parseSafetensors(file('I32', [2], new Uint8Array(new Int32Array([-5, 9]).buffer)))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([-5, 9]);
    expect(
      parseSafetensors(file('I16', [1], new Uint8Array(new Int16Array([-300]).buffer)))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([-300]);
    expect(
      parseSafetensors(file('I8', [2], new Uint8Array(new Int8Array([-1, 5]).buffer)))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([-1, 5]);
    expect(
      parseSafetensors(file('U8', [1], new Uint8Array([255])))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([255]);
    expect(
      parseSafetensors(file('BOOL', [2], new Uint8Array([1, 0])))
        .tensors.get('t')!
        .toArray(),
    ).toEqual([1, 0]);
    expect(() => parseSafetensors(file('I64', [1], new Uint8Array(new BigInt64Array([2n ** 60n]).buffer)))).toThrow(
      /integers within ±2⁵³ in 't' \(they are read as float64\), got 1152921504606846976/,
    );
  });
});
