// Every model the nn package builds, exported and run in ONNX Runtime (onnxruntime-node, its CPU
// build): its output agrees with skipgrad's forward to 1e-5 on random inputs — at the traced
// batch size, and at another one where the export has a dynamic batch.
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, noGrad, randn } from '@skipgrad/autograd';
import {
  DenseConcat,
  Highway,
  LayerScale,
  Linear,
  type Module,
  ReZero,
  Residual,
  Sequential,
  Tanh,
  UNet,
  basicBlock,
  bottleneckBlock,
  denseNetBC,
  mlp,
  preActBlock,
  resnetCifar,
} from '@skipgrad/nn';
import { exportOnnx } from '../src/index.js';
import { runOnnx } from './support.js';

/** Batch-norm running statistics away from their initial 0 and 1: a few training-mode passes. */
function warmUp(model: Module, shape: number[], g: Generator): void {
  noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(randn(shape, { generator: g }).mul(2).add(0.5));
  });
}

async function expectSameAsOnnx(
  model: Module,
  shape: number[],
  options: { dynamicBatch?: boolean; tolerance?: number } = {},
): Promise<void> {
  const g = new Generator(7);
  warmUp(model, shape, g);
  const x = randn(shape, { generator: g });
  const bytes = exportOnnx(model, x, { dynamicBatch: options.dynamicBatch ?? false });
  expect(model.training).toBe(true); // put back as it was
  const batches = options.dynamicBatch ? [shape[0]!, shape[0]! + 2] : [shape[0]!];
  for (const n of batches) {
    const input = n === shape[0] ? x : randn([n, ...shape.slice(1)], { generator: g });
    const expected = noGrad(() => {
      model.eval();
      const y = model.forward(input);
      model.train();
      return y;
    });
    const got = await runOnnx(bytes, input);
    expect(got.shape).toEqual(expected.shape);
    const want = expected.data.toTypedArray();
    const scale = Math.max(1, ...Array.from(want, Math.abs));
    let worst = 0;
    got.values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - want[i]!));
    });
    expect(worst, `batch ${n}: largest difference`).toBeLessThanOrEqual((options.tolerance ?? 1e-5) * scale);
  }
}

describe('exported models run in ONNX Runtime and agree with skipgrad', () => {
  const g = (): Generator => new Generator(3);
  it.each(['plain', 'residual', 'highway', 'dense'] as const)('MLP, %s skips (dynamic batch)', async (kind) => {
    await expectSameAsOnnx(
      mlp({ inFeatures: 6, width: 8, depth: 4, classes: 3, kind, activation: 'relu', generator: g() }),
      [3, 6],
      { dynamicBatch: true },
    );
  });
  it('ReZero and LayerScale blocks', async () => {
    const model = new Sequential(
      new Linear(5, 8, { generator: g() }),
      new ReZero(new Sequential(new Linear(8, 8, { generator: g() }), new Tanh())),
      new LayerScale(new Linear(8, 8, { generator: g() }), 8, { init: 0.1 }),
      new Residual(new Linear(8, 8, { generator: g() })),
      new Highway(8, { generator: g() }),
      new DenseConcat(new Linear(8, 4, { generator: g() })),
    );
    await expectSameAsOnnx(model, [2, 5], { dynamicBatch: true });
  });
  it.each([
    ['basic', () => basicBlock(4, 8, { stride: 2, generator: g() })],
    ['pre-activation', () => preActBlock(4, 8, { stride: 2, generator: g() })],
    ['bottleneck', () => bottleneckBlock(8, 4, { generator: g() })],
  ] as const)('ResNet %s block', async (_, make) => {
    await expectSameAsOnnx(make(), [2, _ === 'bottleneck' ? 8 : 4, 8, 8]);
  });
  it('CIFAR ResNet-20 (dynamic batch)', async () => {
    await expectSameAsOnnx(resnetCifar({ depth: 20, classes: 10, generator: g() }), [2, 3, 16, 16], {
      dynamicBatch: true,
      tolerance: 1e-4,
    });
  }, 120_000);
  it('DenseNet-BC', async () => {
    await expectSameAsOnnx(denseNetBC({ depth: 22, growth: 4, classes: 5, generator: g() }), [2, 3, 16, 16], {
      tolerance: 1e-4,
    });
  }, 120_000);
  it('U-Net with its long skips', async () => {
    await expectSameAsOnnx(
      new UNet({ inChannels: 1, outChannels: 2, depth: 2, width: 4, generator: g() }),
      [1, 1, 16, 16],
      { tolerance: 1e-4 },
    );
  }, 120_000);
});
