/**
 * gradcheck: proves a backward against finite differences, the way PyTorch does.
 *
 * The function is scalarised with a random upstream gradient dy — L(x) = Σ ⟨dy, f(x)⟩ — because
 * a backward that ignores its upstream gradient passes a check that only uses f(x).sum().
 * Then for every input element, the analytical ∂L/∂x (from backward) must match the central
 * difference (L(x + eps) − L(x − eps)) / 2eps within |a − n| <= atol + rtol·|n|.
 * Everything runs in float64 on the current backend (the CPU reference by default): in float32
 * the finite difference alone is off by ~1e-2.
 *
 * Fast mode compares one directional derivative per input instead — (vᵀJ)·u from backward
 * against (L(x + eps·u) − L(x − eps·u)) / 2eps for a random unit u — and reruns the slow
 * mode to write the report when it fails.
 */
import { Generator, NDArray, SkipgradError, describe } from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { grad } from '../engine.js';
import { enableGrad, noGrad } from '../graph.js';
import { Tensor } from '../tensor.js';
import { type ElementCheck, type GradcheckReport, type InputCheck, GradcheckError, formatReport } from './report.js';

export { GradcheckError, type GradcheckReport, type InputCheck, type ElementCheck } from './report.js';

export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** One directional derivative per input instead of every element. Default false. */
  fastMode?: boolean;
  /** Seed for the upstream gradient and fast-mode directions. Default 0. */
  seed?: number;
  /** Name printed in the report. Default: the function's name. */
  name?: string;
  /** Throw a GradcheckError with the report on failure. Default true. */
  throwOnFailure?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/**
 * Checks the gradients of `fn` at `inputs` (inputs with requiresGrad are checked; the rest are
 * held constant). Returns the report; throws GradcheckError when it fails, unless told not to.
 *
 * @example
 * const x = tensor([0.5, -1.25, 2], { dtype: 'float64', requiresGrad: true });
 * gradcheck((x) => x.tanh().mul(x), [x]).ok; // true
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const setup = prepare('gradcheck', fn, inputs, options);
  let report = options.fastMode ? runCheck(setup, 'fast') : runCheck(setup, 'slow');
  if (!report.ok && report.mode === 'fast') report = runCheck(setup, 'slow');
  if (!report.ok && options.throwOnFailure !== false) throw new GradcheckError(report);
  return report;
}

/**
 * Checks second derivatives: gradcheck of x ↦ ∂⟨dy, fn(x)⟩/∂x, built with createGraph, for a
 * fixed random dy. Proves that backward formulas are themselves differentiable.
 *
 * @example
 * const x = tensor([0.5, -1.25], { dtype: 'float64', requiresGrad: true });
 * gradgradcheck((x) => x.mul(x).mul(x), [x]).ok; // true
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const setup = prepare('gradgradcheck', fn, inputs, options);
  const upstream = setup.outputs(setup.xs).map((out) => randomLike(out.shape, setup.generator));
  // The first derivative needs the graph even while gradcheck evaluates it under noGrad.
  const firstOrder = (...xs: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const outs = setup.outputs(xs);
      const live = outs.map((o, i) => [o, upstream[i]!] as const).filter(([o]) => o.requiresGrad);
      const wrt = xs.filter((x) => x.requiresGrad);
      if (live.length === 0) return wrt.map((x) => new Tensor(new NDArray(new Float64Array(x.size), x.shape)));
      return grad(
        live.map(([o]) => o),
        wrt,
        { gradOutputs: live.map(([, g]) => g), createGraph: true },
      );
    });
  return gradcheck(firstOrder, setup.xs, { ...options, name: `grad of ${setup.name}`, seed: (options.seed ?? 0) + 1 });
}

interface Setup {
  name: string;
  xs: Tensor[];
  outputs: (xs: readonly Tensor[]) => Tensor[];
  generator: Generator;
  eps: number;
  atol: number;
  rtol: number;
}

function prepare(op: string, fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions): Setup {
  if (typeof fn !== 'function') throw new SkipgradError(op, 'fn', 'a function of tensors', describe(fn));
  if (!Array.isArray(inputs)) throw new SkipgradError(op, 'inputs', 'an array of Tensors', describe(inputs));
  // Checked in float64: copies of the inputs, leaves, keeping whether each requires grad.
  const xs = inputs.map((t, i) => {
    checkTensor(op, `inputs[${i}]`, t);
    return new Tensor(t.data.copy('float64'), { requiresGrad: t.requiresGrad });
  });
  if (!xs.some((x) => x.requiresGrad))
    throw new SkipgradError(op, 'inputs', 'at least one tensor with requiresGrad: true', 'none');
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  for (const [k, v] of [
    ['eps', eps],
    ['atol', atol],
    ['rtol', rtol],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0) || (k === 'eps' && v === 0))
      throw new SkipgradError(op, k, 'a positive number', describe(v));
  }
  const name = options.name ?? (fn.name || 'fn');
  const outputs = (args: readonly Tensor[]): Tensor[] => {
    const result = fn(...args);
    const list = Array.isArray(result) ? [...result] : [result];
    list.forEach((o, i) => {
      if (!(o instanceof Tensor))
        throw new SkipgradError(
          op,
          'fn',
          'a function returning a Tensor or an array of Tensors',
          `output ${i}: ${describe(o)}`,
        );
      if (o.dtype !== 'float64') {
        throw new SkipgradError(
          op,
          'fn',
          'float64 outputs (inputs are checked as float64 copies)',
          `output ${i} of dtype ${o.dtype}`,
          'create constants inside fn with { dtype: "float64" }',
        );
      }
    });
    return list;
  };
  return { name, xs, outputs, generator: new Generator(options.seed ?? 0), eps, atol, rtol };
}

function randomLike(shape: readonly number[], g: Generator): Tensor {
  const data = Float64Array.from({ length: shape.reduce((n, s) => n * s, 1) }, () => g.normal());
  return new Tensor(new NDArray(data, shape));
}

/** L = Σ_j ⟨g_j, out_j⟩ as a plain number (float64), with no graph. */
function scalarise(outs: readonly Tensor[], gs: readonly Tensor[]): number {
  let total = 0;
  outs.forEach((o, j) => {
    const a = o.data.toTypedArray();
    const b = gs[j]!.data.storage;
    for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  });
  return total;
}

function runCheck(s: Setup, mode: 'slow' | 'fast'): GradcheckReport {
  const generator = new Generator(s.generator.nextUint32());
  const outs = s.outputs(s.xs);
  const gs = outs.map((o) => randomLike(o.shape, generator));
  const analytical = backwardOnce(s, gs);
  const again = backwardOnce(s, gs);
  const deterministic = analytical.every((a, i) => a.every((v, k) => Object.is(v, again[i]![k])));
  const L = (xs: Tensor[]): number => noGrad(() => scalarise(s.outputs(xs), gs));
  const inputs: InputCheck[] = [];
  s.xs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    const a = analytical[inputs.length]!;
    const checks = mode === 'slow' ? slowChecks(s, x, i, a, L) : [fastCheck(s, x, i, a, L, generator)];
    const failing = checks.filter((c) => !c.ok).sort((p, q) => q.absDiff - p.absDiff);
    const worst = failing[0] ?? [...checks].sort((p, q) => q.absDiff - p.absDiff)[0] ?? null;
    inputs.push({
      input: i,
      shape: [...x.shape],
      ok: failing.length === 0,
      mismatches: failing.length,
      compared: checks.length,
      worst,
      worstFew: failing.slice(0, 5),
      table: mode === 'slow' && checks.length <= 16 ? checks : null,
    });
  });
  const report: GradcheckReport = {
    ok: deterministic && inputs.every((c) => c.ok),
    name: s.name,
    mode,
    eps: s.eps,
    atol: s.atol,
    rtol: s.rtol,
    inputs,
    problem: deterministic ? null : 'backward is not deterministic: two runs gave different gradients',
    toString: () => formatReport(report),
  };
  return report;
}

/** Analytical ∂L/∂x for each input that requires grad, as flat float64 arrays. */
function backwardOnce(s: Setup, gs: readonly Tensor[]): Float64Array[] {
  const wrt = s.xs.filter((x) => x.requiresGrad);
  const outs = s.outputs(s.xs);
  const live = outs.map((o, j) => [o, gs[j]!] as const).filter(([o]) => o.requiresGrad);
  if (live.length === 0) return wrt.map((x) => new Float64Array(x.size));
  const grads = grad(
    live.map(([o]) => o),
    wrt,
    { gradOutputs: live.map(([, g]) => g) },
  );
  return grads.map((g) => Float64Array.from(g.data.toTypedArray()));
}

function withInput(xs: readonly Tensor[], i: number, data: Float64Array): Tensor[] {
  return xs.map((x, j) => (j === i ? new Tensor(new NDArray(data, x.shape), { requiresGrad: x.requiresGrad }) : x));
}

function compare(s: Setup, a: number, n: number): Pick<ElementCheck, 'absDiff' | 'relDiff' | 'ok'> {
  const absDiff = Math.abs(a - n);
  const ok = absDiff <= s.atol + s.rtol * Math.abs(n) || a === n;
  return { absDiff, relDiff: absDiff / Math.max(Math.abs(n), Number.MIN_VALUE), ok };
}

function slowChecks(
  s: Setup,
  x: Tensor,
  i: number,
  analytical: Float64Array,
  L: (xs: Tensor[]) => number,
): ElementCheck[] {
  const base = Float64Array.from(x.data.toTypedArray());
  const strides = x.shape.map((_, d) => x.shape.slice(d + 1).reduce((n, side) => n * side, 1));
  const checks: ElementCheck[] = [];
  for (let k = 0; k < base.length; k++) {
    const plus = Float64Array.from(base);
    const minus = Float64Array.from(base);
    plus[k] = base[k]! + s.eps;
    minus[k] = base[k]! - s.eps;
    const fPlus = L(withInput(s.xs, i, plus));
    const fMinus = L(withInput(s.xs, i, minus));
    const numerical = (fPlus - fMinus) / (2 * s.eps);
    const a = analytical[k]!;
    const index = strides.map((st, d) => Math.floor(k / st) % x.shape[d]!);
    checks.push({ index, flat: k, x: base[k]!, analytical: a, numerical, fPlus, fMinus, ...compare(s, a, numerical) });
  }
  return checks;
}

function fastCheck(
  s: Setup,
  x: Tensor,
  i: number,
  analytical: Float64Array,
  L: (xs: Tensor[]) => number,
  g: Generator,
): ElementCheck {
  const base = Float64Array.from(x.data.toTypedArray());
  const u = new Float64Array(base.length).map(() => g.normal());
  let norm = 0;
  for (const v of u) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  let a = 0;
  for (let k = 0; k < u.length; k++) {
    u[k] = u[k]! / norm;
    a += analytical[k]! * u[k]!;
  }
  const fPlus = L(
    withInput(
      s.xs,
      i,
      base.map((v, k) => v + s.eps * u[k]!),
    ),
  );
  const fMinus = L(
    withInput(
      s.xs,
      i,
      base.map((v, k) => v - s.eps * u[k]!),
    ),
  );
  const numerical = (fPlus - fMinus) / (2 * s.eps);
  return { index: [], flat: -1, x: NaN, analytical: a, numerical, fPlus, fMinus, ...compare(s, a, numerical) };
}
