// Arbitraries shared by the backend tests: strided views (sliced, offset, transposed) of
// small shapes, including rank 0 and zero-size sides, and pairs that broadcast.
import fc from 'fast-check';
import { type DType, NDArray, sizeOf } from '@skipgrad/tensor';

/**
 * A strided view of `shape`: a bigger array that is sliced (offset, gaps), then transposed
 * twice at random axes so the strides are not row-major — but the logical shape is `shape`.
 */
export const stridedView = (shape: number[], dtype: DType): fc.Arbitrary<NDArray> =>
  fc
    .tuple(
      fc.array(fc.integer({ min: -40, max: 40 }), {
        minLength: sizeOf(shape.map((s) => s + 1)),
        maxLength: sizeOf(shape.map((s) => s + 1)),
      }),
      fc.boolean(),
      fc.nat(),
    )
    .map(([data, flip, k]) => {
      const storage =
        dtype === 'float64' ? Float64Array.from(data, (v) => v / 8) : Float32Array.from(data, (v) => v / 8);
      const big = new NDArray(
        storage,
        shape.map((s) => s + 1),
      );
      let view = big.slice(shape.map((s) => [1, s + 1] as [number, number]));
      if (flip && shape.length >= 2) {
        const a = k % shape.length;
        const b = (k >> 3) % shape.length;
        // transpose the storage-level view, copy-free, then transpose back the logical shape
        view = view.transpose(a, b).copy().transpose(a, b);
      }
      return view;
    });

export const dtypes = fc.constantFrom<DType>('float32', 'float64');
export const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
/** Two views whose shapes broadcast: the second is a suffix of the first, some sides set to 1. */
export const pairArbOf = (dtype: fc.Arbitrary<DType>): fc.Arbitrary<[NDArray, NDArray]> =>
  fc
    .tuple(shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.nat(4), dtype)
    .chain(([s, ones, cut, d]) => {
      const other = s.slice(Math.min(cut, s.length)).map((side, i) => (ones[i] ? 1 : side));
      return fc.tuple(stridedView(s, d), stridedView(other, d));
    });
export const pairArb = pairArbOf(dtypes);
