/**
 * padWith — pads by copying a's own elements instead of a constant (PyTorch's F.pad modes),
 * one axis at a time, as a concat of slices of a (so the gradient is concat's and narrow's: each
 * copied element sends its gradient back to the element it copies):
 *
 *   reflect     [d c b | a b c d | c b a]   mirrored, the edge not repeated (before, after < side)
 *   replicate   [a a a | a b c d | d d d]   the edge element repeated
 *   circular    [b c d | a b c d | a b c]   wrapped around (before, after ≤ side)
 *
 * An element copied k times receives k gradients: da is dy's interior plus every copy's dy.
 */
import { SkipgradError, describe, formatShape } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import type { Tensor } from '../tensor.js';
import { concat } from './concat.js';
import { expand } from './expand.js';
import { narrow } from './shape.js';

export type PadMode = 'reflect' | 'replicate' | 'circular';
export const PAD_MODES: readonly PadMode[] = ['reflect', 'replicate', 'circular'];

/**
 * Pads each axis by its [before, after] pair with copies of a's elements.
 *
 * @example
 * padWith(tensor([1, 2, 3]), [[2, 1]], 'reflect').toArray(); // [3, 2, 1, 2, 3, 2]
 */
export function padWith(a: Tensor, pads: readonly (readonly [number, number])[], mode: PadMode): Tensor {
  const x = checkTensor('padWith', 'a', a);
  if (!PAD_MODES.includes(mode))
    throw new SkipgradError('padWith', 'mode', `one of ${PAD_MODES.map((m) => `'${m}'`).join(', ')}`, describe(mode));
  if (!Array.isArray(pads) || pads.length !== x.rank) {
    throw new SkipgradError(
      'padWith',
      'pads',
      `${x.rank} [before, after] pairs (one per axis of shape ${formatShape(x.shape)})`,
      describe(pads),
    );
  }
  let y = x;
  pads.forEach((p, axis) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new SkipgradError(
        'padWith',
        `pads[${axis}]`,
        'a pair of non-negative integers [before, after]',
        describe(p),
      );
    }
    const [before, after] = p as [number, number];
    if (before === 0 && after === 0) return;
    const side = x.shape[axis]!;
    const limit = mode === 'reflect' ? side - 1 : mode === 'circular' ? side : Infinity;
    if (side === 0) {
      throw new SkipgradError(
        'padWith',
        `pads[${axis}]`,
        `[0, 0] on an empty axis ('${mode}' copies elements, and axis ${axis} has none)`,
        `[${before}, ${after}]`,
      );
    }
    if (before > limit || after > limit) {
      throw new SkipgradError(
        'padWith',
        `pads[${axis}]`,
        `at most ${mode === 'reflect' ? 'side − 1' : 'side'} = ${limit} on each end for '${mode}' (axis ${axis} has ${side})`,
        `[${before}, ${after}]`,
      );
    }
    y = concat([...edge(y, axis, before, 'before', mode), y, ...edge(y, axis, after, 'after', mode)], axis);
  });
  return y;
}

/** The pieces that go before or after t along `axis`: `count` copied elements, in order. */
function edge(t: Tensor, axis: number, count: number, end: 'before' | 'after', mode: PadMode): Tensor[] {
  if (count === 0) return [];
  const side = t.shape[axis]!;
  const one = (i: number): Tensor => narrow(t, axis, i, 1);
  if (mode === 'replicate') {
    const shape = t.shape.map((s, d) => (d === axis ? count : s));
    return [expand(one(end === 'before' ? 0 : side - 1), shape)];
  }
  if (mode === 'circular') return [end === 'before' ? narrow(t, axis, side - count, count) : narrow(t, axis, 0, count)];
  // reflect: before = t[count], …, t[1]; after = t[side − 2], …, t[side − 1 − count]
  return Array.from({ length: count }, (_, k) => one(end === 'before' ? count - k : side - 2 - k));
}
