// The skip-connection blocks: their defining identities, gradchecks, and the gradient-flow
// claim they exist for.
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, grad, gradcheck, randn, tensor } from '@skipgrad/autograd';
import {
  DenseConcat,
  Highway,
  Identity,
  Linear,
  Module,
  ReZero,
  Residual,
  Sequential,
  Tanh,
  mlp,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const rnd = (shape: number[], seed: number): Tensor =>
  randn(shape, { ...f64, requiresGrad: true, generator: new Generator(seed) });
const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
/** f(x) = 0·x: a branch that contributes nothing. */
class Zero extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(0);
  }
}
const layer = (n: number, seed: number): Sequential =>
  new Sequential(new Linear(n, n, { dtype: 'float64', generator: new Generator(seed) }), new Tanh());

describe('Residual', () => {
  it('with f = 0 is the identity and passes g through exactly', () => {
    const x = rnd([2, 3], 1);
    const y = new Residual(new Zero()).forward(x);
    expect(flat(y)).toEqual(flat(x));
    const g = rnd([2, 3], 2).detach();
    const [dx] = grad([y], [x], { gradOutputs: [g] });
    expect(flat(dx!)).toEqual(flat(g));
  });

  it('input gradient = g + J_fᵀ g', () => {
    const f = layer(3, 3);
    const x = rnd([2, 3], 4);
    const g = rnd([2, 3], 5).detach();
    const [viaBlock] = grad([new Residual(f).forward(x)], [x], { gradOutputs: [g] });
    const [viaF] = grad([f.forward(x)], [x], { gradOutputs: [g] });
    flat(viaBlock!).forEach((v, i) => expect(v).toBeCloseTo(flat(g.add(viaF!))[i]!, 13));
  });

  it('passes gradcheck, with and without a projection shortcut', () => {
    const f = layer(3, 6);
    gradcheck((x) => new Residual(f).forward(x), [rnd([2, 3], 7)]);
    const proj = new Linear(3, 2, { dtype: 'float64', generator: new Generator(8) });
    const g = new Sequential(new Linear(3, 2, { dtype: 'float64', generator: new Generator(9) }), new Tanh());
    gradcheck((x) => new Residual(g, proj).forward(x), [rnd([2, 3], 10)]);
    expect(() => new Residual(g).forward(rnd([2, 3], 1))).toThrow(
      /Residual: argument 'f' expected an output of the shortcut's shape \[2, 3\], got \[2, 2\]/,
    );
    expect(() => new Residual(3 as never)).toThrow(/Residual: argument 'f' expected a Module, got 3/);
  });
});

describe('ReZero', () => {
  it('starts as the identity (α = 0) and learns α', () => {
    const block = new ReZero(layer(3, 11), { dtype: 'float64' });
    const x = rnd([2, 3], 12);
    const y = block.forward(x);
    expect(flat(y)).toEqual(flat(x));
    y.sum().backward();
    expect(block.alpha.grad!.item()).not.toBe(0);
    gradcheck((x, a) => x.add(layer(3, 11).forward(x).mul(a)), [rnd([2, 3], 13), rnd([], 14)]);
  });
});

describe('DenseConcat', () => {
  it('stacks C_in + L·k features and its gradient splits back exactly', () => {
    const k = 2;
    const blocks = [0, 1, 2].map(
      (l) =>
        new DenseConcat(
          new Sequential(new Linear(3 + l * k, k, { dtype: 'float64', generator: new Generator(l) }), new Tanh()),
          1,
        ),
    );
    const net = new Sequential(...blocks);
    const x = rnd([4, 3], 15);
    const y = net.forward(x);
    expect(y.shape).toEqual([4, 3 + 3 * k]);
    expect(flat(y.narrow(1, 0, 3))).toEqual(flat(x)); // x itself is carried through unchanged
    gradcheck((x) => net.forward(x), [rnd([2, 3], 16)]);
    // One block: x's gradient is its own slice of g plus what flows back through f.
    const block = blocks[0]!;
    const g = rnd([4, 3 + k], 17).detach();
    const [dx] = grad([block.forward(x)], [x], { gradOutputs: [g] });
    const [viaF] = grad([block.f.forward(x)], [x], { gradOutputs: [g.narrow(1, 3, k)] });
    flat(dx!).forEach((v, i) => expect(v).toBeCloseTo(flat(g.narrow(1, 0, 3).add(viaF!))[i]!, 13));
  });
});

describe('Highway', () => {
  it('with the gate closed passes x and g unchanged', () => {
    const hw = new Highway(3, { dtype: 'float64', gateBias: -1000, generator: new Generator(18) });
    const x = rnd([2, 3], 19);
    const y = hw.forward(x);
    expect(flat(y)).toEqual(flat(x));
    const g = rnd([2, 3], 20).detach();
    const [dx] = grad([y], [x], { gradOutputs: [g] });
    expect(flat(dx!)).toEqual(flat(g));
  });

  it('starts mostly carrying (gate bias −2) and passes gradcheck', () => {
    const hw = new Highway(4, { dtype: 'float64', activation: 'tanh', generator: new Generator(21) });
    expect(hw.gate.bias!.toArray()).toEqual([-2, -2, -2, -2]);
    gradcheck((x) => hw.forward(x), [rnd([2, 4], 22)]);
  });
});

describe('gradient flow at initialisation (the reason skip connections exist)', () => {
  /** ‖∂L/∂W‖ for the first and last hidden layers of a 50-layer tanh MLP, PyTorch's default init. */
  const norms = (kind: 'plain' | 'residual' | 'highway', seed: number): { first: number; last: number } => {
    const g = new Generator(seed);
    const net = mlp({ inFeatures: 16, width: 16, depth: 50, classes: 4, kind, activation: 'tanh', generator: g });
    const x = randn([8, 16], { generator: g });
    net.forward(x).pow(2).mean().backward();
    const weights = [...net.namedParameters()].filter(([n]) => n.endsWith('weight')).map(([, p]) => p);
    const norm = (t: Tensor): number => Math.sqrt(flat(t).reduce((s, v) => s + v * v, 0));
    return { first: norm(weights[1]!.grad!), last: norm(weights.at(-2)!.grad!) };
  };

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the plain net's first hidden layer gets orders of magnitude less gradient than its last; residual and highway do not`, () => {
      const plain = norms('plain', seed);
      const residual = norms('residual', seed);
      const highway = norms('highway', seed);
      expect(plain.first / plain.last).toBeLessThan(1e-3);
      expect(residual.first / residual.last).toBeGreaterThan(0.1);
      expect(highway.first / highway.last).toBeGreaterThan(0.1);
    });
  }
});

describe('blocks compose', () => {
  it('Identity is a valid shortcut', () => {
    const x = rnd([1, 3], 23);
    expect(flat(new Residual(new Zero(), new Identity()).forward(x))).toEqual(flat(x));
    expect(tensor([1]).shape).toEqual([1]);
  });
});
