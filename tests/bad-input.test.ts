// Every row of the bad-input issue's table, and the argument vocabulary behind the fixes: each
// call ends in a SkipgradError that names the function the user called — quickly, never a
// TypeError or RangeError from inside, a hang or a crashed process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sg from '@skipgrad/autograd';
import * as nn from '@skipgrad/nn';
import { MAX_ELEMENTS, SkipgradError, checkList, checkOptions } from '@skipgrad/tensor';

const t = sg.tensor([
  [1, 2],
  [3, 4],
]);
/** The error a call throws (it must throw a SkipgradError). */
function errorOf(fn: () => unknown): SkipgradError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SkipgradError) return e;
    throw new Error(`expected a SkipgradError, got ${(e as Error).constructor.name}: ${(e as Error).message}`);
  }
  throw new Error('expected an error, got none');
}

describe('the bad-input table: each row ends in a named error', () => {
  const rows: [string, () => unknown, string, string][] = [
    ['split into 2⁴⁰ pieces', () => sg.split(sg.zeros([2 ** 40, 0]), 1, 0), 'split', 'sizes'],
    [
      'adaptiveAvgPool2d to [1e9, 1e9]',
      () => sg.adaptiveAvgPool2d(sg.zeros([1, 1, 2, 2]), [1e9, 1e9]),
      'adaptiveAvgPool2d',
      'outputSize',
    ],
    [
      'adaptiveMaxPool2d to [1e9, 1e9]',
      () => sg.adaptiveMaxPool2d(sg.zeros([1, 1, 2, 2]), [1e9, 1e9]),
      'adaptiveMaxPool2d',
      'outputSize',
    ],
    ['zeros([1e9, 1e9])', () => sg.zeros([1e9, 1e9]), 'zeros', 'shape'],
    ['rand([1e9, 1e9])', () => sg.rand([1e9, 1e9]), 'rand', 'shape'],
    ['upsampleNearest by 2⁴⁰', () => sg.upsampleNearest(sg.zeros([1, 1, 2, 2]), 2 ** 40), 'upsampleNearest', 'scale'],
    ['linspace of 1e18 steps', () => sg.linspace(0, 1, 1e18), 'linspace', 'steps'],
    ['a broadcast of 1e10 elements', () => sg.zeros([100000, 1]).add(sg.zeros([1, 100000])), 'add', 'shapes'],
    ['zerosLike(null)', () => sg.zerosLike(null as never), 'zerosLike', 't'],
    ['zeros([], null)', () => sg.zeros([], null as never), 'zeros', 'options'],
    ['toDot(y, null)', () => sg.toDot(t.add(1), null as never), 'toDot', 'options'],
    ['linspace(0, 1, 4, null)', () => sg.linspace(0, 1, 4, null as never), 'linspace', 'options'],
    ['zeroGrad(t)', () => sg.zeroGrad(t as never), 'zeroGrad', 'tensors'],
    ['new Adam(t)', () => new nn.Adam(t as never), 'Adam', 'params'],
    ['new SGD(t)', () => new nn.SGD(t as never), 'SGD', 'params'],
    ['noGrad()', () => (sg.noGrad as () => unknown)(), 'noGrad', 'fn'],
    ['rand([2], { generator: {} })', () => sg.rand([2], { generator: {} as never }), 'rand', 'generator'],
    ['toDot(y, { names: {} })', () => sg.toDot(t.add(1), { names: {} as never }), 'toDot', 'names'],
    ["mean(x, -2, 'abc')", () => sg.mean(t, -2, 'abc' as never), 'mean', 'keepdim'],
    ['ones(undefined)', () => sg.ones(undefined as never), 'ones', 'shape'],
    ["toDot('abc')", () => sg.toDot('abc' as never), 'toDot', 'output'],
    ['new Parameter(3)', () => new nn.Parameter(3 as never), 'Parameter', 'data'],
    ['an initialiser given NaN', () => nn.kaimingNormal([2, NaN]), 'kaimingNormal', 'shape'],
    [
      'an initialiser given a string gain',
      () => nn.xavierUniform([2, 2], { gain: 'x' as never }),
      'xavierUniform',
      'gain',
    ],
    [
      'an lr schedule returning NaN',
      () => new nn.LRScheduler(new nn.SGD([new nn.Parameter(sg.tensor([1]))]), () => NaN),
      'LRScheduler',
      'factor',
    ],
    ['a negative step size', () => nn.stepLR(-1), 'stepLR', 'stepSize'],
    ['Buffer given a string', () => new nn.Buffer('x' as never), 'Buffer', 'data'],
    ['an unknown option', () => sg.zeros([2], { dtyp: 'float64' } as never), 'zeros', 'options'],
  ];
  it.each(rows)('%s', (_name, fn, op, arg) => {
    const started = performance.now();
    const e = errorOf(fn);
    expect([e.op, e.arg]).toEqual([op, arg]);
    expect(performance.now() - started).toBeLessThan(2000); // a check, not a computation
  });

  it('an unknown option lists the known ones; a size error names the shape and the bytes', () => {
    expect(errorOf(() => sg.zeros([2], { dtyp: 'float64' } as never)).message).toBe(
      "zeros: argument 'options' expected only the options 'requiresGrad', 'dtype', got unknown option 'dtyp'",
    );
    expect(errorOf(() => sg.zeros([1e9, 1e9])).message).toBe(
      "zeros: argument 'shape' expected at most 2,147,483,647 elements (8.0 GiB), got [1000000000, 1000000000], 1,000,000,000,000,000,000 elements (3.5 EiB)",
    );
  });

  it('safetensors: a null entry, an array as __metadata__, a missing file — named, nothing loaded', async () => {
    const file = (header: unknown): Uint8Array => {
      const text = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + text.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      return out;
    };
    expect(errorOf(() => nn.parseSafetensors(file({ w: null }))).message).toMatch(
      /parseSafetensors: argument 'bytes' expected an object \{ dtype, shape, data_offsets \} for 'w', got null/,
    );
    expect(errorOf(() => nn.parseSafetensors(file({ __metadata__: ['a'] }))).message).toMatch(
      /expected __metadata__ a map of string values, got an array of length 1/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-bad-'));
    try {
      await expect(nn.loadModel(new nn.Linear(2, 2), join(dir, 'missing.safetensors'))).rejects.toThrow(
        /loadModel: argument 'path' expected a readable safetensors file, got '.*missing\.safetensors' \(ENOENT\)/,
      );
      writeFileSync(join(dir, 'bad.safetensors'), file({ w: null }));
      await expect(nn.loadModel(new nn.Linear(2, 2), join(dir, 'bad.safetensors'))).rejects.toThrow(
        /loadModel: argument 'path' expected a well-formed safetensors file/,
      );
      await expect(nn.saveModel(new nn.Linear(2, 2), join(dir, 'no', 'such', 'dir', 'm.safetensors'))).rejects.toThrow(
        /saveModel: argument 'path' expected a file path that can be written/,
      );
      await expect(nn.loadModel({} as never, 'x')).rejects.toThrow(/loadModel: argument 'module' expected a Module/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the vocabulary: options objects and lists', () => {
    expect(checkOptions('f', undefined, ['a'])).toEqual({});
    expect(errorOf(() => checkOptions('f', [], ['a'])).message).toBe(
      "f: argument 'options' expected an options object ({ a }), got an array of length 0",
    );
    expect(errorOf(() => checkOptions('f', { a: 1, b: 2, c: 3 }, ['a'])).message).toBe(
      "f: argument 'options' expected only the options 'a', got unknown options 'b', 'c'",
    );
    expect(checkList('f', 'xs', new Set([1, 2]), (v) => v)).toEqual([1, 2]);
    expect(errorOf(() => checkList('f', 'xs', 'ab', (v) => v)).message).toBe(
      'f: argument \'xs\' expected a list, got "ab"',
    );
    expect(MAX_ELEMENTS).toBe(2 ** 31 - 1);
  });
});
