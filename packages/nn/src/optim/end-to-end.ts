/**
 * Many parameters updated as one ("multi-tensor", PyTorch's foreach): an optimizer's update is
 * elementwise — each coordinate's new value depends only on that coordinate's value, gradient
 * and state — so the update of a whole list of parameters is the update of one long vector
 * that holds them end to end:
 *
 *   [p₁ | p₂ | … | pₙ]  →  update  →  [p₁' | p₂' | … | pₙ']    (then cut back into pieces)
 *
 * Every coordinate goes through the same arithmetic as it would alone, so the values are the
 * same bit for bit; only the number of kernel calls changes: a transformer's ~70 parameters,
 * AdamW's ~15 ops each, are ~1,000 calls of a few microseconds on tiny arrays one at a time
 * and ~20 over the whole vector.
 *
 * The pieces handed back are views into the one result (no copy), so at the next step the
 * parameters, and the state kept as pieces too, already lie end to end: `endToEnd` finds them
 * so and reads them as the one vector they are, copying nothing. Only the gradients, which
 * backward makes one by one, are concatenated.
 */
import { Tensor, concat } from '@skipgrad/autograd';
import { NDArray, contiguousStrides, sizeOf } from '@skipgrad/tensor';

/**
 * The tensors laid end to end as one vector (rank 1). A view when they are already consecutive
 * pieces of one contiguous storage (what `piece` makes), else a concatenation (one copy).
 */
export function endToEnd(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0]!.data;
  let next = first.offset;
  const consecutive = tensors.every(({ data }) => {
    const fits = data.source === first.source && data.offset === next && data.isContiguous();
    next += data.size;
    return fits;
  });
  if (consecutive) return new Tensor(new NDArray(first.source, [next - first.offset], [1], first.offset));
  return concat(
    tensors.map((t) => t.reshape([-1])),
    0,
  );
}

/** Elements [start, start + size of shape) of a vector, as a contiguous view of that shape. */
export function piece(vector: Tensor, start: number, shape: readonly number[]): Tensor {
  const flat = vector.reshape([-1]).data; // a view when contiguous (always, for an op's result)
  return new Tensor(new NDArray(flat.source, [...shape], contiguousStrides(shape), flat.offset + start));
}

/** Where each of these shapes starts in a vector that holds them end to end. */
export function starts(shapes: readonly (readonly number[])[]): number[] {
  let at = 0;
  return shapes.map((shape) => {
    const start = at;
    at += sizeOf(shape);
    return start;
  });
}
