// The kernel parity suite every backend runs against the CPU reference: each kernel over
// generated strided views (broadcasting, transposes, offsets, rank 0, zero-size sides). The
// gpujs tests run it in every gpu.js mode, the wasm tests in each thread count.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { expect } from 'vitest';
import { NDArray, sizeOf } from '@skipgrad/tensor';
import {
  type Backend,
  BINARY_OPS,
  UNARY_OPS,
  type Window2d,
  cpuBackend as cpu,
  matmulThenEpilogue,
  windowOutputSize,
} from '../src/index.js';
import { runs } from '../../../tests/support.js';
import { pairArbOf, shapeArb, stridedView } from './arbitraries.js';

const f32 = fc.constant('float32' as const);
export const view = (shape: number[]): fc.Arbitrary<NDArray> => stridedView(shape, 'float32');

/** Equal within float32 rounding: NaN where the reference is NaN, same infinities. */
export function expectClose(got: NDArray, want: NDArray, tolerance = 2e-5): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const [x, y] = [g[i]!, w[i]!];
    if (Number.isNaN(y) || !Number.isFinite(y)) expect(x, `element ${i}`).toBe(y);
    else expect(Math.abs(x - y), `element ${i}: ${x} vs ${y}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(y)));
  }
}

/** Registers one property test per kernel; call inside a describe block. `backend()` is read when the tests run. */
export function kernelParity(backend: () => Backend): void {
  test.prop([pairArbOf(f32), fc.constantFrom(...BINARY_OPS)], runs(60))('binary ops, broadcasting', ([a, b], op) => {
    expectClose(backend().binary(op, a, b), cpu.binary(op, a, b));
  });

  test.prop([shapeArb.chain(view), fc.constantFrom(...UNARY_OPS)], runs(60))('unary ops', (a, op) => {
    expectClose(backend().unary(op, a), cpu.unary(op, a));
  });

  test.prop([shapeArb.chain((s) => fc.tuple(view(s), fc.subarray(s.map((_, i) => i)), fc.boolean()))], runs(50))(
    'sum and max over any axes',
    ([a, axes, keepdim]) => {
      expectClose(backend().reduce('sum', a, axes, keepdim), cpu.reduce('sum', a, axes, keepdim));
      if (!axes.some((d) => a.shape[d] === 0))
        expectClose(backend().reduce('max', a, axes, keepdim), cpu.reduce('max', a, axes, keepdim));
    },
  );

  const mm = fc
    .tuple(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 1, max: 2 }),
      fc.boolean(),
    )
    .chain(([n, k, m, batch, broadcast]) =>
      fc.tuple(view([batch, n, k]), broadcast ? view([k, m]) : view([batch, k, m])),
    );
  test.prop([mm], runs(40))('batched matmul', ([a, b]) => {
    expectClose(backend().matmul(a, b), cpu.matmul(a, b));
  });
  test.prop(
    [
      mm.chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), view([b.shape[b.rank - 1]!]))),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(1, 0.125, -0.3535533905932738),
    ],
    runs(40),
  )(
    'fused matmul: a scale, bias (a strided view) on every row, then ReLU, as matmul then mul, add and relu',
    ([a, b, bias], withBias, relu, scale) => {
      const epilogue = { scale, bias: withBias ? bias : null, relu };
      const want = matmulThenEpilogue(cpu, a, b, epilogue);
      expectClose(backend().fusedMatmul(a, b, epilogue), want);
      expectClose(cpu.fusedMatmul(a, b, epilogue), want);
      // The scale alone is exact on top of the backend's own product: the same float32 rounding as a mul.
      const product = backend().matmul(a, b);
      const scaled = backend().binary('mul', product, new NDArray(new Float32Array([scale]), []));
      expect(Array.from(backend().fusedMatmul(a, b, { scale }).toTypedArray())).toEqual(
        Array.from(scaled.toTypedArray()),
      );
    },
  );
  test.prop([fc.constant(0)], runs(1))('matmul of transposed views', () => {
    const a = new NDArray(
      Float32Array.from({ length: 12 }, (_, i) => i - 5),
      [3, 4],
    );
    expectClose(backend().matmul(a.transpose(0, 1), a), cpu.matmul(a.transpose(0, 1), a));
  });

  test.prop(
    [
      fc
        .tuple(
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
        )
        .chain(([base, sides]) =>
          fc.tuple(fc.integer({ min: 0, max: base.length - 1 }), fc.constant(base), fc.constant(sides)),
        )
        .chain(([axis, base, sides]) =>
          fc.tuple(
            fc.constant(axis),
            fc.tuple(...sides.map((side) => view(base.map((s, i) => (i === axis ? side : s))))),
          ),
        ),
    ],
    runs(40),
  )('concat', ([axis, pieces]) => {
    expectClose(backend().concat(pieces, axis), cpu.concat(pieces, axis));
  });

  test.prop(
    [shapeArb.chain((s) => fc.tuple(view(s), fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2))))))],
    runs(40),
  )('pad, copy and full', ([a, pads]) => {
    expectClose(backend().pad(a, pads, -7), cpu.pad(a, pads, -7));
    expectClose(backend().copy(a), cpu.copy(a));
    expectClose(backend().full(a.shape, 2.5, 'float32'), cpu.full(a.shape, 2.5, 'float32'));
  });

  test.prop(
    [
      pairArbOf(f32).chain(([a, b]) =>
        fc.tuple(
          fc.constant(a),
          fc.constant(b),
          view([...b.shape]).map((c) => cpu.binary('eq', cpu.unary('step', c), cpu.full([], 1, 'float32'))),
        ),
      ),
    ],
    runs(40),
  )('where', ([a, b, cond]) => {
    expectClose(backend().where(cond, a, b), cpu.where(cond, a, b));
  });

  const gatherArb = fc
    .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.nat())
    .chain(([shape, k]) => {
      const axis = k % shape.length;
      const idxShape = shape.map((s, d) => (d === axis ? s + 1 : s));
      return fc.tuple(
        fc.constant(axis),
        view(shape),
        fc
          .array(fc.nat(shape[axis]! - 1), { minLength: sizeOf(idxShape), maxLength: sizeOf(idxShape) })
          .map((v) => new NDArray(Float32Array.from(v), idxShape)),
        view(idxShape),
      );
    });
  test.prop([gatherArb], runs(40))('gather and scatterAdd', ([axis, a, index, src]) => {
    expectClose(backend().gather(a, axis, index), cpu.gather(a, axis, index));
    expectClose(backend().scatterAdd(a.shape, axis, index, src), cpu.scatterAdd(a.shape, axis, index, src));
  });

  const windowArb = fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      padding: fc.tuple(fc.nat(1), fc.nat(1)),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    })
    .filter(
      (o) =>
        windowOutputSize(o.h, o.kernel[0], o.stride[0], o.padding[0], o.dilation[0]) >= 1 &&
        windowOutputSize(o.w, o.kernel[1], o.stride[1], o.padding[1], o.dilation[1]) >= 1,
    );
  test.prop([windowArb.chain((o) => fc.tuple(fc.constant(o), view([o.n, o.c, o.h, o.w])))], runs(40))(
    'unfold and fold',
    ([o, x]) => {
      const window: Window2d = { kernel: o.kernel, stride: o.stride, padding: o.padding, dilation: o.dilation };
      const cols = cpu.unfold(x, window);
      expectClose(backend().unfold(x, window), cols);
      expectClose(backend().fold(cols, [o.h, o.w], window), cpu.fold(cols, [o.h, o.w], window));
    },
  );

  test.prop(
    [
      windowArb.chain((o) =>
        fc.tuple(
          fc.constant(o),
          view([o.n, o.c, o.h, o.w]),
          fc.integer({ min: 1, max: 3 }).chain((out) => view([out, o.c, o.kernel[0], o.kernel[1]])),
        ),
      ),
    ],
    runs(40),
  )('conv2d (one group), against unfold then matmul', ([o, x, w]) => {
    const window: Window2d = { kernel: o.kernel, stride: o.stride, padding: o.padding, dilation: o.dilation };
    const want = cpu.conv2d(x, w, window);
    expectClose(backend().conv2d(x, w, window), want, 1e-4);
    // the definition: w as [O, C·kh·kw] times the columns
    expectClose(want, cpu.matmul(w.reshape([w.shape[0]!, -1]), cpu.unfold(x, window)).reshape([...want.shape]), 1e-4);
  });
}
