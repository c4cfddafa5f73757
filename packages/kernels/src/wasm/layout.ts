/**
 * Describing strided views to the kernels. `coalesce` simplifies a walk over several layouts of
 * one shape before it is handed to WebAssembly: axes of side 1 go (they never move an offset),
 * and an axis merges into the one to its right when, in every layout, stepping once along it
 * equals stepping a whole row of the right one (strides[i] = strides[i+1] · shape[i+1]). A
 * contiguous array becomes one row; [64, 256] + [256] becomes [64, 256] with b's strides
 * [0, 1] — the kernel then runs each row four lanes at a time with b's row reused.
 */
export interface Walk {
  shape: number[];
  /** One strides array per layout, in the order given. */
  strides: number[][];
}

export function coalesce(shape: readonly number[], layouts: readonly (readonly number[])[]): Walk {
  const keep = shape.map((side, axis) => axis).filter((axis) => shape[axis] !== 1);
  const out: Walk = { shape: [], strides: layouts.map(() => []) };
  for (const axis of keep) {
    const last = out.shape.length - 1;
    const merges = last >= 0 && layouts.every((s, l) => out.strides[l]![last] === s[axis]! * shape[axis]!);
    if (merges) {
      out.shape[last]! *= shape[axis]!;
      layouts.forEach((s, l) => {
        out.strides[l]![last] = s[axis]!;
      });
    } else {
      out.shape.push(shape[axis]!);
      layouts.forEach((s, l) => out.strides[l]!.push(s[axis]!));
    }
  }
  return out;
}

/** The number of rows a kernel walks: every multi-index but the last axis (1 at rank 0). */
export function rowsOf(walk: Walk): number {
  return walk.shape.slice(0, -1).reduce((n, side) => n * side, 1);
}

/** The descriptor the kernels read (assembly/strided.ts): shape, then each layout's strides. */
export function descriptor(walk: Walk): Int32Array {
  const rank = walk.shape.length;
  const out = new Int32Array(rank * (1 + walk.strides.length));
  out.set(walk.shape, 0);
  walk.strides.forEach((s, l) => out.set(s, rank * (1 + l)));
  return out;
}
