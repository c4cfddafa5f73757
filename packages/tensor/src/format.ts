/**
 * A PyTorch-like printout:
 *
 *     tensor([[ 1.0000, -2.5000],
 *             [ 3.0000,  4.0000]])
 *
 * Whole numbers print as `1.`, others with 4 decimals, very large or small magnitudes in
 * scientific notation; all elements share one width. Arrays over 1000 elements show the
 * first and last 3 entries of each axis around `...`.
 */
import { formatShape } from './errors.js';
import type { NDArray } from './ndarray.js';

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

export function formatArray(array: NDArray, prefix = 'tensor(', suffix = ''): string {
  const summarise = array.size > SUMMARY_THRESHOLD;
  const shown = collectShown(array, summarise);
  const format = chooseFormat(shown);
  const width = Math.max(1, ...shown.map((v) => format(v).length));
  const indent = ' '.repeat(prefix.length);
  const render = (axis: number, at: number): string => {
    if (axis === array.rank) return format(array.storage[at]!).padStart(width);
    const side = array.shape[axis]!;
    const parts: string[] = [];
    for (const i of shownIndices(side, summarise)) {
      parts.push(i < 0 ? '...' : render(axis + 1, at + i * array.strides[axis]!));
    }
    const innermost = axis === array.rank - 1;
    const gap = innermost ? ', ' : ',' + '\n'.repeat(array.rank - axis - 1) + indent + ' '.repeat(axis + 1);
    return '[' + parts.join(gap) + ']';
  };
  const body = array.size === 0 && array.rank > 0 ? '[]' : render(0, array.offset);
  const extras = [
    array.size === 0 && array.rank !== 1 ? `size=${formatShape(array.shape)}` : '',
    array.dtype === 'float64' ? 'dtype=float64' : '',
    suffix,
  ].filter((s) => s !== '');
  return prefix + body + (extras.length ? ', ' + extras.join(', ') : '') + ')';
}

/** Indices to print along an axis: all of them, or the edges with -1 standing for "...". */
function shownIndices(side: number, summarise: boolean): number[] {
  if (!summarise || side <= 2 * EDGE_ITEMS) return Array.from({ length: side }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => side - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}

function collectShown(array: NDArray, summarise: boolean): number[] {
  const values: number[] = [];
  const visit = (axis: number, at: number): void => {
    if (axis === array.rank) {
      values.push(array.storage[at]!);
      return;
    }
    for (const i of shownIndices(array.shape[axis]!, summarise)) {
      if (i >= 0) visit(axis + 1, at + i * array.strides[axis]!);
    }
  };
  if (array.size > 0) visit(0, array.offset);
  return values;
}

function chooseFormat(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
  const magnitudes = finite.map(Math.abs).filter((v) => v > 0);
  const max = Math.max(0, ...magnitudes);
  const min = Math.min(Infinity, ...magnitudes);
  if (finite.every(Number.isInteger) && max < 1e8) return (v) => special(v) ?? `${v}.`;
  if (max >= 1e8 || min < 1e-4) return (v) => special(v) ?? v.toExponential(4);
  return (v) => special(v) ?? v.toFixed(4);
}
