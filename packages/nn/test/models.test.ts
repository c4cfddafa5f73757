// Convolutional layers and the ResNet, DenseNet and U-Net blocks and models: parameter counts,
// shapes, float64 gradchecks in train and eval mode, the skip identities, training smoke tests.
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, conv2d, grad, gradcheck, randn, tensor } from '@skipgrad/autograd';
import {
  Adam,
  Conv2d,
  ConvTranspose2d,
  MaxPool2d,
  type Module,
  Residual,
  UNet,
  basicBlock,
  bottleneckBlock,
  crossEntropy,
  denseBlock,
  denseNetBC,
  preActBlock,
  resnetCifar,
  transition,
} from '../src/index.js';

const rnd = (shape: number[], seed: number): Tensor =>
  randn(shape, { dtype: 'float64', requiresGrad: true, generator: new Generator(seed) });
const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
/** gradcheck of a module's output with respect to its input, in training and in evaluation mode. */
function checkBothModes(m: Module, x: Tensor): void {
  m.to('float64');
  gradcheck((x) => m.train().forward(x), [x], { name: `${m.constructor.name} (train)` });
  m.train().forward(x.detach()); // give batch norms non-trivial running statistics
  gradcheck((x) => m.eval().forward(x), [x], { name: `${m.constructor.name} (eval)` });
}

describe('conv layers', () => {
  it('Conv2d and ConvTranspose2d: shapes, printout, gradcheck of every parameter', () => {
    const conv = new Conv2d(2, 4, 3, { padding: 1, stride: 2, generator: new Generator(1) }).to('float64');
    expect(conv.forward(rnd([1, 2, 5, 5], 2)).shape).toEqual([1, 4, 3, 3]);
    expect(String(conv)).toBe('Conv2d(2, 4, kernel=3, stride=2, padding=1)  # 76 parameters');
    gradcheck((x, w, b) => conv2d(x, w, b, conv.options), [rnd([1, 2, 4, 4], 3), conv.weight, conv.bias!]);
    const up = new ConvTranspose2d(4, 2, 2, { stride: 2, generator: new Generator(4) }).to('float64');
    expect(up.forward(rnd([1, 4, 3, 3], 5)).shape).toEqual([1, 2, 6, 6]);
    gradcheck((x) => up.forward(x), [rnd([1, 4, 2, 2], 6)]);
    expect(new MaxPool2d(2).forward(rnd([1, 1, 4, 4], 7)).shape).toEqual([1, 1, 2, 2]);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      /Conv2d: argument 'groups' expected a divisor of 3 and 4, got 2/,
    );
  });
});

describe('ResNet', () => {
  it("ResNet-20/32/56 have the paper's parameter counts (~0.27M, 0.46M, 0.85M)", () => {
    expect(resnetCifar({ depth: 20 }).parameterCount()).toBe(272_474);
    expect(resnetCifar({ depth: 32 }).parameterCount()).toBe(466_906);
    expect(resnetCifar({ depth: 56 }).parameterCount()).toBe(855_770);
    expect(resnetCifar({ depth: 20, plain: true }).parameterCount()).toBe(269_722); // no projection shortcuts
    expect(() => resnetCifar({ depth: 21 })).toThrow(/resnetCifar: argument 'depth' expected 6n \+ 2/);
  });

  it('blocks pass gradcheck in train and eval mode', () => {
    const g = new Generator(8);
    checkBothModes(basicBlock(2, 2, { generator: g }), rnd([2, 2, 3, 3], 9));
    checkBothModes(basicBlock(2, 3, { stride: 2, generator: g }), rnd([2, 2, 4, 4], 10));
    checkBothModes(preActBlock(2, 3, { stride: 2, generator: g }), rnd([2, 2, 4, 4], 11));
    checkBothModes(bottleneckBlock(2, 1, { generator: g }), rnd([2, 2, 3, 3], 12));
  });

  it("a basic block's residual passes g + J_fᵀ g to its input", () => {
    const block = (basicBlock(2, 2, { generator: new Generator(13) }) as unknown as { layers: Module[] })
      .layers[0] as Residual;
    block.to('float64').eval();
    const x = rnd([1, 2, 3, 3], 14);
    const g = rnd([1, 2, 3, 3], 15).detach();
    const [viaBlock] = grad([block.forward(x)], [x], { gradOutputs: [g] });
    const [viaF] = grad([block.f.forward(x)], [x], { gradOutputs: [g] });
    flat(viaBlock!).forEach((v, i) => expect(v).toBeCloseTo(flat(g)[i]! + flat(viaF!)[i]!, 12));
  });
});

describe('DenseNet', () => {
  it('a dense block outputs C_in + L·k channels and its gradient splits back exactly', () => {
    const block = denseBlock(3, 4, 2, { generator: new Generator(16) })
      .to('float64')
      .eval();
    const x = rnd([1, 3, 3, 3], 17);
    const y = block.forward(x);
    expect(y.shape).toEqual([1, 3 + 4 * 2, 3, 3]);
    expect(flat(y.narrow(1, 0, 3))).toEqual(flat(x));
    // Only the first 3 channels' gradient flows back: x gets exactly that part of g.
    const g = tensor(
      Float64Array.from({ length: y.size }, (_, i) => (i < 27 ? i : 0)),
      { shape: [...y.shape] },
    );
    const [dx] = grad([y], [x], { gradOutputs: [g] });
    expect(flat(dx!)).toEqual(flat(g.narrow(1, 0, 3)));
  });

  it('blocks and transitions pass gradcheck in train and eval mode; DenseNet-BC sizes', () => {
    checkBothModes(denseBlock(2, 2, 2, { generator: new Generator(18) }), rnd([2, 2, 3, 3], 19));
    checkBothModes(transition(4, 2, new Generator(20)), rnd([2, 4, 4, 4], 21));
    expect(denseNetBC({ depth: 100 }).parameterCount()).toBe(769_162); // the paper's 0.8M
    expect(denseNetBC().parameterCount()).toBe(176_122);
  });
});

describe('U-Net', () => {
  it("keeps the input's spatial size, odd sizes included", () => {
    for (const [h, w] of [
      [8, 8],
      [7, 9],
      [5, 6],
    ] as const) {
      const net = new UNet({ inChannels: 1, outChannels: 2, depth: 2, width: 2, generator: new Generator(22) });
      expect(net.eval().forward(randn([1, 1, h, w])).shape).toEqual([1, 2, h, w]);
    }
    expect(() => new UNet({ inChannels: 1, outChannels: 1, depth: 3 }).forward(randn([1, 1, 7, 7]))).toThrow(
      /UNet: argument 'x' expected spatial sides of at least 8/,
    );
  });

  it('passes gradcheck in train and eval mode, with and without long skips', () => {
    checkBothModes(
      new UNet({ inChannels: 1, outChannels: 1, depth: 1, width: 2, generator: new Generator(23) }),
      rnd([2, 1, 3, 3], 24),
    );
    checkBothModes(
      new UNet({ inChannels: 1, outChannels: 1, depth: 1, width: 2, skip: false, generator: new Generator(25) }),
      rnd([2, 1, 2, 3], 26),
    );
  });
});

describe('training smoke tests (CPU backend)', () => {
  /** Tiny images: class 1 has a bright top half. */
  function images(n: number, size: number, g: Generator): { x: Tensor; y: number[] } {
    const data = new Float32Array(n * size * size);
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      y.push(c);
      for (let p = 0; p < size * size; p++)
        data[i * size * size + p] = 0.3 * g.normal() + (c === 1 && p < (size * size) / 2 ? 1 : 0);
    }
    return { x: tensor(data, { shape: [n, 1, size, size] }), y };
  }
  const trains = (net: Module, loss: () => Tensor, steps: number): number[] => {
    const opt = new Adam(net.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      losses.push(l.item());
    }
    return losses;
  };

  it('a ResNet reduces its loss', () => {
    const g = new Generator(27);
    const { x, y } = images(8, 6, g);
    const net = resnetCifar({ depth: 8, width: 4, classes: 2, inChannels: 1, generator: g });
    const losses = trains(net, () => crossEntropy(net.forward(x), y), 15);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
  });

  it('a DenseNet reduces its loss', () => {
    const g = new Generator(28);
    const { x, y } = images(8, 6, g);
    const net = denseNetBC({ depth: 10, growth: 2, classes: 2, inChannels: 1, generator: g });
    const losses = trains(net, () => crossEntropy(net.forward(x), y), 15);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
  });

  it('a U-Net reduces its segmentation loss', () => {
    const g = new Generator(29);
    const { x } = images(4, 8, g);
    const mask = x.data.toTypedArray().map((v) => (v > 0.5 ? 1 : 0));
    const target = Array.from(mask);
    const net = new UNet({ inChannels: 1, outChannels: 2, depth: 2, width: 4, generator: g });
    const logits = (): Tensor => net.forward(x).permute([0, 2, 3, 1]).reshape([-1, 2]);
    const losses = trains(net, () => crossEntropy(logits(), target), 15);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
  });
});
