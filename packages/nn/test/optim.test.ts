import { describe, expect, it } from 'vitest';
import { getBackend, setBackend, tensor } from '@skipgrad/autograd';
import { type Backend, cpuBackend } from '@skipgrad/kernels';
import { NDArray, type DType } from '@skipgrad/tensor';
import {
  Adagrad,
  Adam,
  AdamW,
  LRScheduler,
  type Optimizer,
  Parameter,
  RMSprop,
  SGD,
  clipGradNorm,
  cosineLR,
  linearWarmup,
  stepLR,
} from '../src/index.js';

const param = (values: number[]): Parameter => new Parameter(new NDArray(Float64Array.from(values), [values.length]));
/** Sets p.grad to the given values. */
const setGrad = (p: Parameter, g: number[]): void => {
  p.grad = tensor(g, { dtype: 'float64' });
};
const values = (p: Parameter): number[] => p.toArray() as number[];

describe('optimizers', () => {
  it('SGD: plain, momentum, Nesterov and weight decay, step by step', () => {
    const p = param([1]);
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    setGrad(p, [2]);
    sgd.step(); // g = 2 + 0.5·1 = 2.5; b = 2.5; p = 1 − 0.25
    expect(values(p)[0]).toBeCloseTo(0.75, 14);
    setGrad(p, [2]);
    sgd.step(); // g = 2 + 0.375 = 2.375; b = 0.9·2.5 + 2.375 = 4.625; p = 0.75 − 0.4625
    expect(values(p)[0]).toBeCloseTo(0.2875, 14);
    const q = param([1]);
    const nesterov = new SGD([q], { lr: 0.1, momentum: 0.5, nesterov: true });
    setGrad(q, [1]);
    nesterov.step(); // b = 1; g = 1 + 0.5·1 = 1.5
    expect(values(q)[0]).toBeCloseTo(0.85, 14);
    expect(() => new SGD([q], { nesterov: true })).toThrow(/SGD: argument 'nesterov' expected momentum > 0/);
    expect(() => new SGD([q], { lr: -1 })).toThrow(/SGD: argument 'lr' expected a non-negative learning rate, got -1/);
  });

  it('a parameter without a gradient is left alone', () => {
    const p = param([1, 2]);
    new SGD([p], { lr: 1 }).step();
    expect(values(p)).toEqual([1, 2]);
  });

  it('Adam: the first step moves each parameter by about lr, against its gradient', () => {
    const p = param([1, -1]);
    const adam = new Adam([p], { lr: 0.01 });
    setGrad(p, [3, -0.001]);
    adam.step();
    expect(values(p)[0]).toBeCloseTo(0.99, 6);
    expect(values(p)[1]).toBeCloseTo(-0.99, 4);
  });

  it('AdamW decays the weights directly; Adam adds the decay to the gradient', () => {
    const a = param([2]);
    const w = param([2]);
    const adam = new Adam([a], { lr: 0.1, weightDecay: 0.5 });
    const adamw = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    setGrad(a, [0]);
    setGrad(w, [0]);
    adam.step();
    adamw.step();
    expect(values(a)[0]).toBeCloseTo(2 - 0.1, 6); // g = λp = 1 → a unit Adam step
    expect(values(w)[0]).toBeCloseTo(2 * (1 - 0.05), 12); // zero gradient: only the decay
  });

  it("Adam and AdamW bias-correct with each parameter's own step count (PyTorch: q = 0.9 after its first update)", () => {
    for (const Make of [Adam, AdamW]) {
      const p = param([1]);
      const q = param([1]);
      const opt = new Make([p, q], { lr: 0.1, weightDecay: 0 });
      setGrad(p, [1]);
      opt.step(); // only p has a gradient
      setGrad(p, [1]);
      setGrad(q, [1]);
      opt.step(); // q's first update: m̂ = g, v̂ = g², a step of lr
      expect(values(q)[0]).toBeCloseTo(0.9, 7);
      expect(values(p)[0]).toBeCloseTo(0.8, 7); // two unit steps
    }
  });

  it('optimizers minimise a quadratic', () => {
    for (const make of [
      (p: Parameter) => new SGD([p], { lr: 0.1, momentum: 0.9 }),
      (p: Parameter) => new Adam([p], { lr: 0.1 }),
    ]) {
      const p = param([3, -2]);
      const opt = make(p);
      for (let i = 0; i < 200; i++) {
        opt.zeroGrad();
        p.sub(tensor([1, 1], { dtype: 'float64' }))
          .pow(2)
          .sum()
          .backward();
        opt.step();
      }
      values(p).forEach((v) => expect(v).toBeCloseTo(1, 3));
    }
  });

  it('schedules: step, cosine, warm-up', () => {
    const opt = new SGD([param([0])], { lr: 1 });
    const s = new LRScheduler(opt, stepLR(2, 0.5));
    const lrs = [opt.lr];
    for (let i = 0; i < 4; i++) {
      s.step();
      lrs.push(opt.lr);
    }
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const cos = cosineLR(10, 0.1);
    expect(cos(0)).toBe(1);
    expect(cos(5)).toBeCloseTo(0.55, 12);
    expect(cos(10)).toBeCloseTo(0.1, 12);
    expect(cos(20)).toBeCloseTo(0.1, 12);
    const warm = linearWarmup(4, cosineLR(10));
    expect([0, 1, 2, 3].map(warm)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(warm(4)).toBe(1);
    expect(() => stepLR(0)).toThrow(/stepLR: argument 'stepSize' expected a positive integer, got 0/);
    expect(() => new LRScheduler(opt, 0.5 as never)).toThrow(
      "LRScheduler: argument 'factor' expected a function of the step (stepLR, cosineLR, …), got 0.5",
    );
  });

  it('clipGradNorm scales all gradients together to the max norm', () => {
    const a = param([0, 0]);
    const b = param([0]);
    setGrad(a, [3, 0]);
    setGrad(b, [4]);
    expect(clipGradNorm([a, b], 1)).toBe(5);
    expect((a.grad!.toArray() as number[])[0]).toBeCloseTo(0.6, 6);
    expect((b.grad!.toArray() as number[])[0]).toBeCloseTo(0.8, 6);
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 6);
    expect((b.grad!.toArray() as number[])[0]).toBeCloseTo(0.8, 6);
  });

  it('parameter groups: options per group, a tied parameter updated once, schedulers scale every group', () => {
    const [a, b] = [param([1]), param([1])];
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b, b] }], { lr: 0.5 });
    expect(opt.groups.map((g) => [g.lr, g.params.length])).toEqual([
      [0.1, 1],
      [0.5, 1],
    ]);
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect([values(a), values(b)]).toEqual([[0.9], [0.5]]); // b, listed twice, stepped once
    const scheduler = new LRScheduler(opt, stepLR(1, 0.5));
    scheduler.step();
    expect(opt.groups.map((g) => g.lr)).toEqual([0.05, 0.25]);
    opt.lr = 0.3; // the setter sets every group
    expect(opt.groups.map((g) => g.lr)).toEqual([0.3, 0.3]);
  });

  it("maximize ascends; amsgrad never lets the step grow back; RMSprop and Adagrad divide by the gradients' size", () => {
    for (const make of [
      (p: Parameter) => new SGD([p], { lr: 0.1, maximize: true }),
      (p: Parameter) => new Adam([p], { lr: 0.1, maximize: true }),
      (p: Parameter) => new RMSprop([p], { maximize: true }),
      (p: Parameter) => new Adagrad([p], { maximize: true }),
    ]) {
      const p = param([0]);
      setGrad(p, [1]);
      make(p).step();
      expect(values(p)[0]).toBeGreaterThan(0);
    }
    const plain = param([0]);
    const ams = param([0]);
    const [o1, o2] = [
      new Adam([plain], { lr: 0.1, betas: [0, 0.5] }),
      new Adam([ams], { lr: 0.1, betas: [0, 0.5], amsgrad: true }),
    ];
    for (const g of [10, 0.1, 0.1]) {
      setGrad(plain, [g]);
      setGrad(ams, [g]);
      o1.step();
      o2.step();
    }
    expect(Math.abs(values(ams)[0]!)).toBeLessThan(Math.abs(values(plain)[0]!)); // the large early v keeps AMSGrad's late steps small
    const p = param([1]);
    const adagrad = new Adagrad([p], { lr: 1 });
    setGrad(p, [2]);
    adagrad.step();
    expect(values(p)[0]).toBeCloseTo(1 - 2 / (2 + 1e-10), 14); // the first step is lr · g/|g|
  });

  it('refuse bad options and groups by name', () => {
    expect(() => new SGD([{ params: [param([1])], lr: -1 }])).toThrow(
      /SGD: argument 'lr' expected a non-negative learning rate, got -1/,
    );
    expect(() => new Adam([param([1])], { amsgrad: 'yes' as never })).toThrow(
      /Adam: argument 'amsgrad' expected a boolean/,
    );
    expect(() => new RMSprop([param([1])], { alpha: 2 })).toThrow(
      /RMSprop: argument 'alpha' expected a number in \[0, 1\], got 2/,
    );
    expect(() => new Adagrad([param([1])], { lrDecay: -1 })).toThrow(
      /Adagrad: argument 'lrDecay' expected a number in \[0, Infinity\], got -1/,
    );
    expect(() => new SGD([param([1])], { maximize: 1 as never })).toThrow(
      /SGD: argument 'maximize' expected a boolean, got 1/,
    );
    const shared = param([1]);
    expect(() => new SGD([{ params: [shared] }, { params: [shared] }])).toThrow(
      /SGD: argument 'params' expected each parameter in one group only/,
    );
    expect(() => new SGD([{ params: [3 as never] }])).toThrow(
      /SGD: argument 'params\[0\]\.params\[0\]' expected a Parameter, got 3/,
    );
    expect(() => new Adam([{ params: [param([1])] }, 5 as never])).toThrow(
      /Adam: argument 'params\[1\]' expected a Parameter or a group/,
    );
  });
});

describe('many parameters updated end to end', () => {
  const shapes = [[3, 4], [5], [], [2, 3, 2], [1]];
  /** A fresh set of parameters of those shapes (the same values every call) in `dtype`. */
  const params = (dtype: DType): Parameter[] =>
    shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: size }, (_, j) => Math.sin(3 * i + j) * 2);
      return new Parameter(
        new NDArray(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape),
      );
    });
  /** The gradient of parameter i at step t, or none: parameter 1 has none at step 2, so the buckets change. */
  const gradAt = (p: Parameter, i: number, t: number): void => {
    p.grad =
      i === 1 && t === 2
        ? null
        : tensor(
            Array.from({ length: p.size }, (_, j) => Math.cos(t * 7 + i * 3 + j) * (1 + i)),
            { dtype: p.dtype },
          ).reshape([...p.shape]);
  };
  const configs: [string, (ps: Parameter[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
    [
      'SGD momentum, Nesterov, decay',
      (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 }),
    ],
    [
      'SGD momentum, dampening, maximize',
      (ps) => new SGD(ps, { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true }),
    ],
    ['Adam', (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1 })],
    ['Adam amsgrad', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.01 })],
    ['RMSprop centred, momentum', (ps) => new RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.9 })],
    ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
    [
      'groups',
      (ps) =>
        new Adam([
          { params: ps.slice(0, 3), lr: 0.02 },
          { params: ps.slice(3), lr: 0.005, betas: [0.8, 0.99] },
        ]),
    ],
  ];

  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, make] of configs) {
      it(`${name} (${dtype}): the values and state of one update per parameter, bit for bit`, () => {
        const together = params(dtype);
        const alone = params(dtype);
        const opt = make(together);
        // Optimizer i updates parameter i alone; the others in its list are stand-ins that
        // never get a gradient, so that each parameter keeps its place (and group).
        const spare = params(dtype);
        const each = alone.map((p, i) => make(spare.map((q, j) => (j === i ? p : q))));
        for (let t = 0; t < 5; t++) {
          together.forEach((p, i) => gradAt(p, i, t));
          alone.forEach((p, i) => gradAt(p, i, t));
          opt.step();
          each.forEach((o) => o.step());
          together.forEach((p, i) =>
            expect(p.toArray(), `${name}, step ${t}, parameter ${i}`).toEqual(alone[i]!.toArray()),
          );
        }
        const state = (o: Optimizer): unknown[] =>
          (o as unknown as { stateTensors(): { toArray(): unknown }[] }).stateTensors().map((s) => s.toArray());
        expect(state(opt)).toEqual(each.flatMap((o) => state(o)));
      });
    }
  }

  // Backend.adam and Backend.sgd are the updates as one kernel; without them (a backend that
  // leaves them out) nn runs the ops of Adam.update and SGD.update. The two must agree bit for bit, on the running backend and the reference.
  const adams: [string, (ps: Parameter[]) => Optimizer][] = [
    ['Adam', (ps) => new Adam(ps, { lr: 0.01 })],
    ['Adam, L2 decay, eps 1e-3', (ps) => new Adam(ps, { lr: 0.03, weightDecay: 0.1, eps: 1e-3 })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.01, betas: [0.8, 0.95] })],
    ['AdamW, no decay, maximize', (ps) => new AdamW(ps, { lr: 0.002, weightDecay: 0, maximize: true })],
  ];
  const without = (b: Backend, kernel: 'adam' | 'sgd'): Backend =>
    new Proxy(b, { get: (target, key) => (key === kernel ? undefined : Reflect.get(target, key)) });
  const sgds: [string, (ps: Parameter[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
    ['SGD, decay', (ps) => new SGD(ps, { lr: 0.05, weightDecay: 0.01 })],
    ['SGD momentum', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    [
      'SGD momentum, dampening, decay',
      (ps) => new SGD(ps, { lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 0.1 }),
    ],
    ['SGD Nesterov, maximize', (ps) => new SGD(ps, { lr: 0.02, momentum: 0.9, nesterov: true, maximize: true })],
  ];
  const fusedCases = [
    ...adams.map(([name, make]) => [name, make, 'adam'] as const),
    ...sgds.map(([name, make]) => [name, make, 'sgd'] as const),
  ];
  for (const running of ['the running backend', 'the reference'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [name, make, kernel] of fusedCases) {
        it(`${name} (${dtype}, ${running}): Backend.${kernel} gives the composite's values and state bit for bit`, () => {
          const inner = getBackend();
          const fusedBackend = running === 'the reference' ? cpuBackend : inner;
          expect(fusedBackend[kernel]).toBeTypeOf('function');
          const [fusedParams, compositeParams] = [params(dtype), params(dtype)];
          const fused = make(fusedParams);
          const composite = make(compositeParams);
          try {
            for (let t = 0; t < 6; t++) {
              fusedParams.forEach((p, i) => gradAt(p, i, t));
              compositeParams.forEach((p, i) => gradAt(p, i, t));
              setBackend(fusedBackend);
              fused.step();
              setBackend(without(fusedBackend, kernel));
              composite.step();
              fusedParams.forEach((p, i) =>
                expect(p.toArray(), `step ${t}, parameter ${i}`).toEqual(compositeParams[i]!.toArray()),
              );
            }
          } finally {
            setBackend(inner);
          }
          const state = (o: Optimizer): unknown[] =>
            (o as unknown as { stateTensors(): { toArray(): unknown }[] }).stateTensors().map((s) => s.toArray());
          expect(state(fused)).toEqual(state(composite));
        });
      }
    }
  }

  it('the parameters become pieces of one array, and a step makes a few kernel calls instead of a few per parameter', () => {
    const calls = { n: 0 };
    const inner = getBackend();
    const counting = new Proxy(inner, {
      get: (target, key) => {
        const v = Reflect.get(target, key) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (key !== 'forget' && key !== 'forgetScope') calls.n++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Backend;
    const count = (many: number): number => {
      const ps = Array.from({ length: many }, (_, i) => new Parameter(new NDArray(Float32Array.from([i, i + 1]), [2])));
      const adam = new AdamW(ps);
      ps.forEach((p) => (p.grad = tensor([1, -1])));
      adam.step();
      ps.forEach((p) => (p.grad = tensor([0.5, 2])));
      setBackend(counting);
      try {
        calls.n = 0;
        adam.step();
      } finally {
        setBackend(inner);
      }
      expect(new Set(ps.map((p) => p.data.source)).size).toBe(1); // one array holds them all
      return calls.n;
    };
    const few = count(2);
    expect(count(40)).toBe(few); // the same calls for 40 parameters as for 2: one update over them all
  });
});
