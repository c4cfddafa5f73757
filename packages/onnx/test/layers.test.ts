// Every layer of the nn package, alone, exported and run in ONNX Runtime: the same output as
// skipgrad's forward to 1e-5 (float32).
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, noGrad, randn, tensor } from '@skipgrad/autograd';
import {
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  DualPath,
  ELU,
  Embedding,
  Flatten,
  GELU,
  GroupNorm,
  Hardtanh,
  Identity,
  InstanceNorm2d,
  LayerNorm,
  LeakyReLU,
  LearnedPositionalEncoding,
  Linear,
  MaxPool2d,
  type Module,
  MultiheadAttention,
  ReLU,
  SiLU,
  Sigmoid,
  SinusoidalPositionalEncoding,
  SkipInit,
  Softplus,
  Tanh,
  TransformerEncoderLayer,
  Upsample,
  VisionTransformer,
  Dropout,
  Sequential,
} from '@skipgrad/nn';
import { exportOnnx } from '../src/index.js';
import { runOnnx } from './support.js';

const g = (): Generator => new Generator(11);

/** Exports `model` traced on x and checks ONNX Runtime's output against skipgrad's. */
async function check(model: Module, x: Tensor, tolerance = 1e-5): Promise<void> {
  noGrad(() => {
    for (let i = 0; i < 2; i++) model.forward(randn(x.shape as number[], { generator: g() }).add(0.3));
  }); // running statistics move
  const bytes = exportOnnx(model, x);
  const want = noGrad(() => {
    model.eval();
    const y = model.forward(x);
    model.train();
    return y;
  });
  const got = await runOnnx(bytes, x);
  expect(got.shape).toEqual(want.shape);
  const values = want.data.toTypedArray();
  const scale = Math.max(1, ...Array.from(values, Math.abs));
  got.values.forEach((v, i) =>
    expect(Math.abs(v - values[i]!), `value ${i}: ${v} vs ${values[i]}`).toBeLessThanOrEqual(tolerance * scale),
  );
}

const image = (): Tensor => randn([2, 4, 9, 9], { generator: g() });
const tokens = (): Tensor => randn([2, 5, 8], { generator: g() });

describe('each layer exports and runs in ONNX Runtime', () => {
  const layers: [string, () => Module, () => Tensor][] = [
    ['Linear', () => new Linear(8, 3, { generator: g() }), tokens],
    ['ReLU', () => new ReLU(), tokens],
    ['Tanh', () => new Tanh(), tokens],
    ['Sigmoid', () => new Sigmoid(), tokens],
    ['GELU', () => new GELU(), tokens],
    ['GELU tanh', () => new GELU('tanh'), tokens],
    ['SiLU', () => new SiLU(), tokens],
    ['LeakyReLU', () => new LeakyReLU(0.2), tokens],
    ['ELU', () => new ELU(0.7), tokens],
    ['Softplus', () => new Softplus(2, 5), tokens],
    ['Hardtanh', () => new Hardtanh(-0.5, 0.5), tokens],
    ['Identity', () => new Identity(), tokens],
    ['Flatten', () => new Flatten(), image],
    ['Dropout (eval)', () => new Dropout(0.5), tokens],
    ['Conv2d', () => new Conv2d(4, 6, 3, { stride: 2, padding: 1, generator: g() }), image],
    ['Conv2d grouped, dilated', () => new Conv2d(4, 6, 3, { groups: 2, dilation: 2, generator: g() }), image],
    ['Conv2d same padding', () => new Conv2d(4, 3, [3, 2], { padding: 'same', generator: g() }), image],
    [
      'Conv2d reflect padding',
      () => new Conv2d(4, 3, 3, { padding: 1, paddingMode: 'reflect', generator: g() }),
      image,
    ],
    [
      'Conv2d circular padding',
      () => new Conv2d(4, 3, 3, { padding: 1, paddingMode: 'circular', generator: g() }),
      image,
    ],
    ['Conv1d', () => new Conv1d(5, 4, 3, { padding: 1, generator: g() }), tokens],
    [
      'ConvTranspose2d',
      () => new ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1, generator: g() }),
      image,
    ],
    ['MaxPool2d', () => new MaxPool2d(3, { stride: 2, padding: 1 }), image],
    ['MaxPool2d ceil mode', () => new MaxPool2d(2, { ceilMode: true }), image],
    ['AvgPool2d', () => new AvgPool2d(3, { stride: 2, padding: 1 }), image],
    ['AvgPool2d without the padding', () => new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), image],
    ['AdaptiveAvgPool2d global', () => new AdaptiveAvgPool2d(1), image],
    ['AdaptiveAvgPool2d uneven', () => new AdaptiveAvgPool2d([4, 2]), image],
    ['AdaptiveMaxPool2d', () => new AdaptiveMaxPool2d([4, 2]), image],
    ['Upsample nearest', () => new Upsample(2), image],
    ['Upsample bilinear', () => new Upsample({ scaleFactor: 2, mode: 'bilinear' }), image],
    ['LayerNorm', () => new LayerNorm(8), tokens],
    ['LayerNorm over two axes, no affine', () => new LayerNorm([5, 8], { affine: false, eps: 1e-3 }), tokens],
    ['BatchNorm1d', () => new BatchNorm1d(5), tokens],
    ['BatchNorm2d', () => new BatchNorm2d(4), image],
    ['BatchNorm2d, no affine', () => new BatchNorm2d(4, { affine: false, eps: 1e-3 }), image],
    ['GroupNorm', () => new GroupNorm(2, 4), image],
    ['InstanceNorm2d', () => new InstanceNorm2d(4), image],
    ['SinusoidalPositionalEncoding', () => new SinusoidalPositionalEncoding(10, 8), tokens],
    ['LearnedPositionalEncoding', () => new LearnedPositionalEncoding(10, 8, { generator: g() }), tokens],
    ['SkipInit', () => new SkipInit(new Linear(8, 8, { generator: g() })), tokens],
    ['DualPath', () => new DualPath(new Sequential(new Linear(8, 10, { generator: g() }), new Tanh()), 6, -1), tokens],
    ['MultiheadAttention (self-attention)', () => new MultiheadAttention(8, 2, { generator: g() }), tokens],
    [
      'TransformerEncoderLayer post-LN',
      () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, generator: g() }),
      tokens,
    ],
    [
      'TransformerEncoderLayer pre-LN, GELU',
      () =>
        new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, normFirst: true, activation: 'gelu', generator: g() }),
      tokens,
    ],
    [
      'VisionTransformer',
      () =>
        new VisionTransformer({
          imageSize: 8,
          patchSize: 4,
          inChannels: 4,
          classes: 3,
          dim: 8,
          depth: 2,
          heads: 2,
          generator: g(),
        }),
      () => randn([2, 4, 8, 8], { generator: g() }),
    ],
  ];
  it.each(layers)('%s', async (_, make, input) => check(make(), input()));

  it('Embedding: the indices stay an input (a float tensor of integers, cast to int64 inside)', async () => {
    const embedding = new Embedding(7, 3, { generator: g() });
    const bytes = exportOnnx(
      embedding,
      tensor([
        [0, 3, 6],
        [2, 2, 1],
      ]),
    );
    const other = tensor([
      [5, 4, 0],
      [1, 6, 3],
    ]);
    const got = await runOnnx(bytes, other);
    expect(Array.from(got.values)).toEqual(Array.from(embedding.forward(other).data.toTypedArray()));
  });
});
