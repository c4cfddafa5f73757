// Every primitive op (and the composites): a float64 gradcheck property over generated shapes
// and values. gradcheck throws a GradcheckError with the full report when a gradient is wrong.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import {
  Tensor,
  add,
  concat,
  div,
  exp,
  expand,
  grad,
  gradcheck,
  gradgradcheck,
  linear,
  log,
  logSoftmax,
  matmul,
  max,
  mean,
  mul,
  neg,
  pad,
  permute,
  pow,
  relu,
  reshape,
  scaledMatmul,
  sigmoid,
  slice,
  softmax,
  split,
  stack,
  sub,
  sum,
  tanh,
  transpose,
} from '../src/index.js';
import { broadcastableShapes, concatShapes, shape, tensorOf, tensorsOf } from '../src/testing/index.js';
import { EXACT, runs } from '../../../tests/support.js';

const small = { maxRank: 3, maxSide: 3 };
const positive = fc.integer({ min: 8, max: 47 }).map((k) => (k + 0.5) / 16); // in [0.53, 2.97]
const pairs = broadcastableShapes(small).chain(({ shapes }) => tensorsOf(shapes));
const oneTensor = shape(small).chain((s) => tensorOf(s));
/** A shape and a list of distinct axes of it (possibly negative), possibly empty. */
const withAxes = shape({ ...small, minRank: 1 }).chain((s) =>
  fc.tuple(
    tensorOf(s),
    fc.subarray(s.map((_, i) => i)).chain((axes) => fc.tuple(...axes.map((a) => fc.constantFrom(a, a - s.length)))),
    fc.boolean(),
  ),
);

describe('binary ops with broadcasting', () => {
  test.prop([pairs], runs(40))('add', ([a, b]) => {
    gradcheck(add, [a!, b!]);
  });
  test.prop([pairs], runs(40))('sub', ([a, b]) => {
    gradcheck(sub, [a!, b!]);
  });
  test.prop([pairs], runs(40))('mul', ([a, b]) => {
    gradcheck(mul, [a!, b!]);
  });
  test.prop([pairs], runs(40))('div', ([a, b]) => {
    gradcheck(div, [a!, b!]);
  });
  test.prop(
    [
      broadcastableShapes(small).chain(({ shapes }) =>
        fc.tuple(tensorOf(shapes[0]!, { values: positive }), tensorOf(shapes[1]!)),
      ),
    ],
    runs(40),
  )('pow (tensor exponent, positive base)', ([a, b]) => {
    gradcheck(pow, [a, b]);
  });
  test.prop([oneTensor, fc.constantFrom(2, 3, -1, 0.5)], runs(30))('pow (number exponent)', (a, e) => {
    gradcheck((x) => pow(x.mul(x).add(0.5), e), [a]);
  });
});

describe('unary ops', () => {
  test.prop([oneTensor], runs(30))('neg', (a) => {
    gradcheck(neg, [a]);
  });
  test.prop([oneTensor], runs(30))('exp', (a) => {
    gradcheck(exp, [a]);
  });
  test.prop([shape(small).chain((s) => tensorOf(s, { values: positive }))], runs(30))('log', (a) => {
    gradcheck(log, [a]);
  });
  test.prop([oneTensor], runs(30))('relu (grid values never straddle the kink)', (a) => {
    gradcheck(relu, [a]);
  });
  test.prop([oneTensor], runs(30))('tanh', (a) => {
    gradcheck(tanh, [a]);
  });
  test.prop([oneTensor], runs(30))('sigmoid', (a) => {
    gradcheck(sigmoid, [a]);
  });
});

describe('reductions', () => {
  test.prop([withAxes], runs(40))('sum over axes, keepdim or not', ([x, axes, keepdim]) => {
    gradcheck((t) => sum(t, axes, keepdim), [x]);
  });
  test.prop([oneTensor], runs(20))('sum over all axes', (x) => {
    gradcheck((t) => sum(t), [x]);
  });
  test.prop([withAxes], runs(40))('mean over axes', ([x, axes, keepdim]) => {
    fc.pre(axes.every((a) => x.shape.at(a)! > 0)); // the mean of nothing is NaN
    gradcheck((t) => mean(t, axes, keepdim), [x]);
  });
  const maxCase = shape({ ...small, minRank: 1, minSide: 1 }).chain((s) =>
    fc.tuple(tensorOf(s, { unique: true }), fc.integer({ min: -s.length, max: s.length - 1 }), fc.boolean()),
  );
  test.prop([maxCase], runs(40))('max over an axis (distinct values)', ([x, axis, keepdim]) => {
    gradcheck((t) => max(t, axis, keepdim), [x]);
  });
  test.prop([shape({ ...small, minSide: 1 }).chain((s) => tensorOf(s, { unique: true }))], runs(20))(
    'max over all axes',
    (x) => {
      gradcheck((t) => max(t), [x]);
    },
  );
  test.prop([shape({ ...small, minRank: 1, minSide: 1 }).chain((s) => tensorOf(s))], runs(30))(
    'softmax and logSoftmax',
    (x) => {
      gradcheck((t) => softmax(t, -1), [x]);
      gradcheck((t) => logSoftmax(t, 0), [x]);
    },
  );
});

describe('shape ops', () => {
  test.prop([oneTensor], runs(30))('reshape (flatten and reversed sides)', (x) => {
    gradcheck((t) => reshape(t, [-1]), [x], EXACT);
    gradcheck((t) => reshape(t, [...t.shape].reverse()), [x], EXACT);
  });
  test.prop(
    [
      shape(small).chain((s) =>
        fc.tuple(
          tensorOf(s),
          fc.shuffledSubarray(
            s.map((_, i) => i),
            { minLength: s.length },
          ),
        ),
      ),
    ],
    runs(30),
  )('permute (a view)', ([x, perm]) => {
    gradcheck((t) => permute(t, perm), [x], EXACT);
  });
  test.prop(
    [
      broadcastableShapes({ ...small, numShapes: 1 }).chain(({ shapes, result }) =>
        fc.tuple(tensorOf(shapes[0]!), fc.constant(result)),
      ),
    ],
    runs(30),
  )('expand (stride-0 view)', ([x, target]) => {
    const lead = fc.sample(fc.integer({ min: 0, max: 2 }), { numRuns: 1, seed: x.size })[0]!;
    gradcheck((t) => expand(t, [...Array<number>(lead).fill(2), ...target]), [x], EXACT);
  });
  const sliceCase = shape(small).chain((s) =>
    fc.tuple(
      tensorOf(s),
      fc.tuple(
        ...s.map((side) =>
          fc
            .tuple(fc.integer({ min: 0, max: side }), fc.integer({ min: 0, max: side }))
            .map(([p, q]) => [Math.min(p, q), Math.max(p, q)] as [number, number]),
        ),
      ),
    ),
  );
  test.prop([sliceCase], runs(40))('slice (a view)', ([x, ranges]) => {
    gradcheck((t) => slice(t, ranges), [x], EXACT);
  });
  const padCase = shape(small).chain((s) =>
    fc.tuple(tensorOf(s), fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2)))), fc.constantFrom(0, -1.5)),
  );
  test.prop([padCase], runs(40))('pad', ([x, pads, value]) => {
    gradcheck((t) => pad(t, pads, value), [x], EXACT);
  });
  test.prop(
    [concatShapes({ maxRank: 3 }).chain(({ shapes, axis }) => fc.tuple(tensorsOf(shapes), fc.constant(axis)))],
    runs(40),
  )('concat', ([xs, axis]) => {
    gradcheck((...ts) => concat(ts, axis), xs, EXACT);
  });
  test.prop(
    [shape({ ...small, minRank: 1 }).chain((s) => fc.tuple(tensorOf(s), fc.integer({ min: 1, max: 3 })))],
    runs(30),
  )('split (composite)', ([x, size]) => {
    gradcheck((t) => split(t, size, 0).map((p, i) => p.mul(i + 1)), [x]);
  });
  test.prop(
    [shape(small).chain((s) => fc.tuple(tensorsOf([s, s, s]), fc.integer({ min: -s.length - 1, max: s.length })))],
    runs(30),
  )('stack (composite)', ([xs, axis]) => {
    gradcheck((...ts) => stack(ts, axis), xs);
  });
});

describe('cast', () => {
  // Through float32 and back: the rounding (~6e-8 relative) needs a wider step and tolerance.
  test.prop([oneTensor], runs(20))('float64 → float32 → float64', (x) => {
    gradcheck((t) => t.to('float32').mul(t.to('float32')).to('float64'), [x], { eps: 1e-2, atol: 1e-3, rtol: 1e-2 });
  });
});

/** [n, k, m] sides of a product (0 to 3), and a pair [..., n, k], [..., k, m] with batch axes that broadcast. */
const matmulDims = fc.tuple(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 3 }),
);
const batchedOperands = fc
  .tuple(broadcastableShapes({ maxRank: 2, maxSide: 2 }), matmulDims)
  .chain(([{ shapes }, [n, k, m]]) =>
    tensorsOf([
      [...shapes[0]!, n, k],
      [...shapes[1]!, k, m],
    ]),
  );

describe('matmul', () => {
  test.prop([batchedOperands], runs(40))('batched, with batch broadcasting', ([a, b]) => {
    gradcheck(matmul, [a!, b!]);
  });
  test.prop([matmulDims.chain(([n, k]) => tensorsOf([[k], [k, n]]))], runs(20))('vector @ matrix', ([v, m]) => {
    gradcheck(matmul, [v!, m!]);
  });
  test.prop([matmulDims.chain(([n, k]) => tensorsOf([[n, k], [k]]))], runs(20))('matrix @ vector', ([m, v]) => {
    gradcheck(matmul, [m!, v!]);
  });
  test.prop([matmulDims.chain(([, k]) => tensorsOf([[k], [k]]))], runs(20))('vector @ vector', ([u, v]) => {
    gradcheck(matmul, [u!, v!]);
  });
});

describe('scaledMatmul (s·(a b) as one op: attention scores)', () => {
  const scale = fc.constantFrom(1, 0.5, -0.35355339059327373, 3);
  test.prop([batchedOperands, scale], runs(30))('gradients, batched with batch broadcasting', ([a, b], s) => {
    gradcheck((a, b) => scaledMatmul(a, b, s), [a!, b!]);
  });
  test.prop([batchedOperands, scale], runs(15))('second order', ([a, b], s) => {
    gradgradcheck((a, b) => scaledMatmul(a, b, s).mul(a.sum()), [a!, b!]);
  });
  test.prop([batchedOperands, scale], runs(30))(
    'the values of mul(matmul(a, b), s) bit for bit, forward and backward, in float32 on this backend',
    ([a64, b64], s) => {
      const [a, b] = [a64!, b64!].map((t) => new Tensor(t.to('float32').data, { requiresGrad: true })) as [
        Tensor,
        Tensor,
      ];
      const fused = scaledMatmul(a, b, s);
      const composite = mul(matmul(a, b), s);
      expect(Array.from(fused.data.toTypedArray())).toEqual(Array.from(composite.data.toTypedArray()));
      const dy = composite.detach().add(0.25);
      const [da, db] = grad([fused], [a, b], { gradOutputs: [dy] });
      const [wantA, wantB] = grad([composite], [a, b], { gradOutputs: [dy] });
      expect(Array.from(da!.data.toTypedArray())).toEqual(Array.from(wantA!.data.toTypedArray()));
      expect(Array.from(db!.data.toTypedArray())).toEqual(Array.from(wantB!.data.toTypedArray()));
    },
  );
});

describe('linear (x·Wᵀ + b, optionally ReLU, as one op)', () => {
  // x [..., in] with up to two leading axes, W [out, in], b [out].
  const layer = fc
    .tuple(shape({ maxRank: 2, maxSide: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
    .chain(([lead, inF, outF]) => tensorsOf([[...lead, inF], [outF, inF], [outF]]));
  // Grid values make x·Wᵀ + b a multiple of 1/1024; shifting b by 1/2048 keeps every
  // pre-activation off the ReLU's kink by at least that much.
  const offKink = (b: Tensor): Tensor => b.add(1 / 2048);
  test.prop([layer, fc.boolean()], runs(40))(
    'gradients with and without the bias and the ReLU',
    ([x, w, b], withRelu) => {
      gradcheck((x, w) => linear(x, w), [x!, w!]);
      gradcheck((x, w, b) => linear(x, w, withRelu ? offKink(b) : b, { relu: withRelu }), [x!, w!, b!]);
    },
  );
  test.prop([layer, fc.boolean()], runs(30))('the values of matmul(x, Wᵀ) + b, then relu', ([x, w, b], withRelu) => {
    const bias = offKink(b!);
    const product = matmul(x!, transpose(w!, 0, 1)).add(bias);
    expect(linear(x!, w!, bias, { relu: withRelu }).toArray()).toEqual((withRelu ? relu(product) : product).toArray());
    expect(linear(x!, w!).toArray()).toEqual(matmul(x!, transpose(w!, 0, 1)).toArray());
  });
  test.prop([layer], runs(15))('second order', ([x, w, b]) => {
    gradgradcheck((x, w, b) => linear(x, w, offKink(b), { relu: true }).mul(x.sum()), [x!, w!, b!]);
  });
});

describe('second order (gradgradcheck): backward formulas are differentiable', () => {
  const second = (name: string, fn: (...t: Tensor[]) => Tensor, arb: fc.Arbitrary<Tensor[]>): void => {
    test.prop([arb], runs(15))(name, (xs) => {
      gradgradcheck(fn, xs);
    });
  };
  const three = shape({ maxRank: 2, maxSide: 3 });
  second(
    'mul',
    mul,
    broadcastableShapes({ maxRank: 2, maxSide: 3 }).chain(({ shapes }) => tensorsOf(shapes)),
  );
  second(
    'div',
    div,
    broadcastableShapes({ maxRank: 2, maxSide: 3 }).chain(({ shapes }) => tensorsOf([shapes[0]!, shapes[1]!])),
  );
  second(
    'pow',
    pow,
    three.chain((s) => fc.tuple(tensorOf(s, { values: positive }), tensorOf(s))),
  );
  second(
    'exp, log, tanh, sigmoid',
    (x) => log(exp(x).add(1)).mul(tanh(x)).add(sigmoid(x)),
    three.chain((s) => tensorsOf([s])),
  );
  second(
    'matmul',
    matmul,
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([n, k]) =>
      tensorsOf([
        [n, k],
        [k, 2],
      ]),
    ),
  );
  second(
    'softmax',
    (x) => softmax(x, -1),
    shape({ minRank: 1, maxRank: 2, minSide: 1, maxSide: 3 }).chain((s) => tensorsOf([s])),
  );
  second(
    'sum, mean, expand, concat',
    (x) => concat([x.sum(0, true).expand(x.shape), x.mean(-1, true).mul(x)], 0),
    shape({ minRank: 2, maxRank: 2, minSide: 1, maxSide: 3 }).chain((s) => tensorsOf([s])),
  );
});
