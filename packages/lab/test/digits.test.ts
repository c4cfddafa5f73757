import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Generator } from '@skipgrad/tensor';
import { halve, loadDigits, permutation, split } from '../src/data/digits.js';
import { generateShapes } from '../src/data/shapes.js';

const digits = loadDigits();

describe('MNIST digits from the mnist package', () => {
  test('about 1,000 real 28×28 digits of each class, grey levels in [0, 1]', () => {
    expect(digits.side).toBe(28);
    expect(digits.count).toBe(10_000);
    expect(digits.images.length).toBe(digits.count * 784);
    for (let d = 0; d < 10; d++) {
      const n = digits.labels.filter((l) => l === d).length;
      expect(n).toBeGreaterThan(800);
      expect(n).toBeLessThan(1200);
    }
    expect(Math.min(...digits.images.subarray(0, 784))).toBe(0);
    expect(Math.max(...digits.images.subarray(0, 784))).toBeGreaterThan(0.9);
  });

  test('the split is seeded, disjoint and the same for the same seed', () => {
    const a = split(digits, 500, 100, new Generator(5));
    const b = split(digits, 500, 100, new Generator(5));
    const c = split(digits, 500, 100, new Generator(6));
    expect([a.train.count, a.test.count]).toEqual([500, 100]);
    expect(a.train.images).toEqual(b.train.images);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(a.train.labels).not.toEqual(c.train.labels);
    const key = (d: typeof a.train, i: number): string => Array.from(d.images.subarray(i * 784, (i + 1) * 784)).join();
    const trainKeys = new Set(Array.from({ length: 500 }, (_, i) => key(a.train, i)));
    const shared = Array.from({ length: 100 }, (_, i) => key(a.test, i)).filter((k) => trainKeys.has(k));
    expect(shared.length).toBeLessThanOrEqual(1); // MNIST holds a few exact duplicates; never the same index
    expect(() => split(digits, 9_000, 2_000, new Generator(1))).toThrow(
      "lab digits: argument 'train + test' expected at most the 10000 digits there are, got 9000 + 2000",
    );
    expect(() => split(digits, -5, 10, new Generator(1))).toThrow(
      "lab digits: argument 'trainCount' expected a whole number of digits, 0 or more, got -5",
    );
    expect(() => split(digits, 10, 2.5, new Generator(1))).toThrow(
      "lab digits: argument 'testCount' expected a whole number of digits, 0 or more, got 2.5",
    );
  });

  test('permutation holds every index once', () => {
    const p = permutation(50, new Generator(3));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('halve averages 2×2 blocks', () => {
    const one = {
      images: Float32Array.from({ length: 16 }, (_, i) => i / 16),
      labels: Uint8Array.of(3),
      count: 1,
      side: 4,
    };
    const h = halve(one);
    expect(h.side).toBe(2);
    expect(Array.from(h.images)).toEqual(
      [(0 + 1 + 4 + 5) / 64, (2 + 3 + 6 + 7) / 64, (8 + 9 + 12 + 13) / 64, (10 + 11 + 14 + 15) / 64].map(Math.fround),
    );
    expect(h.labels).toEqual(one.labels);
  });
});

describe('missing or malformed data is a clear error', () => {
  const dirWith = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-digits-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const good = JSON.stringify({ data: new Array(784).fill(0.5) });
  const nine = Object.fromEntries(Array.from({ length: 9 }, (_, d) => [`${d}.json`, good]));

  test('a missing class file', () => {
    expect(() => loadDigits(dirWith(nine))).toThrow(
      /lab digits: argument '.*9\.json' expected a readable file of the mnist package, got no such file/,
    );
  });
  test('malformed JSON', () => {
    expect(() => loadDigits(dirWith({ ...nine, '9.json': '{"data": [0.1,' }))).toThrow(
      /9\.json' expected JSON, got malformed JSON/,
    );
  });
  test('a length that is not whole images', () => {
    expect(() => loadDigits(dirWith({ ...nine, '9.json': JSON.stringify({ data: [0.1, 0.2] }) }))).toThrow(
      /expected \{ "data": \[\.\.\.\] \} holding a whole number of 784-pixel images, got an array of 2 values/,
    );
    expect(() => loadDigits(dirWith({ ...nine, '9.json': JSON.stringify({ pixels: [] }) }))).toThrow(/got undefined/);
  });
  test('a value outside [0, 1]', () => {
    const bad = new Array(784).fill(0.5);
    bad[17] = 3;
    expect(() => loadDigits(dirWith({ ...nine, '9.json': JSON.stringify({ data: bad }) }))).toThrow(
      /9\.json data\[17\]' expected a grey level in \[0, 1\], got 3/,
    );
    bad[17] = 'x';
    expect(() => loadDigits(dirWith({ ...nine, '9.json': JSON.stringify({ data: bad }) }))).toThrow(
      /data\[17\]' expected a grey level in \[0, 1\], got "x"/,
    );
  });
});

describe('generated shapes', () => {
  test('masks mark the bright shapes; the same seed draws the same set', () => {
    const a = generateShapes(20, 12, new Generator(9));
    const b = generateShapes(20, 12, new Generator(9));
    expect(a.images).toEqual(b.images);
    expect(a.masks).toEqual(b.masks);
    let on = 0;
    a.masks.forEach((m, i) => {
      expect(m === 0 || m === 1).toBe(true);
      if (m === 1) {
        on++;
        expect(a.images[i]).toBeGreaterThanOrEqual(0.39);
      } else expect(a.images[i]).toBeLessThan(0.25);
    });
    expect(on).toBeGreaterThan(0);
    expect(on).toBeLessThan(a.masks.length);
    expect(() => generateShapes(-1, 12, new Generator(1))).toThrow(
      "generateShapes: argument 'count' expected a whole number of images, 0 or more, got -1",
    );
    expect(() => generateShapes(2, 3, new Generator(1))).toThrow(
      "generateShapes: argument 'side' expected an integer of at least 4 (pixels), got 3",
    );
  });
});
