import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SkipgradError,
  broadcastShapes,
  contiguousStrides,
  normalizeAxes,
  normalizeAxis,
  reductionAxes,
  sizeOf,
} from '../src/index.js';

describe('shape algebra', () => {
  it('sizes and contiguous strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
  });

  it('broadcasts NumPy-style and names the op and both shapes on failure', () => {
    expect(broadcastShapes('add', [2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [0, 1], [1, 5])).toEqual([0, 5]);
    expect(broadcastShapes('add', [3], [1], [2, 1])).toEqual([2, 3]);
    expect(() => broadcastShapes('mul', [2, 3], [3, 2])).toThrow(
      "mul: argument 'shapes' expected shapes that broadcast (sides equal or 1, aligned on the right), got [2, 3] and [3, 2] (axis -1 has sides 3 and 2)",
    );
    expect(() => broadcastShapes('mul', [2, 3], [3, 2])).toThrow(SkipgradError);
  });

  it('reduction axes undo a broadcast', () => {
    expect(reductionAxes([3], [2, 3])).toEqual([0]);
    expect(reductionAxes([4, 1], [2, 4, 3])).toEqual([0, 2]);
    expect(reductionAxes([2, 3], [2, 3])).toEqual([]);
    expect(reductionAxes([1, 1], [1, 1])).toEqual([]);
    expect(reductionAxes([], [2, 2])).toEqual([0, 1]);
  });

  test.prop([
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    fc.nat(4),
  ])(
    'reduction axes are exactly the axes where the input (right-aligned) has side 1 or is missing, and the output does not',
    (out, ones, cut) => {
      const input = out.slice(Math.min(cut, out.length)).map((s, i) => (ones[i] ? 1 : s));
      const axes = reductionAxes(input, out);
      const lead = out.length - input.length;
      out.forEach((side, d) => expect(axes.includes(d)).toBe(d < lead || (input[d - lead] === 1 && side !== 1)));
      expect(broadcastShapes('t', input, out)).toEqual(out);
    },
  );

  it('normalises negative axes and refuses out-of-range, fractional and repeated ones', () => {
    expect(normalizeAxis('op', -1, 3)).toBe(2);
    expect(normalizeAxis('op', 0, 1)).toBe(0);
    expect(() => normalizeAxis('op', 3, 3)).toThrow(
      "op: argument 'axis' expected an integer axis in [-3, 3), got 3 (for a tensor of rank 3)",
    );
    expect(() => normalizeAxis('op', -4, 3)).toThrow(/got -4/);
    expect(() => normalizeAxis('op', 1.5, 3)).toThrow(/got 1.5/);
    expect(normalizeAxes('op', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeAxes('op', [-1, 0], 3)).toEqual([0, 2]);
    expect(() => normalizeAxes('op', [1, -2], 3)).toThrow(/distinct axes/);
  });
});
