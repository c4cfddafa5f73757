// The transformer's pieces and the adaptive and hybrid skips: PyTorch's names, the identities
// that define them (order blindness, causality, padding, scale 0 = identity, pre-LN's stream),
// float64 gradchecks, and their errors.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, concat, grad, gradcheck, randn, tensor } from '@skipgrad/autograd';
import {
  DualPath,
  Embedding,
  LayerScale,
  LearnedPositionalEncoding,
  Linear,
  Module,
  MultiheadAttention,
  RESIDUAL_SCALES,
  ReZero,
  Sequential,
  SinusoidalPositionalEncoding,
  SkipInit,
  Tanh,
  TransformerEncoderLayer,
  VisionTransformer,
} from '../src/index.js';
import { runs } from '../../../tests/support.js';

const f64 = { dtype: 'float64' as const };
const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const rnd = (shape: number[], seed: number): Tensor =>
  randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });
const layerOf = (
  seed: number,
  o: ConstructorParameters<typeof TransformerEncoderLayer>[2] = {},
): TransformerEncoderLayer =>
  new TransformerEncoderLayer(6, 2, { dimFeedforward: 8, dropout: 0, ...f64, generator: new Generator(seed), ...o });
/** Tokens [1, T, F] reordered by perm. */
const reorder = (t: Tensor, perm: readonly number[]): Tensor => {
  const f = t.shape[2]!;
  const v = flat(t);
  return tensor(
    perm.flatMap((p) => v.slice(p * f, (p + 1) * f)),
    { shape: [...t.shape], ...f64 },
  );
};
class Zero extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(0);
  }
}

describe('MultiheadAttention', () => {
  it("has PyTorch's names, layouts and initialisation", () => {
    const mha = new MultiheadAttention(6, 3, { generator: new Generator(1) });
    expect([...mha.namedParameters()].map(([n, p]) => [n, p.shape])).toEqual([
      ['in_proj_weight', [18, 6]],
      ['in_proj_bias', [18]],
      ['out_proj.weight', [6, 6]],
      ['out_proj.bias', [6]],
    ]);
    expect(flat(mha.in_proj_bias!)).toEqual(Array(18).fill(0));
    expect(flat(mha.out_proj.bias!)).toEqual(Array(6).fill(0));
    const bound = Math.sqrt(6 / (18 + 6)); // Xavier-uniform over [3E, E]
    expect(Math.max(...flat(mha.in_proj_weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(new MultiheadAttention(6, 3, { bias: false }).parameterCount()).toBe(18 * 6 + 36);
  });

  it('equals its definition: per-head softmax(QKᵀ/√d)V, heads concatenated, projected', () => {
    const mha = new MultiheadAttention(4, 2, { ...f64, generator: new Generator(2) });
    const x = rnd([2, 3, 4], 3);
    const w = mha.in_proj_weight;
    const b = mha.in_proj_bias!;
    const proj = (i: number): Tensor => x.matmul(w.narrow(0, 4 * i, 4).transpose()).add(b.narrow(0, 4 * i, 4));
    const [Q, K, V] = [proj(0), proj(1), proj(2)];
    const heads = [0, 1].map((h) => {
      const [q, k, v] = [Q, K, V].map((t) => t.narrow(2, 2 * h, 2));
      return q!.matmul(k!.transpose()).div(Math.SQRT2).softmax(-1).matmul(v!);
    });
    const reference = mha.out_proj.forward(concat(heads, 2));
    flat(mha.forward(x)).forEach((v, i) => expect(v).toBeCloseTo(flat(reference)[i]!, 12));
    const { output, weights } = mha.attend(x, x, x, { needWeights: true });
    expect(flat(output)).toEqual(flat(mha.forward(x)));
    expect(weights!.shape).toEqual([2, 3, 3]);
    flat(weights!.sum(-1)).forEach((s) => expect(s).toBeCloseTo(1, 14));
  });

  it('cross-attends, takes unbatched input, and passes gradcheck with masks', () => {
    const mha = new MultiheadAttention(4, 2, { ...f64, generator: new Generator(4) });
    const q = rnd([2, 3, 4], 5);
    const kv = rnd([2, 5, 4], 6);
    expect(mha.attend(q, kv, kv).output.shape).toEqual([2, 3, 4]);
    expect(mha.forward(rnd([3, 4], 7)).shape).toEqual([3, 4]);
    expect(flat(mha.forward(q.narrow(0, 0, 1).squeeze(0)))).toEqual(flat(mha.forward(q).narrow(0, 0, 1).squeeze(0)));
    const keyPaddingMask = tensor(
      [
        [0, 0, 1, 0, 1],
        [0, 0, 0, 0, 0],
      ],
      f64,
    );
    gradcheck((a, b) => mha.attend(a, b, b, { keyPaddingMask }).output, [q, kv]);
    gradcheck((a) => mha.forward(a, { causal: true }), [q]);
  });

  it('refuses bad input by name', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow(
      /MultiheadAttention: argument 'numHeads' expected a divisor of embedDim 6, got 4/,
    );
    const mha = new MultiheadAttention(4, 2, f64);
    expect(() => mha.forward(rnd([2, 3, 5], 1))).toThrow(
      /MultiheadAttention: argument 'query' expected a tensor \[N, tokens, 4\] or \[tokens, 4\], got shape \[2, 3, 5\]/,
    );
    expect(() => mha.forward(rnd([2, 3, 4], 1), { keyPaddingMask: tensor([[0, 1]], f64) })).toThrow(
      /argument 'keyPaddingMask' expected shape \[2, 3\] \(1 = padding\), got shape \[1, 2\]/,
    );
    expect(() => mha.forward(rnd([1, 2, 4], 1), { keyPaddingMask: tensor([[0, 2]], f64) })).toThrow(
      /argument 'keyPaddingMask' expected only 0s and 1s/,
    );
    expect(() => mha.forward(rnd([1, 2, 4], 1), { keyPaddingMask: tensor([[1, 1]], f64) })).toThrow(
      /MultiheadAttention: argument 'mask' expected at least one key each query may attend to/,
    );
    expect(() => mha.attend(rnd([1, 2, 4], 1), rnd([1, 3, 4], 2), rnd([1, 2, 4], 3))).toThrow(
      /argument 'key' expected key and value/,
    );
  });
});

describe('TransformerEncoderLayer', () => {
  it("has PyTorch's state names (post-LN and pre-LN alike) plus the learned scales", () => {
    const names = [...layerOf(1).stateDict().keys()];
    expect(names).toEqual([
      'self_attn.in_proj_weight',
      'self_attn.in_proj_bias',
      'self_attn.out_proj.weight',
      'self_attn.out_proj.bias',
      'linear1.weight',
      'linear1.bias',
      'linear2.weight',
      'linear2.bias',
      'norm1.weight',
      'norm1.bias',
      'norm2.weight',
      'norm2.bias',
    ]);
    expect([...layerOf(1, { normFirst: true }).stateDict().keys()]).toEqual(names);
    expect(
      [...layerOf(1, { residualScale: 'layerscale' }).namedParameters()]
        .filter(([n]) => n.startsWith('scale'))
        .map(([n, p]) => [n, p.shape]),
    ).toEqual([
      ['scale1', [6]],
      ['scale2', [6]],
    ]);
    expect([...layerOf(1, { residualScale: 'rezero' }).stateDict().keys()].some((n) => n.startsWith('norm'))).toBe(
      false,
    );
  });

  it('passes float64 gradcheck in every configuration', () => {
    const x = rnd([2, 3, 6], 2);
    for (const normFirst of [false, true]) {
      for (const residualScale of RESIDUAL_SCALES) {
        if (normFirst && residualScale === 'deepnorm') continue;
        const layer = layerOf(3, { normFirst, residualScale, skipInit: 0.5, numLayers: 4 });
        if (residualScale === 'rezero') for (const s of [layer.scale1!, layer.scale2!]) s.assign(tensor(0.7, f64).data);
        gradcheck((a) => layer.forward(a), [x]);
      }
      gradcheck((a) => layerOf(4, { normFirst, residual: false }).forward(a), [x]);
    }
    gradcheck((a) => layerOf(5, { activation: 'gelu' }).forward(a, { causal: true }), [x]);
  });

  test.prop(
    [
      fc
        .integer({ min: 1, max: 5 })
        .chain((n) =>
          fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        ),
      fc.boolean(),
      fc.integer({ min: 0, max: 1000 }),
    ],
    runs(20),
  )('without positions it is permutation equivariant over tokens', ([n, perm], normFirst, seed) => {
    const layer = layerOf(seed, { normFirst });
    const x = rnd([1, n, 6], seed + 1);
    const y = layer.forward(x);
    flat(layer.forward(reorder(x, perm))).forEach((v, i) => expect(v).toBeCloseTo(flat(reorder(y, perm))[i]!, 11));
  });

  test.prop([fc.integer({ min: 2, max: 5 }), fc.boolean(), fc.integer({ min: 0, max: 1000 })], runs(20))(
    'causal: ∂y_t/∂x_s is exactly 0 for s > t, through attention, the norms and the feed-forward network',
    (n, normFirst, seed) => {
      const stack = [layerOf(seed, { normFirst }), layerOf(seed + 1, { normFirst })];
      const x = rnd([1, n, 6], seed + 2);
      const t = Math.floor(n / 2) - 1 + (seed % 2);
      const y = stack.reduce((h, layer) => layer.forward(h, { causal: true }), x);
      const [dx] = grad([y.narrow(1, t, 1).sum()], [x]);
      const rows = flat(dx!);
      for (let s = t + 1; s < n; s++) expect(rows.slice(s * 6, (s + 1) * 6)).toEqual(Array(6).fill(0));
    },
  );

  test.prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 1000 })], runs(20))(
    'a key-padding mask makes every output independent of the padded tokens of a batch-mate',
    (n, seed) => {
      const layer = layerOf(seed);
      const x = rnd([1, n, 6], seed + 1);
      const pad = Array.from({ length: n }, (_, i) => (i > 0 && (seed >> i) % 2 === 1 ? 1 : 0));
      const keyPaddingMask = tensor([pad], f64);
      const y = layer.forward(x, { keyPaddingMask });
      const changed = tensor(
        flat(x).map((v, i) => (pad[Math.floor(i / 6)] === 1 ? v * 3 + 1 : v)),
        { shape: [1, n, 6], ...f64 },
      );
      const y2 = layer.forward(changed, { keyPaddingMask });
      for (let tok = 0; tok < n; tok++) {
        if (pad[tok] === 0)
          expect(flat(y2).slice(tok * 6, (tok + 1) * 6)).toEqual(flat(y).slice(tok * 6, (tok + 1) * 6));
      }
    },
  );

  it('with its residual scale at 0 (ReZero, SkipInit, LayerScale 0) the layer is the identity and passes dy exactly', () => {
    const x = rnd([2, 4, 6], 6);
    const g = rnd([2, 4, 6], 7).detach();
    for (const o of [
      { residualScale: 'rezero' as const, normFirst: true },
      { residualScale: 'skipinit' as const, normFirst: true },
      { residualScale: 'layerscale' as const, layerScaleInit: 0, normFirst: true },
      { residualScale: 'rezero' as const },
    ]) {
      const y = layerOf(8, o).forward(x);
      expect(flat(y)).toEqual(flat(x));
      expect(flat(grad([y], [x], { gradOutputs: [g] })[0]!)).toEqual(flat(g));
    }
  });

  it("pre-LN's stream carries dy to the input unchanged through any depth; post-LN's does not", () => {
    const x = rnd([2, 3, 6], 9);
    const g = rnd([2, 3, 6], 10).detach();
    /** A stack whose branches end in zero projections: only the stream (and, post-LN, the norms) is left. */
    const stack = (normFirst: boolean): TransformerEncoderLayer[] =>
      [11, 12, 13, 14].map((seed) => {
        const layer = layerOf(seed, { normFirst });
        for (const p of [
          layer.self_attn.out_proj.weight,
          layer.self_attn.out_proj.bias!,
          layer.linear2.weight,
          layer.linear2.bias!,
        ])
          p.assign(tensor(Array(p.size).fill(0), { shape: [...p.shape], ...f64 }).data);
        layer.norm1!.weight!.assign(tensor(Array(6).fill(1.5), f64).data);
        return layer;
      });
    const run = (layers: TransformerEncoderLayer[]): Tensor => layers.reduce((h, layer) => layer.forward(h), x);
    const pre = run(stack(true));
    expect(flat(grad([pre], [x], { gradOutputs: [g] })[0]!)).toEqual(flat(g));
    const post = run(stack(false));
    expect(flat(grad([post], [x], { gradOutputs: [g] })[0]!)).not.toEqual(flat(g));
  });

  it('DeepNorm: α = (2N)^¼ on the stream and β = (8N)^−¼ in the init', () => {
    const layer = new TransformerEncoderLayer(32, 4, {
      dimFeedforward: 64,
      residualScale: 'deepnorm',
      numLayers: 12,
      dropout: 0,
      generator: new Generator(15),
      ...f64,
    });
    expect(layer.streamScale).toBeCloseTo(24 ** 0.25, 14);
    const std = (v: number[]): number => Math.sqrt(v.reduce((p, x) => p + x * x, 0) / v.length);
    const beta = 96 ** -0.25;
    expect(std(flat(layer.linear1.weight)) / (beta * Math.sqrt(2 / (32 + 64)))).toBeCloseTo(1, 1);
    const w = flat(layer.self_attn.in_proj_weight);
    expect(std(w.slice(0, 32 * 32)) / Math.sqrt(2 / 64)).toBeCloseTo(1, 1);
    expect(std(w.slice(2 * 32 * 32)) / (beta * Math.sqrt(2 / 64))).toBeCloseTo(1, 1);
  });

  it('refuses bad options by name', () => {
    expect(() => layerOf(1, { residualScale: 'half' as never })).toThrow(
      /TransformerEncoderLayer: argument 'residualScale' expected one of 'none', 'rezero', 'skipinit', 'layerscale', 'deepnorm', got "half"/,
    );
    expect(() => layerOf(1, { residual: false, residualScale: 'rezero' })).toThrow(
      /argument 'residualScale' expected 'none' when residual is false/,
    );
    expect(() => layerOf(1, { residualScale: 'deepnorm', normFirst: true })).toThrow(
      /argument 'residualScale' expected a post-LN layer for 'deepnorm'/,
    );
    expect(() => layerOf(1).forward(rnd([1, 2, 5], 1))).toThrow(
      /TransformerEncoderLayer: argument 'x' expected a tensor \[N, tokens, 6\], got shape \[1, 2, 5\]/,
    );
    expect(() => new TransformerEncoderLayer(0, 2)).toThrow(
      /TransformerEncoderLayer: argument 'dModel' expected a positive integer, got 0/,
    );
    expect(() => layerOf(1, { dropout: 2 })).toThrow(/argument 'dropout' expected a probability in \[0, 1\), got 2/);
  });
});

describe('Embedding and positional encodings', () => {
  it('Embedding looks rows up, adds gradients of repeated indices, and refuses bad indices', () => {
    const emb = new Embedding(5, 3, { ...f64, generator: new Generator(1) });
    const y = emb.forward(
      tensor(
        [
          [4, 0],
          [4, 2],
        ],
        f64,
      ),
    );
    expect(y.shape).toEqual([2, 2, 3]);
    expect(flat(y.narrow(0, 0, 1).narrow(1, 0, 1))).toEqual(flat(emb.weight.narrow(0, 4, 1)));
    y.sum().backward();
    expect(flat(emb.weight.grad!)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
    gradcheck(
      (w) => {
        const e = new Embedding(5, 3, f64);
        e.weight = w as never;
        return e.forward(tensor([3, 3, 1], f64)).tanh();
      },
      [rnd([5, 3], 2)],
    );
    expect(() => emb.forward(tensor([5]))).toThrow(
      /Embedding: argument 'indices' expected integers in \[0, 5\), got 5/,
    );
    expect(() => emb.forward(tensor([-1]))).toThrow(/got -1/);
    expect(() => emb.forward(tensor([1.5]))).toThrow(/got 1.5/);
    expect(() => emb.forward([1] as never)).toThrow(/Embedding: argument 'x' expected a Tensor/);
  });

  it('sinusoidal: sin/cos at geometric frequencies, not saved; learned: a parameter; both refuse long sequences', () => {
    const pe = new SinusoidalPositionalEncoding(10, 4, f64);
    expect([...pe.stateDict().keys()]).toEqual([]);
    const y = pe.forward(tensor(Array(12).fill(0), { shape: [3, 4], ...f64 }));
    const row = (t: number): number[] => [Math.sin(t), Math.cos(t), Math.sin(t / 100), Math.cos(t / 100)];
    flat(y).forEach((v, i) => expect(v).toBeCloseTo(row(Math.floor(i / 4))[i % 4]!, 14));
    const learned = new LearnedPositionalEncoding(10, 4, { ...f64, generator: new Generator(3) });
    expect([...learned.stateDict().keys()]).toEqual(['weight']);
    gradcheck((x) => learned.forward(x), [rnd([2, 3, 4], 4)]);
    expect(() => pe.forward(rnd([1, 11, 4], 1))).toThrow(
      /SinusoidalPositionalEncoding: argument 'x' expected a sequence of at most 10 tokens \(the table's length\), got 11 tokens/,
    );
    expect(() => learned.forward(rnd([1, 3, 5], 1))).toThrow(
      /LearnedPositionalEncoding: argument 'x' expected a tensor \[\.\.\., tokens, 4\], got shape \[1, 3, 5\]/,
    );
  });
});

describe('adaptive residual scales: SkipInit and LayerScale', () => {
  const f = (seed: number): Sequential =>
    new Sequential(new Linear(4, 4, { ...f64, generator: new Generator(seed) }), new Tanh());

  it('start as the identity at 0, pass g exactly, and learn their scale', () => {
    const x = rnd([3, 4], 1);
    const g = rnd([3, 4], 2).detach();
    for (const block of [
      new SkipInit(f(3), f64),
      new LayerScale(f(3), 4, { init: 0, ...f64 }),
      new ReZero(f(3), f64),
    ]) {
      const y = block.forward(x);
      expect(flat(y)).toEqual(flat(x));
      const [dx] = grad([y], [x], { gradOutputs: [g] });
      expect(flat(dx!)).toEqual(flat(g));
      block.forward(x).mul(g).sum().backward();
      const [, scale] = [...block.namedParameters()].find(([n]) => n === 'alpha' || n === 'gamma')!;
      expect(flat(scale.grad!).some((v) => v !== 0)).toBe(true);
    }
  });

  it('y = x + s ⊙ f(x): gradcheck, LayerScale along the channel axis of images', () => {
    gradcheck((x) => new SkipInit(f(4), { init: 0.3, ...f64 }).forward(x), [rnd([2, 4], 5)]);
    gradcheck((x) => new LayerScale(f(6), 4, f64).forward(x), [rnd([2, 4], 7)]);
    const conv = new LayerScale(new Tanh(), 3, { axis: 1, init: 0.5, ...f64 });
    conv.gamma.assign(tensor([1, 2, 3], f64).data);
    const img = rnd([1, 3, 2, 2], 8);
    const y = conv.forward(img);
    flat(y).forEach((v, i) =>
      expect(v).toBeCloseTo(flat(img)[i]! + (Math.floor(i / 4) + 1) * Math.tanh(flat(img)[i]!), 14),
    );
    expect(() => new LayerScale(new Tanh(), 3).forward(rnd([2, 4], 1))).toThrow(
      /LayerScale: argument 'x' expected 3 channels on axis -1, got shape \[2, 4\]/,
    );
    expect(() => new SkipInit(new Linear(4, 2, f64)).forward(rnd([2, 4], 1))).toThrow(
      /SkipInit: argument 'f' expected an output of x's shape \[2, 4\], got \[2, 2\]/,
    );
    expect(() => new SkipInit(new Tanh(), { init: NaN })).toThrow(
      /SkipInit: argument 'init' expected a finite number, got NaN/,
    );
  });
});

describe('DualPath (the hybrid: one path adds, one concatenates)', () => {
  const branch = (inC: number, outC: number, seed: number): Sequential =>
    new Sequential(new Linear(inC, outC, { ...f64, generator: new Generator(seed) }), new Tanh());

  it('y = [r + f_r, d, f_d]; the gradient splits into its add and concat parts exactly', () => {
    const block = new DualPath(branch(5, 3 + 2, 1), 3);
    const x = rnd([4, 5], 2); // r: 3 channels, d: 2 channels
    const y = block.forward(x);
    expect(y.shape).toEqual([4, 3 + 2 + 2]);
    const fx = block.f.forward(x);
    flat(y.narrow(1, 0, 3)).forEach((v, i) => expect(v).toBe(flat(x.narrow(1, 0, 3).add(fx.narrow(1, 0, 3)))[i]));
    expect(flat(y.narrow(1, 3, 2))).toEqual(flat(x.narrow(1, 3, 2)));
    expect(flat(y.narrow(1, 5, 2))).toEqual(flat(fx.narrow(1, 3, 2)));
    const g = rnd([4, 7], 3).detach();
    const [dx] = grad([y], [x], { gradOutputs: [g] });
    const identityPart = g.narrow(1, 0, 5); // [g_r, g_d]
    const [viaF] = grad([fx], [x], { gradOutputs: [concat([g.narrow(1, 0, 3), g.narrow(1, 5, 2)], 1)] });
    flat(dx!).forEach((v, i) => expect(v).toBeCloseTo(flat(identityPart.add(viaF!))[i]!, 14));
    gradcheck((a) => block.forward(a), [x]);
  });

  it('stacks with a growing dense path, on images too; refuses a branch of the wrong shape', () => {
    const stack = new Sequential(new DualPath(branch(5, 5, 4), 3), new DualPath(branch(7, 5, 5), 3));
    expect(stack.forward(rnd([2, 5], 6)).shape).toEqual([2, 9]);
    expect(() => new DualPath(branch(5, 2, 7), 3).forward(rnd([2, 5], 1))).toThrow(
      /DualPath: argument 'f' expected an output with x's shape off axis 1 and at least 3 channels on it, got \[2, 2\]/,
    );
    expect(() => new DualPath(new Tanh(), 0)).toThrow(
      /DualPath: argument 'residualChannels' expected a positive integer, got 0/,
    );
  });
});

describe('VisionTransformer', () => {
  it('cuts patches in order, classifies, trains one step, and passes gradcheck at a tiny size', () => {
    const vit = new VisionTransformer({
      imageSize: 4,
      patchSize: 2,
      classes: 3,
      dim: 4,
      depth: 2,
      heads: 2,
      mlpDim: 6,
      ...f64,
      generator: new Generator(1),
    });
    const img = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      { shape: [1, 1, 4, 4], ...f64 },
    );
    expect(vit.patches(img).toArray()).toEqual([
      [
        [0, 1, 4, 5],
        [2, 3, 6, 7],
        [8, 9, 12, 13],
        [10, 11, 14, 15],
      ],
    ]);
    expect(vit.forward(img).shape).toEqual([1, 3]);
    gradcheck((x) => vit.forward(x), [rnd([2, 1, 4, 4], 2)]);
    for (const o of [{ normFirst: false }, { residualScale: 'layerscale' as const }, { residual: false }]) {
      const v = new VisionTransformer({
        imageSize: 4,
        patchSize: 2,
        classes: 3,
        dim: 4,
        depth: 1,
        heads: 1,
        ...f64,
        generator: new Generator(3),
        ...o,
      });
      gradcheck((x) => v.forward(x), [rnd([1, 1, 4, 4], 4)]);
    }
    expect(() => vit.forward(rnd([1, 1, 5, 5], 1))).toThrow(
      /VisionTransformer: argument 'x' expected images \[N, 1, 4, 4\], got shape \[1, 1, 5, 5\]/,
    );
    expect(() => new VisionTransformer({ imageSize: 5, patchSize: 2, classes: 3, dim: 4, depth: 1, heads: 1 })).toThrow(
      /argument 'patchSize' expected a divisor of imageSize 5, got 2/,
    );
  });
});
