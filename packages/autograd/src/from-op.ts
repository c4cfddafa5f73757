/**
 * How an op joins the graph. An op computes its output with the backend, then calls `fromOp`
 * with its inputs, its backward function, and what it says about itself: its backward rule in
 * one line (what a trace prints) and its ONNX form (what an export writes). If grad mode is on
 * and any input requires grad, the output gets a Node; otherwise the backward function is
 * dropped at once. An exporter's tracer, when one runs, is told of the op either way
 * (export-form.ts).
 *
 * The engine's own ops (ops/) call `builtinOp`, the same thing with the node not marked
 * `custom`: a backward pass through built-in nodes only runs no code but the engine's, so the
 * engine may let the backend keep its intermediate gradients in device memory (engine.ts,
 * Backend.sealedScope). A custom op's backward may keep what it is given; through one, every
 * intermediate result stays readable.
 */
import { NDArray, SkipgradError, checkFunction, checkString, describe } from '@skipgrad/tensor';
import { type ExportForm, reportForExport } from './export-form.js';
import { type BackwardFn, type GradTarget, Node, isGradEnabled } from './graph.js';
import { anomalyMode, checkForward } from './inspect/anomaly.js';
import { Tensor } from './tensor.js';

/** What an op says about itself, beside its backward. */
export interface OpDescription {
  /** Its backward rule in one line, as traces print it: 'da = dy·(1 − y²)'. */
  rule?: string;
  /** How it is written in ONNX, so a model using it exports (export-form.ts). */
  onnx?: ExportForm;
}

/**
 * Records an op's output in the graph with its backward (for writing your own ops), and what
 * the op says about itself: its one-line backward rule and its ONNX form.
 *
 * @example
 * const double = (t: Tensor) => fromOp('double', [t], ['a'], getBackend().binary('add', t.data, t.data), (dy) => [dy.mul(2)]);
 * gradcheck(double, [tensor([1, 2], { dtype: 'float64', requiresGrad: true })]).ok; // true
 */
export function fromOp(
  op: string,
  inputs: readonly Tensor[],
  names: readonly string[],
  data: NDArray,
  backward: BackwardFn,
  about: OpDescription = {},
): Tensor {
  return recordOp(true, op, inputs, names, data, backward, about);
}

/**
 * fromOp for the engine's own ops (ops/): their nodes are not marked `custom`, so a backward
 * pass through nothing else runs only the engine's code (see Backend.sealedScope).
 */
export function builtinOp(...args: Parameters<typeof fromOp>): Tensor {
  return recordOp(false, ...args);
}

function recordOp(
  custom: boolean,
  ...[op, inputs, names, data, backward, about = {}]: Parameters<typeof fromOp>
): Tensor {
  if (about === null || typeof about !== 'object')
    throw new SkipgradError('fromOp', 'about', 'an object { rule?, onnx? } (or nothing)', describe(about));
  if (about.rule !== undefined && typeof about.rule !== 'string')
    throw new SkipgradError('fromOp', 'about.rule', 'a one-line rule (a string)', describe(about.rule));
  const form = about.onnx;
  if (form !== undefined && (form === null || typeof form.op !== 'string')) {
    throw new SkipgradError(
      'fromOp',
      'about.onnx',
      'an ONNX form { op, inputs?, attributes? } (or nothing)',
      describe(form),
    );
  }
  const output = record(op, inputs, names, data, backward, about.rule ?? null, custom);
  reportForExport(op, form, inputs, output);
  return output;
}

function record(
  op: string,
  inputs: readonly Tensor[],
  names: readonly string[],
  data: NDArray,
  backward: BackwardFn,
  rule: string | null,
  custom: boolean,
): Tensor {
  checkString('fromOp', 'op', op, 'an op name (a string)');
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor)))
    throw new SkipgradError('fromOp', 'inputs', 'an array of Tensors', describe(inputs));
  if (!Array.isArray(names) || names.length !== inputs.length || names.some((n) => typeof n !== 'string')) {
    throw new SkipgradError('fromOp', 'names', `${inputs.length} argument names (one per input)`, describe(names));
  }
  if (!(data instanceof NDArray))
    throw new SkipgradError('fromOp', 'data', "the op's result (an NDArray)", describe(data));
  checkFunction('fromOp', 'backward', backward);
  const anomaly = anomalyMode();
  if (anomaly) checkForward(op, data);
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return new Tensor(data);
  const infos = inputs.map((t, i) => ({
    name: names[i]!,
    shape: t.shape,
    dtype: t.dtype,
    target: t.requiresGrad ? gradTarget(t) : null,
  }));
  const node = new Node(op, infos, data, backward, rule, custom);
  // The stack from the op that called fromOp down to the user's code: past the error's own
  // line, record, recordOp and fromOp (or builtinOp).
  if (anomaly) node.createdAt = new Error().stack?.split('\n').slice(4).join('\n') ?? null;
  return new Tensor(data, { requiresGrad: true, node });
}

/** Where gradients for `t` collect: the tensor itself if it is a leaf, else its node. */
export function gradTarget(t: Tensor): GradTarget {
  return t.node ?? t;
}
