import { describe, expect, it } from 'vitest';
import {
  Generator,
  SkipgradError,
  type Tensor,
  adaptiveMaxPool2d,
  avgPool2d,
  interpolate,
  maxPool2d,
  conv1d,
  conv2d,
  elu,
  padWith,
  gradcheck,
  hardtanh,
  leakyRelu,
  randn,
  silu,
  softplus,
  tensor,
} from '@skipgrad/autograd';
import { NDArray } from '@skipgrad/tensor';
import {
  AdaptiveMaxPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  MaxPool2d,
  Upsample,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  ELU,
  GroupNorm,
  InstanceNorm2d,
  Flatten,
  Hardtanh,
  LayerNorm,
  LeakyReLU,
  Linear,
  SiLU,
  Sequential,
  Softplus,
  kaimingNormal,
  xavierUniform,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number): Tensor =>
  randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });

describe('layers', () => {
  it('Linear computes x Wᵀ + b and passes gradcheck in float64', () => {
    const lin = new Linear(3, 2, { dtype: 'float64', generator: new Generator(3) });
    const x = tensor([[1, 2, 3]], f64);
    const w = lin.weight.toArray() as number[][];
    const b = lin.bias!.toArray() as number[];
    const expected = w.map((row, j) => row[0]! * 1 + row[1]! * 2 + row[2]! * 3 + b[j]!);
    (lin.forward(x).toArray() as number[][])[0]!.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 12));
    gradcheck((x, w, b) => x.matmul(w.transpose()).add(b), [rnd([2, 3], 1), lin.weight, lin.bias!]);
    gradcheck((x) => lin.forward(x), [rnd([4, 3], 2)]);
    expect(() => lin.forward(tensor([1, 2]))).toThrow(
      /Linear: argument 'x' expected a tensor of shape \[\.\.\., 3\], got shape \[2\]/,
    );
  });

  it('initialisers have the variance they promise, and replay from a seed', () => {
    const k = Array.from(kaimingNormal([256, 512], { generator: new Generator(5), dtype: 'float64' }).toTypedArray());
    const variance = k.reduce((s, v) => s + v * v, 0) / k.length;
    expect(variance).toBeCloseTo(2 / 512, 4);
    const x = xavierUniform([100, 300], { generator: new Generator(6) }).toTypedArray();
    const bound = Math.sqrt(6 / 400);
    expect(Math.max(...x)).toBeLessThanOrEqual(bound);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-bound);
    expect(kaimingNormal([3, 3], { generator: new Generator(1) }).toArray()).toEqual(
      kaimingNormal([3, 3], { generator: new Generator(1) }).toArray(),
    );
  });

  it('LayerNorm normalises the last axes and passes gradcheck', () => {
    const ln = new LayerNorm(4, { dtype: 'float64' });
    const y = ln.forward(tensor([[1, 2, 3, 4]], f64)).toArray() as number[][];
    const mean = y[0]!.reduce((s, v) => s + v, 0) / 4;
    const variance = y[0]!.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
    expect(mean).toBeCloseTo(0, 12);
    expect(variance).toBeCloseTo(1 - 1e-5 / 1.25, 5);
    gradcheck(
      (x, w, b) => new LayerNorm(4, { dtype: 'float64' }).forward(x).mul(w).add(b),
      [rnd([3, 4], 3), rnd([4], 4), rnd([4], 5)],
    );
    expect(() => ln.forward(tensor([[1, 2, 3]], f64))).toThrow(
      /LayerNorm: argument 'x' expected a tensor of shape \[\.\.\., 4\]/,
    );
  });

  it('BatchNorm: batch statistics in training, running statistics in evaluation, gradcheck in both', () => {
    const bn = new BatchNorm1d(2, { dtype: 'float64', momentum: 0.5 });
    const x = tensor(
      [
        [1, 10],
        [3, 30],
      ],
      f64,
    );
    expect(bn.forward(x).toArray()).toEqual(
      [
        [-1, -1],
        [1, 1],
      ].map((r) => r.map((v) => expect.closeTo(v, 4))),
    );
    expect(bn.running_mean!.toArray()).toEqual([1, 10]); // 0.5·0 + 0.5·[2, 20]
    expect(bn.running_var!.toArray()).toEqual([1.5, 100.5]); // 0.5·1 + 0.5·[2, 200] (unbiased)
    bn.eval();
    expect((bn.forward(tensor([[1, 10]], f64)).toArray() as number[][])[0]![0]).toBeCloseTo(0, 4);
    gradcheck((x) => new BatchNorm1d(3, { dtype: 'float64' }).forward(x), [rnd([4, 3], 6)]);
    gradcheck((x) => new BatchNorm1d(3, { dtype: 'float64' }).forward(x), [rnd([2, 3, 2], 7)]);
    gradcheck((x) => new BatchNorm2d(2, { dtype: 'float64' }).forward(x), [rnd([2, 2, 2, 2], 8)]);
    gradcheck((x) => bn.forward(x), [rnd([3, 2], 9)]);
    expect(() => new BatchNorm1d(3).forward(tensor([[1, 2]]))).toThrow(
      /BatchNorm1d: argument 'x' expected a tensor of rank 2 or 3 with 3 channels/,
    );
    expect(() => new BatchNorm1d(1).forward(tensor([[1]]))).toThrow(/more than one value per channel/);
  });

  it("BatchNorm: PyTorch's buffer names, a batch count, momentum null (cumulative average), trackRunningStats false", () => {
    const bn = new BatchNorm1d(2, f64);
    expect([...bn.stateDict().keys()]).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    const batches = [
      tensor(
        [
          [1, 10],
          [3, 30],
        ],
        f64,
      ),
      tensor(
        [
          [5, 0],
          [7, 2],
        ],
        f64,
      ),
      tensor(
        [
          [0, 4],
          [2, 8],
        ],
        f64,
      ),
    ];
    const cumulative = new BatchNorm1d(2, { ...f64, momentum: null });
    for (const x of batches) {
      bn.forward(x);
      cumulative.forward(x);
    }
    expect(bn.num_batches_tracked!.item()).toBe(3);
    // momentum null: the running mean is the plain average of the batch means.
    expect(cumulative.running_mean!.toArray()).toEqual(
      [(2 + 6 + 1) / 3, (20 + 1 + 6) / 3].map((v) => expect.closeTo(v, 12)),
    );
    expect(cumulative.running_var!.toArray()).toEqual(
      [(2 + 2 + 2) / 3, (200 + 2 + 8) / 3].map((v) => expect.closeTo(v, 12)),
    );
    const untracked = new BatchNorm1d(2, { ...f64, trackRunningStats: false });
    expect([...untracked.stateDict().keys()]).toEqual(['weight', 'bias']);
    untracked.eval();
    expect(untracked.forward(batches[0]!).toArray()).toEqual(
      [
        [-1, -1],
        [1, 1],
      ].map((r) => r.map((v) => expect.closeTo(v, 4))),
    ); // batch statistics in eval too
    expect(() => new BatchNorm1d(2, { momentum: 2 })).toThrow(
      /BatchNorm1d: argument 'momentum' expected a number in \[0, 1\] or null \(cumulative average\), got 2/,
    );
    expect(() => new BatchNorm2d(2, { trackRunningStats: 'no' as never })).toThrow(
      /BatchNorm2d: argument 'trackRunningStats' expected a boolean/,
    );
  });

  it('BatchNorm: state dicts from before the rename still load (runningMean / runningVar, no batch count)', () => {
    const old = new Map([
      ['0.weight', tensor([1, 2], f64).data],
      ['0.bias', tensor([0, 0], f64).data],
      ['0.runningMean', tensor([3, 4], f64).data],
      ['0.runningVar', tensor([5, 6], f64).data],
    ]);
    const net = new Sequential(new BatchNorm1d(2, f64));
    net.loadStateDict(old);
    const bn = net.layers[0] as BatchNorm1d;
    expect(bn.running_mean!.toArray()).toEqual([3, 4]);
    expect(bn.runningVar!.toArray()).toEqual([5, 6]); // the old name still reads
    expect(bn.num_batches_tracked!.item()).toBe(0);
    expect(old.has('0.runningMean')).toBe(true); // the caller's map is left as it was
  });

  it('GroupNorm: one group is layer norm over [C, H, W], C groups instance norm; gradcheck; groups must divide the channels', () => {
    const x = rnd([2, 4, 3, 2], 12);
    const one = new GroupNorm(1, 4, f64).forward(x);
    const layer = new LayerNorm([4, 3, 2], { ...f64, affine: false }).forward(x);
    (one.toArray() as number[][][][])
      .flat(3)
      .forEach((v, i) => expect(v).toBeCloseTo((layer.toArray() as number[][][][]).flat(3)[i]!, 12));
    const perChannel = new GroupNorm(4, 4, f64).forward(x);
    const instance = new InstanceNorm2d(4, f64).forward(x);
    expect(
      Array.from(perChannel.data.toTypedArray())
        .map((v, i) => v - instance.data.toTypedArray()[i]!)
        .every((d) => Math.abs(d) < 1e-12),
    ).toBe(true);
    const gn = new GroupNorm(2, 4, f64);
    gn.weight!.assign(tensor([1, 2, 3, 4], f64).data);
    gradcheck((a) => gn.forward(a), [x]);
    expect([...gn.stateDict().keys()]).toEqual(['weight', 'bias']);
    expect(() => new GroupNorm(3, 4)).toThrow(
      /GroupNorm: argument 'numGroups' expected a divisor of numChannels 4, got 3/,
    );
    expect(() => gn.forward(rnd([2, 3, 2], 1))).toThrow(
      /GroupNorm: argument 'x' expected a tensor \[N, 4, …\], got shape \[2, 3, 2\]/,
    );
  });

  it("InstanceNorm2d: PyTorch's defaults (no affine, no running statistics); tracking, eval, affine and errors", () => {
    expect([...new InstanceNorm2d(3).stateDict().keys()]).toEqual([]);
    const tracked = new InstanceNorm2d(2, { ...f64, affine: true, trackRunningStats: true, momentum: null });
    expect([...tracked.stateDict().keys()]).toEqual([
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    const x = tensor(
      [
        [[[1, 3]], [[0, 4]]],
        [[[5, 7]], [[2, 2]]],
      ],
      f64,
    ); // [2, 2, 1, 2]
    tracked.forward(x);
    expect(tracked.running_mean!.toArray()).toEqual([4, 2]); // the batch's average instance means: (2 + 6)/2, (2 + 2)/2
    expect(tracked.running_var!.toArray()).toEqual([2, 4]); // unbiased per instance (2, 2 and 8, 0), averaged
    tracked.eval();
    expect(tracked.forward(tensor([[[[4, 4]], [[2, 2]]]], f64)).toArray()).toEqual(
      [[[[0, 0]], [[0, 0]]]].map((a) => a.map((b) => b.map((c) => c.map((v) => expect.closeTo(v, 12))))),
    );
    gradcheck((a) => new InstanceNorm2d(2, f64).forward(a), [rnd([2, 2, 2, 3], 13)]);
    expect(() => new InstanceNorm2d(2).forward(rnd([2, 2, 3], 1))).toThrow(
      /InstanceNorm2d: argument 'x' expected a tensor \[N, 2, H, W\], got shape \[2, 2, 3\]/,
    );
  });

  it('Conv2d and Conv1d paddingMode: the input padded with its own copies, then a convolution without padding', () => {
    const x = rnd([1, 2, 5, 4], 14);
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const conv = new Conv2d(2, 3, 3, { padding: 1, paddingMode: mode, ...f64, generator: new Generator(15) });
      expect(conv.forward(x).toArray()).toEqual(
        conv2d(
          padWith(
            x,
            [
              [0, 0],
              [0, 0],
              [1, 1],
              [1, 1],
            ],
            mode,
          ),
          conv.weight,
          conv.bias,
        ).toArray(),
      );
      const same = new Conv2d(2, 3, [2, 3], {
        padding: 'same',
        paddingMode: mode,
        ...f64,
        generator: new Generator(16),
      });
      expect(same.forward(x).shape).toEqual([1, 3, 5, 4]);
    }
    expect(new Conv2d(2, 3, 3, { paddingMode: 'reflect', padding: 1 }).toString()).toContain('paddingMode=reflect');
    const seq = rnd([2, 2, 7], 17);
    const c1 = new Conv1d(2, 4, 3, { padding: 'same', paddingMode: 'circular', ...f64, generator: new Generator(18) });
    expect(c1.forward(seq).toArray()).toEqual(
      conv1d(
        padWith(
          seq,
          [
            [0, 0],
            [0, 0],
            [1, 1],
          ],
          'circular',
        ),
        c1.weight,
        c1.bias,
      ).toArray(),
    );
    expect([...new Conv1d(2, 4, 3).stateDict().keys()]).toEqual(['weight', 'bias']);
    expect(new Conv1d(2, 4, 3).weight.shape).toEqual([4, 2, 3]);
    gradcheck((a) => c1.forward(a), [seq]);
    expect(() => new Conv2d(2, 3, 3, { paddingMode: 'mirror' as never })).toThrow(
      /Conv2d: argument 'paddingMode' expected one of 'zeros', 'reflect', 'replicate', 'circular', got "mirror"/,
    );
    expect(() => new Conv2d(2, 3, 3, { padding: 'same', stride: 2, paddingMode: 'reflect' }).forward(x)).toThrow(
      /Conv2d: argument 'padding' expected 'same' only with stride 1/,
    );
    expect(() => new ConvTranspose2d(2, 3, 3, { padding: 'same' as never })).toThrow(
      /ConvTranspose2d: argument 'padding' expected a size/,
    );
  });

  it('pooling and upsampling layers take the new options and print them', () => {
    const x = rnd([1, 2, 5, 5], 19);
    expect(new MaxPool2d(2, { ceilMode: true }).forward(x).toArray()).toEqual(
      maxPool2d(x, 2, { ceilMode: true }).toArray(),
    );
    expect(new AvgPool2d(3, { padding: 1, countIncludePad: false }).forward(x).toArray()).toEqual(
      avgPool2d(x, 3, { padding: 1, countIncludePad: false }).toArray(),
    );
    expect(new AdaptiveMaxPool2d([2, 3]).forward(x).toArray()).toEqual(adaptiveMaxPool2d(x, [2, 3]).toArray());
    const up = new Upsample({ scaleFactor: 1.5, mode: 'bilinear', alignCorners: true });
    expect(up.forward(x).toArray()).toEqual(
      interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }).toArray(),
    );
    expect(up.toString()).toBe('Upsample(scaleFactor=1.5, mode=bilinear, alignCorners)');
    expect(new Upsample(2).forward(x).shape).toEqual([1, 2, 10, 10]);
    expect(new AvgPool2d(2, { ceilMode: true, countIncludePad: false }).toString()).toBe(
      'AvgPool2d(kernel=2, ceilMode, countIncludePad=false)',
    );
  });

  it('SiLU, LeakyReLU, ELU, Softplus, Hardtanh: their ops as layers, options printed, bad options refused when made', () => {
    const x = rnd([3, 4], 11);
    const pairs: [{ forward(t: Tensor): Tensor; toString(): string }, Tensor][] = [
      [new SiLU(), silu(x)],
      [new LeakyReLU(0.2), leakyRelu(x, 0.2)],
      [new ELU(0.5), elu(x, 0.5)],
      [new Softplus(2, 10), softplus(x, 2, 10)],
      [new Hardtanh(-0.3, 0.4), hardtanh(x, -0.3, 0.4)],
    ];
    for (const [layer, expected] of pairs) expect(layer.forward(x).toArray()).toEqual(expected.toArray());
    expect(new LeakyReLU(0.2).toString()).toBe('LeakyReLU(negativeSlope=0.2)');
    expect(new Softplus().toString()).toBe('Softplus(beta=1, threshold=20)');
    expect(() => new LeakyReLU(NaN)).toThrow(/LeakyReLU: argument 'negativeSlope' expected a finite number, got NaN/);
    expect(() => new ELU('1' as never)).toThrow(/ELU: argument 'alpha' expected a finite number/);
    expect(() => new Softplus(-1)).toThrow(/Softplus: argument 'beta' expected a number > 0, got -1/);
    expect(() => new Hardtanh(1, 0)).toThrow(/Hardtanh: argument 'maxVal' expected a bound >= minVal \(1\), got 0/);
    expect(() => new SiLU().forward(3 as never)).toThrow(/SiLU: argument 'x' expected a Tensor/);
  });

  it('Dropout: seeded masks replay, evaluation is the identity, dropped elements get no gradient', () => {
    const x = tensor(new Float64Array(1000).fill(1), { requiresGrad: true });
    const d1 = new Dropout(0.3, { generator: new Generator(9) });
    const y = d1.forward(x);
    const values = Array.from(y.data.toTypedArray());
    expect(new Set(values.map((v) => v.toFixed(6)))).toEqual(new Set(['0.000000', (1 / 0.7).toFixed(6)]));
    expect(values.filter((v) => v === 0).length).toBeGreaterThan(240);
    expect(values.filter((v) => v === 0).length).toBeLessThan(360);
    expect(new Dropout(0.3, { generator: new Generator(9) }).forward(x).toArray()).toEqual(y.toArray());
    y.sum().backward();
    expect(Array.from(x.grad!.data.toTypedArray())).toEqual(values);
    expect(d1.eval().forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow(/Dropout: argument 'p' expected a probability in \[0, 1\], got 1.5/);
  });

  it('Flatten keeps the batch axis', () => {
    expect(new Flatten().forward(tensor(new Float32Array(24), { shape: [2, 3, 4] })).shape).toEqual([2, 12]);
    expect(() => new Flatten().forward([1] as never)).toThrow(SkipgradError);
    expect(new NDArray(new Float32Array(1), [1]).size).toBe(1);
  });
});
