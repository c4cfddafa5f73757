/**
 * Argument handling shared by the sliding-window ops (unfold, fold, conv, pooling):
 * a side given as one number means the same along height and width.
 */
import { type Window2d, windowOutputSize } from '@skipgrad/kernels';
import { SkipgradError, describe, formatShape } from '@skipgrad/tensor';
import type { Tensor } from '../tensor.js';

export type Pair = number | readonly [number, number];

export interface WindowOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

export function pair(op: string, name: string, value: unknown, min: number): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n >= min)) {
    throw new SkipgradError(op, name, `an integer >= ${min} or a pair of them`, describe(value));
  }
  return [v[0], v[1]];
}

/** Checks the window against an input of spatial size [h, w]: the output must not be empty. */
export function makeWindow(
  op: string,
  kernel: Pair,
  o: WindowOptions,
  spatial: readonly number[],
): Window2d & { out: [number, number] } {
  const win = {
    kernel: pair(op, 'kernel', kernel, 1),
    stride: pair(op, 'stride', o.stride ?? 1, 1),
    padding: pair(op, 'padding', o.padding ?? 0, 0),
    dilation: pair(op, 'dilation', o.dilation ?? 1, 1),
  };
  const out: [number, number] = [0, 1].map((d) =>
    windowOutputSize(spatial[d]!, win.kernel[d]!, win.stride[d]!, win.padding[d]!, win.dilation[d]!),
  ) as [number, number];
  if (out[0] < 1 || out[1] < 1) {
    throw new SkipgradError(
      op,
      'kernel',
      `a window that fits the padded input ${formatShape(spatial)}`,
      `kernel ${formatShape(win.kernel)}, padding ${formatShape(win.padding)}, dilation ${formatShape(win.dilation)}`,
    );
  }
  return { ...win, out };
}

export function checkImage(op: string, arg: string, x: Tensor): void {
  if (x.rank !== 4) throw new SkipgradError(op, arg, 'a tensor of shape [N, C, H, W]', `shape ${formatShape(x.shape)}`);
}
