/**
 * The fuzz suite's child process: draws calls of every public function with arbitrary arguments
 * (fast-check, a given seed), runs them one by one and prints one line per call — `START i name`
 * before it, `END i outcome detail` after — so that the parent can tell a hang (no END within
 * the watchdog's time) and a crash (the process gone between START and END) from an answer.
 *
 *   node --conditions=source --import tsx tests/fuzz/runner.ts <seed> <calls> [<first call>]
 */
import { writeSync } from 'node:fs';
import fc from 'fast-check';
import * as autograd from '@skipgrad/autograd';
import * as nn from '@skipgrad/nn';
import * as onnx from '@skipgrad/onnx';
import { Generator, NDArray, SkipgradError } from '@skipgrad/tensor';
import { contractOf } from './contracts.js';

type Target = { name: string; fn: (...a: unknown[]) => unknown; isClass: boolean };

/** Every function and class the packages export, in a stable order. */
export function targets(): Target[] {
  const out: Target[] = [];
  for (const ns of [autograd, nn, onnx] as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(ns).sort(([a], [b]) => a.localeCompare(b))) {
      if (typeof value !== 'function' || contractOf(name).skip || out.some((t) => t.name === name)) continue;
      const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
      out.push({ name, fn: value as (...a: unknown[]) => unknown, isClass });
    }
  }
  return out;
}

const f64 = (shape: number[], values: number[]): autograd.Tensor =>
  new autograd.Tensor(new NDArray(Float64Array.from(values), shape));
const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
const tensorArb = fc
  .tuple(shapeArb, fc.constantFrom('float32', 'float64'), fc.boolean(), fc.integer({ min: 0, max: 1000 }))
  .map(([shape, dtype, grad, seed]) => {
    const n = shape.reduce((p, s) => p * s, 1);
    const values = Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed + i * 1.7) * 8) / 4);
    const t = new autograd.Tensor(
      new NDArray(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape),
      { requiresGrad: grad },
    );
    return t;
  });
/** Images [N, C, H, W] — what the convolution, pooling and vision layers take. */
const imageArb = fc
  .tuple(
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 5 }),
    fc.boolean(),
  )
  .map(
    ([n, c, h, w, grad]) =>
      new autograd.Tensor(
        new NDArray(
          Float32Array.from({ length: n * c * h * w }, (_, i) => Math.cos(i)),
          [n, c, h, w],
        ),
        { requiresGrad: grad },
      ),
  );
/** Small integer-valued tensors: class labels, indices, masks. */
const indexArb = fc
  .array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 4 })
  .map((v) => autograd.tensor(v));
const moduleArb = fc
  .constantFrom(
    () => new nn.Linear(2, 2),
    () => new nn.ReLU(),
    () => new nn.Tanh(),
    () => new nn.Conv2d(1, 2, 1),
    () => new nn.Identity(),
  )
  .map((make) => make());
const numberArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-1, 0.5, 1e-3, 7, 1e9, 2 ** 40, -(2 ** 31), NaN, Infinity, -Infinity, 1.5, -0),
  },
);
const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: tensorArb },
  { weight: 2, arbitrary: imageArb },
  { weight: 1, arbitrary: indexArb },
  { weight: 1, arbitrary: moduleArb },
  { weight: 4, arbitrary: numberArb },
  { weight: 2, arbitrary: shapeArb },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'float32',
      'float64',
      'mean',
      'sum',
      'none',
      'same',
      'valid',
      'relu',
      'bilinear',
      'abc',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      {},
      { dtype: 'float64' },
      { keepdim: true },
      { padding: 1 },
      { stride: 2 },
      { generator: {} },
      { reduction: 'sum' },
      { bogus: 1 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(() => f64([2], [1, 2]), new Generator(1), new Map(), Symbol.iterator, [
      f64([1], [1]),
      f64([1], [2]),
    ]),
  },
);
const argsArb = fc.array(leafArb, { maxLength: 4 });

export interface Call {
  index: number;
  target: Target;
  args: unknown[];
}

const TARGETS = targets();

/** Call `index` of the run from `seed`: drawn on its own (its own seed), so any call can be replayed alone and a run needs no memory per call. */
export function callAt(seed: number, index: number): Call {
  const [[t, args]] = fc.sample(fc.tuple(fc.nat({ max: TARGETS.length - 1 }), argsArb), {
    seed: (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0,
    numRuns: 1,
  }) as [[number, unknown[]]];
  return { index, target: TARGETS[t]!, args };
}

/** The values of every tensor among the arguments, to check after the call that none changed. */
function snapshot(args: unknown[]): [autograd.Tensor, number[]][] {
  const tensors = args.flatMap((a) =>
    a instanceof autograd.Tensor ? [a] : Array.isArray(a) ? a.filter((x) => x instanceof autograd.Tensor) : [],
  );
  return tensors.map((t) => [t, Array.from(t.data.toTypedArray())]);
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  try {
    return `thrown ${typeof e}: ${String(e)}`;
  } catch {
    return `thrown ${typeof e}`;
  }
}

/** 'ok', 'named' (a SkipgradError naming the function), or a failure class with its detail. */
export function run(call: Call): [string, string] {
  const { target, args } = call;
  const contract = contractOf(target.name);
  const before = snapshot(args);
  let result: unknown;
  try {
    result = target.isClass
      ? new (target.fn as unknown as new (...a: unknown[]) => unknown)(...args)
      : target.fn(...args);
    if (result instanceof Promise) result.catch(() => undefined);
  } catch (e) {
    if (e instanceof SkipgradError) {
      // A layer may fail in its functional twin (AdaptiveAvgPool2d → adaptiveAvgPool2d): the same name, in another case.
      const given = contract.opArgument === undefined ? undefined : args[contract.opArgument];
      const ok =
        e.op.toLowerCase() === target.name.toLowerCase() ||
        (contract.names ?? []).includes(e.op) ||
        e.op.startsWith(`${target.name}.`) ||
        (typeof given === 'string' && e.op === given) ||
        contract.runsModel === true;
      return ok ? ['named', e.op] : ['misnamed', `${e.op}: ${e.message}`];
    }
    return ['runtime', describeError(e)];
  }
  // A module that was made is run once on the first argument: its forward (a container's, an inner
  // layer's) may refuse it with any named error — the layer it names is where the input went wrong.
  if (result instanceof nn.Module && typeof (result as { forward?: unknown }).forward === 'function') {
    try {
      result = (result as { forward(x: unknown): unknown }).forward(args[0]);
    } catch (e) {
      return e instanceof SkipgradError ? ['named', `${e.op} (forward)`] : ['runtime', `forward: ${describeError(e)}`];
    }
  }
  for (const [t, values] of before) {
    const now = Array.from(t.data.toTypedArray());
    if (now.some((v, i) => !Object.is(v, values[i]))) return ['mutated', 'a tensor argument changed'];
  }
  if (result instanceof autograd.Tensor) {
    if (!Array.isArray(result.shape) || !result.shape.every((s) => Number.isInteger(s) && s >= 0))
      return ['malformed', `shape ${String(result.shape)}`];
    if (result.dtype !== 'float32' && result.dtype !== 'float64') return ['malformed', `dtype ${String(result.dtype)}`];
    if (result.data.size !== result.shape.reduce((p, s) => p * s, 1))
      return ['malformed', 'size does not match the shape'];
    const finiteIn =
      before.every(([, v]) => v.every(Number.isFinite)) &&
      args.every((a) => typeof a !== 'number' || Number.isFinite(a));
    if (contract.finite && finiteIn && !Array.from(result.data.toTypedArray()).every(Number.isFinite)) {
      return ['not finite', 'finite inputs gave a non-finite result'];
    }
  }
  return ['ok', ''];
}

/**
 * One line to the parent, written before the call runs (a call that hangs must have said which it
 * is). Synchronous: fs.writeSync on the pipe, retried while the pipe is full (EAGAIN) — the parent
 * reads on.
 */
function say(line: string): void {
  const bytes = new TextEncoder().encode(`${line}\n`);
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(1, bytes, at);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
    }
  }
}

/**
 * Runs calls from `first` on, printing START/END lines (the parent's watchdog reads them). Not
 * process.stdout: on a pipe it queues every line until the event loop runs, which this loop never
 * lets it do — the parent would see nothing and call it a hang.
 */
function main(): void {
  const [seed, count, first] = process.argv.slice(2).map(Number);
  // The harness's own test makes one call hang or crash, to see the watchdog catch it.
  const [hangAt, crashAt] = [process.env.SKIPGRAD_FUZZ_HANG_AT, process.env.SKIPGRAD_FUZZ_CRASH_AT].map((v) =>
    v === undefined ? -1 : Number(v),
  );
  for (let index = first ?? 0; index < count!; index++) {
    const call = callAt(seed!, index);
    say(`START ${call.index} ${call.target.name}`);
    if (call.index === hangAt) for (;;);
    if (call.index === crashAt) process.exit(3);
    const [outcome, detail] = run(call);
    say(`END ${call.index} ${outcome} ${detail.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
}

if (process.argv[1]?.endsWith('runner.ts')) main();
