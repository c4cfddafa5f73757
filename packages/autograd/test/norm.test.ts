// layerNorm and batchNorm, the ops: their values against the formula written with ops, their
// gradients (gradcheck, gradgradcheck), the backend's two calls and the composite on a backend
// without them, what their nodes record, and their refusals.
import { describe, expect, it } from 'vitest';
import type { Backend } from '@skipgrad/kernels';
import {
  type Tensor,
  getBackend,
  grad,
  gradcheck,
  gradgradcheck,
  batchNorm,
  layerNorm,
  nativeBatchNorm,
  setBackend,
  tensor,
} from '../src/index.js';
import { countingBackend } from './counting.js';
import { expectRefusal } from './refused.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

/** Deterministic values of `shape`, float64 unless told. */
function det(
  shape: number[],
  seed: number,
  options: { dtype?: 'float32' | 'float64'; requiresGrad?: boolean } = f64,
): Tensor {
  const size = shape.reduce((p, q) => p * q, 1);
  return tensor(
    Array.from({ length: size }, (_, i) => Math.sin(i * 0.9 + seed) * 2 + seed / 3),
    { shape, dtype: options.dtype ?? 'float64', requiresGrad: options.requiresGrad ?? false },
  );
}

const values = (t: Tensor): number[] => Array.from(t.data.toTypedArray());

/** The definition, as ops: (x − μ)/√(σ² + ε)·w + b over the last `k` axes. */
function byOps(x: Tensor, k: number, eps: number, w: Tensor | null, b: Tensor | null): Tensor {
  const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
  const centred = x.sub(x.mean(axes, true));
  const xhat = centred.div(centred.mul(centred).mean(axes, true).add(eps).sqrt());
  const scaled = w ? xhat.mul(w) : xhat;
  return b ? scaled.add(b) : scaled;
}

/** `backend` without the optional normalisation methods: what the gpujs backend is. */
function withoutLayerNorm(backend: Backend): Backend {
  return Object.assign(Object.create(backend) as Backend, {
    layerNorm: undefined,
    layerNormGrad: undefined,
    batchNorm: undefined,
    batchNormGrad: undefined,
  });
}

describe('layerNorm', () => {
  const cases = [
    { x: [3, 5], shape: [5] },
    { x: [2, 3, 4], shape: [3, 4] },
    { x: [4], shape: [4] },
  ];

  it('equals its definition written with ops, with and without weight and bias, in float64 and float32', () => {
    for (const { x: xs, shape } of cases) {
      for (const dtype of ['float64', 'float32'] as const) {
        const x = det(xs, 1, { dtype });
        const w = det(shape, 2, { dtype });
        const b = det(shape, 3, { dtype });
        for (const [weight, bias] of [
          [w, b],
          [null, null],
          [w, null],
          [null, b],
        ] as const) {
          const got = values(layerNorm(x, shape, { weight, bias, eps: 1e-5 }));
          const want = values(byOps(x, shape.length, 1e-5, weight, bias));
          const tolerance = dtype === 'float64' ? 1e-13 : 2e-6;
          got.forEach((v, i) =>
            expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want[i]!))),
          );
        }
      }
    }
  });

  it('passes gradcheck and gradgradcheck in x, weight and bias', () => {
    for (const { x: xs, shape } of cases) {
      const x = det(xs, 1, f64);
      const w = det(shape, 2, f64);
      const b = det(shape, 3, f64);
      gradcheck((x, w, b) => layerNorm(x, shape, { weight: w, bias: b }), [x, w, b]);
      gradcheck((x) => layerNorm(x, shape, { eps: 0.1 }), [x]);
      gradgradcheck((x, w, b) => layerNorm(x, shape, { weight: w, bias: b }), [x, w, b]);
      gradgradcheck((x) => layerNorm(x, shape), [x]);
    }
  });

  it('calls the backend once forward and once backward; without a graph recorded; the same values as the composite', () => {
    const inner = getBackend();
    const { backend: counting, calls } = countingBackend(inner);
    const x = det([4, 6], 1, f64);
    const w = det([6], 2, f64);
    const b = det([6], 3, f64);
    const upstream = det([4, 6], 4, { dtype: 'float64' });
    const loss = (): Tensor => layerNorm(x, [6], { weight: w, bias: b }).mul(upstream).sum();
    const gradients = (backend: Backend, createGraph = false): number[][] => {
      setBackend(backend);
      try {
        return grad([loss()], [x, w, b], { createGraph }).map((g) => values(g!));
      } finally {
        setBackend(inner);
      }
    };
    const fused = gradients(counting);
    expect(calls.filter((c) => c.startsWith('layerNorm'))).toEqual(['layerNorm', 'layerNormGrad']);
    calls.length = 0;
    const recorded = gradients(counting, true); // a graph of the gradient: the formula as ops
    expect(calls.filter((c) => c.startsWith('layerNorm'))).toEqual(['layerNorm']);
    const composite = gradients(withoutLayerNorm(inner));
    for (const other of [recorded, composite])
      other.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - fused[i]![j]!)).toBeLessThan(1e-12)));
  });

  it('runs on a backend without Backend.layerNorm: the composite forward and backward', () => {
    const inner = getBackend();
    const x = det([3, 4], 1, f64);
    const w = det([4], 2, f64);
    setBackend(withoutLayerNorm(inner));
    try {
      expect(values(layerNorm(x, 4, { weight: w }))).toEqual(values(byOps(x, 1, 1e-5, w, null)));
      gradcheck((x, w) => layerNorm(x, [4], { weight: w }), [x, w]);
      gradgradcheck((x, w) => layerNorm(x, [4], { weight: w }), [x, w]);
    } finally {
      setBackend(inner);
    }
  });

  it('names its inputs and states its backward rule', () => {
    const x = det([2, 3], 1, f64);
    const w = det([3], 2, f64);
    expect(layerNorm(x, 3).node!.inputs.map((i) => i.name)).toEqual(['x']);
    const node = layerNorm(x, 3, { weight: w, bias: w }).node!;
    expect(node.inputs.map((i) => i.name)).toEqual(['x', 'weight', 'bias']);
    expect(node.rule).toBe('dx = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w, dw = Σ dy·x̂, db = Σ dy');
    expect(layerNorm(x, 3, { bias: w }).node!.inputs.map((i) => i.name)).toEqual(['x', 'bias']);
  });

  it('refuses a normalised shape that is not the end of x, weights of another shape or dtype, a bad eps', () => {
    const x = det([2, 3], 1, f64);
    expectRefusal(
      () => layerNorm(x, 4),
      "layerNorm: argument 'x' expected a tensor of shape [..., 4], got shape [2, 3]",
    );
    expectRefusal(
      () => layerNorm(x, [2, 3, 1]),
      "layerNorm: argument 'x' expected a tensor of shape [..., 2, 3, 1], got shape [2, 3]",
    );
    expectRefusal(() => layerNorm(x, 0), "layerNorm: argument 'normalizedShape[0]' expected a positive integer, got 0");
    expectRefusal(() => layerNorm(x, []), "layerNorm: argument 'normalizedShape' expected at least one side, got []");
    expectRefusal(
      () => layerNorm(x, 3, { weight: det([1, 3], 2, f64) }),
      "layerNorm: argument 'weight' expected shape [3], got [1, 3]",
    );
    expectRefusal(
      () => layerNorm(x, 3, { bias: det([3], 2, { dtype: 'float32' }) }),
      "layerNorm: argument 'bias' expected dtype float64 (the dtype of 'x'), got float32 (convert one with .to(dtype) first)",
    );
    expectRefusal(
      () => layerNorm(x, 3, { eps: -1 }),
      "layerNorm: argument 'eps' expected a finite number >= 0, got -1",
    );
    expectRefusal(
      () => layerNorm(x, 3, { eps: Number.NaN }),
      "layerNorm: argument 'eps' expected a finite number >= 0, got NaN",
    );
    expectRefusal(
      () => layerNorm(x, 3, { weight: 3 as never }),
      "layerNorm: argument 'weight' expected a Tensor, got 3",
    );
    expect(() => layerNorm(x, 3, { epsilon: 1 } as never)).toThrow(/layerNorm: argument 'options'/);
  });
});

/** Batch norm's definition, as ops: per channel (axis 1) over every other axis. */
function batchByOps(x: Tensor, eps: number, w: Tensor | null, b: Tensor | null): Tensor {
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = (t: Tensor): Tensor => t.reshape([x.shape[1]!, ...Array<number>(x.rank - 2).fill(1)]);
  const centred = x.sub(x.mean(axes, true));
  const xhat = centred.div(centred.mul(centred).mean(axes, true).add(eps).sqrt());
  const scaled = w ? xhat.mul(perChannel(w)) : xhat;
  return b ? scaled.add(perChannel(b)) : scaled;
}

describe('batchNorm', () => {
  const shapes = [
    [4, 3],
    [2, 3, 5],
    [3, 2, 2, 3],
  ];

  it('equals its definition written with ops, with and without weight and bias; nativeBatchNorm gives the statistics', () => {
    for (const shape of shapes) {
      for (const dtype of ['float64', 'float32'] as const) {
        const x = det(shape, 1, { dtype });
        const C = shape[1]!;
        const [w, b] = [det([C], 2, { dtype }), det([C], 3, { dtype })];
        const tolerance = dtype === 'float64' ? 1e-13 : 2e-6;
        const close = (got: number[], want: number[]): void =>
          got.forEach((v, i) =>
            expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want[i]!))),
          );
        for (const [weight, bias] of [
          [w, b],
          [null, null],
          [null, b],
        ] as const) {
          close(values(batchNorm(x, { weight, bias })), values(batchByOps(x, 1e-5, weight, bias)));
        }
        const axes = shape.map((_, i) => i).filter((i) => i !== 1);
        const stats = nativeBatchNorm(x, { eps: 0.5 });
        const centred = x.sub(x.mean(axes, true));
        const variance = centred.mul(centred).mean(axes);
        close(values(stats.mean), values(x.mean(axes)));
        close(values(stats.variance), values(variance));
        close(values(stats.invstd), values(variance.add(0.5).sqrt().pow(-1)));
        expect(stats.mean.requiresGrad).toBe(false);
      }
    }
  });

  it('passes gradcheck and gradgradcheck in x, weight and bias, with the backend’s calls and without them', () => {
    for (const backend of [getBackend(), withoutLayerNorm(getBackend())]) {
      const inner = getBackend();
      setBackend(backend);
      try {
        for (const shape of shapes) {
          const x = det(shape, 1, f64);
          const [w, b] = [det([shape[1]!], 2, f64), det([shape[1]!], 3, f64)];
          gradcheck((x, w, b) => batchNorm(x, { weight: w, bias: b }), [x, w, b]);
          gradcheck((x) => batchNorm(x, { eps: 0.1 }), [x]);
          gradgradcheck((x, w, b) => batchNorm(x, { weight: w, bias: b }), [x, w, b]);
        }
      } finally {
        setBackend(inner);
      }
    }
  });

  it('calls the backend once forward and once backward when no graph is recorded', () => {
    const inner = getBackend();
    const { backend: counting, calls } = countingBackend(inner);
    const x = det([4, 3, 5], 1, f64);
    const w = det([3], 2, f64);
    const upstream = det([4, 3, 5], 4, { dtype: 'float64' });
    setBackend(counting);
    try {
      const y = batchNorm(x, { weight: w });
      expect(calls.filter((c) => c.startsWith('batchNorm'))).toEqual(['batchNorm']);
      expect(y.node!.inputs.map((i) => i.name)).toEqual(['x', 'weight']);
      const fast = grad([y], [x, w], { gradOutputs: [upstream] });
      expect(calls.filter((c) => c.startsWith('batchNorm'))).toEqual(['batchNorm', 'batchNormGrad']);
      const recorded = grad([batchNorm(x, { weight: w })], [x, w], { gradOutputs: [upstream], createGraph: true });
      expect(calls.filter((c) => c.startsWith('batchNorm'))).toEqual(['batchNorm', 'batchNormGrad', 'batchNorm']);
      recorded.forEach((g, i) =>
        values(g!).forEach((v, j) => expect(Math.abs(v - values(fast[i]!)[j]!)).toBeLessThan(1e-12)),
      );
    } finally {
      setBackend(inner);
    }
  });

  it('refuses an x without channels, weights of another shape or dtype, a bad eps', () => {
    const x = det([2, 3], 1, f64);
    expectRefusal(
      () => batchNorm(det([3], 1, f64)),
      "batchNorm: argument 'x' expected a tensor [N, C, ...], got shape [3]",
    );
    expectRefusal(
      () => batchNorm(x, { weight: det([2], 2, f64) }),
      "batchNorm: argument 'weight' expected shape [3], got [2]",
    );
    expectRefusal(
      () => batchNorm(x, { bias: det([3], 2, { dtype: 'float32' }) }),
      "batchNorm: argument 'bias' expected dtype float64 (the dtype of 'x'), got float32 (convert one with .to(dtype) first)",
    );
    expectRefusal(() => batchNorm(x, { eps: -1 }), "batchNorm: argument 'eps' expected a finite number >= 0, got -1");
  });
});
