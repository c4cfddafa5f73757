// The edges of the shape ops a mutation run found untested: squeeze's and narrow's refusals whole,
// narrow on a leading axis keeping the axes after it, split's piece count (a limit, a divisible
// side, an empty axis) and a pooling window too big on one axis only.
import { describe, expect, it } from 'vitest';
import { arange, maxPool2d, narrow, split, squeeze, zeros } from '../src/index.js';
import { expectRefusal } from './refused.js';

describe('squeeze and narrow', () => {
  it('squeeze refuses an axis whose side is not 1, naming the axis as given', () => {
    expectRefusal(
      () => squeeze(zeros([2, 1, 3]), -1),
      "squeeze: argument 'axis' expected an axis of side 1, got axis -1 of side 3 (shape [2, 1, 3])",
    );
  });

  it('narrow keeps every axis after the narrowed one whole, and refuses a range past the side', () => {
    const x = arange(24).reshape([2, 3, 4]);
    const piece = narrow(x, 0, 1, 1);
    expect(piece.shape).toEqual([1, 3, 4]);
    expect(piece.toArray()).toEqual([(x.toArray() as number[][][])[1]]);
    expect(narrow(x, 1, -2, 2).shape).toEqual([2, 2, 4]);
    expectRefusal(
      () => narrow(zeros([2, 5]), 1, 4, 2),
      "narrow: argument 'start' expected a range [start, start + length) inside axis 1 of side 5, got start 4, length 2",
    );
  });
});

describe('split', () => {
  it('a side that divides evenly gives no empty last piece; an empty axis gives one empty piece', () => {
    expect(split(arange(6), 2).map((p) => p.toArray())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(split(arange(6), 6).map((p) => p.shape)).toEqual([[6]]);
    expect(split(zeros([2, 0]), 3, 1).map((p) => p.shape)).toEqual([[2, 0]]);
  });

  it('refuses a size that would make more than 2^20 pieces, with the count it would make', () => {
    expectRefusal(
      () => split(zeros([2 ** 21 + 2]), 2),
      "split: argument 'sizes' expected a size that cuts axis 0 (side 2097154) into at most 1,048,576 pieces, got 2, 1,048,577 pieces",
    );
  });
});

describe('pooling windows', () => {
  it('a window too big on one axis is refused, whichever axis it is', () => {
    const message = (kernel: string): string =>
      `maxPool2d: argument 'kernel' expected a window that fits the padded input [3, 3], got kernel ${kernel}, padding [0, 0], dilation [1, 1]`;
    expectRefusal(() => maxPool2d(zeros([1, 1, 3, 3]), [1, 5]), message('[1, 5]'));
    expectRefusal(() => maxPool2d(zeros([1, 1, 3, 3]), [5, 1]), message('[5, 1]'));
    expect(maxPool2d(zeros([1, 1, 3, 3]), [3, 1]).shape).toEqual([1, 1, 1, 3]);
  });
});
