// Edges of the image ops that the value and gradient suites do not pin down: interpolate's
// scale factors (a pair, a factor that keeps one pixel, one that keeps the size but moves
// the samples) and fold's three shape checks, each failing alone; pooling's limits, and
// maxPool2dWithIndices' indices against their definition (padding, dilation, ties, NaN).
import { expect, test } from 'vitest';
import * as sg from '../src/index.js';
import { expectRefusal } from './refused.js';

const grid = (h: number, w: number): sg.Tensor =>
  sg.tensor(
    Array.from({ length: h * w }, (_, i) => i),
    { shape: [1, 1, h, w], dtype: 'float64' },
  );

test('interpolate takes a pair of scale factors, one per axis', () => {
  const y = sg.interpolate(grid(2, 2), { scaleFactor: [2, 1.5] });
  // H: 2 → 4 reads rows 0, 0, 1, 1; W: 2 → 3 reads columns floor(j / 1.5) = 0, 0, 1.
  expect(y.toArray()).toEqual([
    [
      [
        [0, 0, 1],
        [0, 0, 1],
        [2, 2, 3],
        [2, 2, 3],
      ],
    ],
  ]);
});

test('a scale factor that keeps the size still moves bilinear samples by 1/factor', () => {
  // H = 2, factor 1.2 → 2 rows; row 1 samples (1 + 0.5) / 1.2 − 0.5 = 0.75: a quarter of
  // row 0 and three quarters of row 1. Not the identity, as PyTorch's scale_factor is not.
  const y = sg.interpolate(grid(2, 2), { scaleFactor: [1.2, 1], mode: 'bilinear' });
  const got = (y.toArray() as number[][][][])[0]![0]!;
  expect(got[0]).toEqual([0, 1]);
  expect(got[1]![0]).toBeCloseTo(1.5, 12);
  expect(got[1]![1]).toBeCloseTo(2.5, 12);
});

test('a factor that leaves exactly one pixel is allowed', () => {
  expect(sg.interpolate(grid(2, 4), { scaleFactor: 0.5 }).toArray()).toEqual([[[[0, 2]]]]);
});

test.each([
  [0, '0'],
  [-1, '-1'],
  [Infinity, 'Infinity'],
  [NaN, 'NaN'],
  ['xy', '"xy"'],
  [[2], 'an array of length 1'],
])('interpolate refuses the scale factor %s by name', (factor, given) => {
  expectRefusal(
    () => sg.interpolate(grid(2, 2), { scaleFactor: factor as never }),
    `interpolate: argument 'scaleFactor' expected a number > 0 or a pair of them, got ${given}`,
  );
});

test('interpolate names the axis pair a too-small factor empties', () => {
  expectRefusal(
    () => sg.interpolate(grid(2, 4), { scaleFactor: [1, 0.2] }),
    "interpolate: argument 'scaleFactor' expected a factor that leaves at least one pixel of [2, 4], got [1, 0.2]",
  );
});

test('interpolate refuses an image with no pixels, a size of 0, and options that are not an object', () => {
  expectRefusal(
    () => sg.interpolate(sg.zeros([1, 1, 0, 3]), { size: 2 }),
    "interpolate: argument 'x' expected images with at least one pixel along H and W, got shape [1, 1, 0, 3]",
  );
  expectRefusal(
    () => sg.interpolate(grid(2, 2), { size: 0 }),
    "interpolate: argument 'size' expected an integer >= 1 or a pair of them, got 0",
  );
  expectRefusal(
    () => sg.interpolate(grid(2, 2), null as never),
    "interpolate: argument 'options' expected an options object ({ size, scaleFactor, mode, alignCorners }), got null",
  );
  expectRefusal(
    () => sg.interpolate(grid(2, 2), { size: 2, mode: 'bilinear', alignCorners: 1 as never }),
    "interpolate: argument 'alignCorners' expected a boolean, got 1",
  );
});

test('bilinear with alignCorners to one pixel reads the first pixel', () => {
  const y = sg.interpolate(grid(3, 3), { size: [1, 3], mode: 'bilinear', alignCorners: true });
  expect(y.toArray()).toEqual([[[[0, 1, 2]]]]);
});

// fold with kernel 2×2 into 3×3: 4 values per channel per window, 2·2 = 4 windows.
test.each([
  [[4, 4], 'shape [4, 4]'],
  [[1, 6, 4], 'shape [1, 6, 4]'],
  [[1, 4, 3], 'shape [1, 4, 3]'],
])('fold refuses columns %j by name', (shape, given) => {
  expectRefusal(
    () => sg.fold(sg.ones(shape), [3, 3], 2),
    `fold: argument 'cols' expected a tensor [N, C·4, 4] (kernel [2, 2], 4 windows), got ${given}`,
  );
});

test('fold sums overlapping windows for two channels', () => {
  const y = sg.fold(sg.ones([1, 8, 4]), [3, 3], 2);
  const corner = [1, 2, 1];
  const middle = [2, 4, 2];
  expect(y.toArray()).toEqual([
    [
      [corner, middle, corner],
      [corner, middle, corner],
    ],
  ]);
});

/** The op names in t's graph, from t back to the leaves. */
function opsIn(t: sg.Tensor): Set<string> {
  const seen = new Set<string>();
  const walk = (node: sg.Node | null): void => {
    if (node === null) return;
    seen.add(node.op);
    for (const input of node.inputs) if (input.target instanceof sg.Node) walk(input.target);
  };
  walk(t.node);
  return seen;
}

test('pooling pads inside unfold unless it must pad with a value or for ceil mode', () => {
  const x = sg.rand([1, 1, 5, 5], { requiresGrad: true });
  expect(opsIn(sg.avgPool2d(x, 2, { padding: 1 })).has('pad')).toBe(false);
  expect(opsIn(sg.avgPool2d(x, 2, { ceilMode: true })).has('pad')).toBe(true); // 5 = 2·2 + 1: a window overhangs
  expect(opsIn(sg.avgPool2d(x, 3, { stride: 2, ceilMode: true })).has('pad')).toBe(false); // 5 = 2·2 + 1: none does
  expect(opsIn(sg.maxPool2d(x, 2, { padding: 1 })).has('pad')).toBe(true); // max pads with the lowest value
});

test('pooling refuses padding over half the kernel on either axis, and a window larger than the input', () => {
  const x = sg.ones([1, 1, 4, 4]);
  expectRefusal(
    () => sg.maxPool2d(x, 3, { padding: 2 }),
    "maxPool2d: argument 'padding' expected at most half the kernel [3, 3], got [2, 2]",
  );
  expectRefusal(
    () => sg.avgPool2d(x, 3, { padding: [0, 2] }),
    "avgPool2d: argument 'padding' expected at most half the kernel [3, 3], got [0, 2]",
  );
  expectRefusal(
    () => sg.avgPool2d(x, 3, { padding: [2, 0] }),
    "avgPool2d: argument 'padding' expected at most half the kernel [3, 3], got [2, 0]",
  );
  expect(sg.maxPool2d(x, 3, { padding: 1 }).shape).toEqual([1, 1, 2, 2]); // half of 3, rounded down, is allowed
  expectRefusal(
    () => sg.maxPool2d(x, 5),
    "maxPool2d: argument 'kernel' expected a window that fits the padded input [4, 4], got kernel [5, 5], padding [0, 0], dilation [1, 1]",
  );
});

/** The flat h·W + w of the first largest pixel of each window (NaN wins), from the definition. */
function firstMaxima(x: sg.Tensor, k: number, s: number, p: number, d: number, out: [number, number]): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const v = Array.from(x.data.toTypedArray());
  const result: number[] = [];
  for (let plane = 0; plane < N * C; plane++)
    for (let i = 0; i < out[0]; i++)
      for (let j = 0; j < out[1]; j++) {
        const inside: number[] = []; // the window's pixels inside the image, row by row
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const [r, c] = [i * s - p + a * d, j * s - p + b * d];
            if (r >= 0 && r < H && c >= 0 && c < W) inside.push(r * W + c);
          }
        const values = inside.map((at) => v[plane * H * W + at]!);
        const nan = values.findIndex(Number.isNaN);
        result.push(inside[nan >= 0 ? nan : values.indexOf(Math.max(...values))]!);
      }
  return result;
}

test.each([
  [3, 2, 1, 1],
  [2, 1, 0, 2],
  [3, 1, 1, 2],
  [2, 3, 1, 1],
])(
  'maxPool2dWithIndices: kernel %i, stride %i, padding %i, dilation %i, two planes with ties and a NaN',
  (k, s, p, d) => {
    // (planes of 35 pixels, so that the two planes differ and a window reading past its plane shows)
    const values = Array.from({ length: 2 * 5 * 7 }, (_, i) => ((i * 7) % 5) - 2 + Math.floor(i / 35) * 3);
    values[44] = NaN;
    const x = sg.tensor(values, { shape: [1, 2, 5, 7], dtype: 'float64' });
    const { values: y, indices } = sg.maxPool2dWithIndices(x, k, { stride: s, padding: p, dilation: d });
    const out = [y.shape[2]!, y.shape[3]!] as [number, number];
    expect(indices.shape).toEqual([1, 2, ...out]);
    expect(Array.from(indices.data.toTypedArray())).toEqual(firstMaxima(x, k, s, p, d, out));
  },
);

test('maxPool2dWithIndices: of two NaNs in one window, on different rows, the first wins', () => {
  const x = sg.tensor([1, NaN, NaN, 2], { shape: [1, 1, 2, 2], dtype: 'float64' });
  expect(sg.maxPool2dWithIndices(x, 2).indices.toArray()).toEqual([[[[1]]]]);
});

test('maxPool2dWithIndices is traced as one op over its input, with no ONNX form', () => {
  const x = sg.ones([1, 1, 2, 2]);
  const seen: [string, unknown, readonly sg.Tensor[]][] = [];
  const { indices } = sg.traceForExport({ record: (op, form, inputs) => seen.push([op, form, inputs]) }, () =>
    sg.maxPool2dWithIndices(x, 2),
  );
  expect(seen.at(-1)).toEqual(['maxPool2dWithIndices', undefined, [x]]);
  expect(indices.toArray()).toEqual([[[[0]]]]);
});

test('adaptive pooling refuses an output size too big for its bin matrix or its bins, on each axis', () => {
  const x = sg.ones([1, 1, 4, 4]);
  const limit =
    'expected at most 2,147,483,647 elements (8.0 GiB), got [1073741824, 4], 4,295,000,000 elements (16.0 GiB)';
  expectRefusal(() => sg.adaptiveAvgPool2d(x, [2 ** 30, 1]), `adaptiveAvgPool2d: argument 'outputSize' ${limit}`);
  expectRefusal(() => sg.adaptiveAvgPool2d(x, [1, 2 ** 30]), `adaptiveAvgPool2d: argument 'outputSize' ${limit}`);
  const bins = (shape: string): string =>
    `adaptiveMaxPool2d: argument 'outputSize' expected at most 16384 bins along each axis, got ${shape}`;
  expectRefusal(() => sg.adaptiveMaxPool2d(x, [16385, 1]), bins('[16385, 1]'));
  expectRefusal(() => sg.adaptiveMaxPool2d(x, [1, 16385]), bins('[1, 16385]'));
});
