/**
 * How an op describes itself for export: its ONNX form, written in the op's own file beside its
 * forward and backward, and passed to `fromOp` as `onnx` in its last argument
 * (`{ rule, onnx }`). Nothing in the engine reads it; an exporter
 * (@skipgrad/onnx) installs a tracer with `traceForExport`, runs a forward pass, and every op
 * that runs reports itself — its name, its form, its input tensors and its output — here.
 *
 * A form is one ONNX node, written as an expression:
 *
 *   add:       { op: 'Add' }                                      inputs default to the op's own
 *   reshape:   { op: 'Reshape', inputs: [0, { ints: shape }] }    0 = the op's first input
 *   where:     { op: 'Where', inputs: [{ tensor: mask, as: 'bool' }, 0, 1] }
 *   conv2d:    { op: 'Conv', attributes: { strides: [1, 1], pads: [1, 1, 1, 1] } }
 *
 * An input may itself be a form (its node is written first), so a short chain reads as one
 * expression. Attributes are integers (or lists of them) unless written { float: x } or a string.
 *
 * A composite op that has one ONNX node of its own (max pooling is unfold → max → reshape here,
 * one MaxPool there) wraps its body in `exportedAs`: while tracing, the body's ops are not
 * reported, the composite is. Without a tracer it is just the body.
 */
import { type NDArray, SkipgradError, checkFunction, checkString, describe } from '@skipgrad/tensor';
import { Tensor } from './tensor.js';

export type ExportAttribute = number | readonly number[] | string | { float: number } | { floats: readonly number[] };

export type ExportInput =
  /** The op's own input with this index. */
  | number
  /** A constant 1-D int64 list: a shape, axes, pads, starts… */
  | { ints: readonly number[] }
  /** A constant array, as the op's dtype or as int64 indices or a boolean mask. */
  | { tensor: NDArray; as?: 'int64' | 'bool' }
  /** A constant scalar of the op's dtype (a padding value). */
  | { scalar: number }
  /** Another node's output, written first. */
  | ExportForm
  /** An optional ONNX input left out. */
  | null;

export interface ExportForm {
  /** The ONNX operator (default domain, opset 17). */
  op: string;
  /** Its inputs in ONNX's order; by default the op's own inputs, in order. */
  inputs?: readonly ExportInput[];
  attributes?: Readonly<Record<string, ExportAttribute>>;
}

/** What an exporter installs: told of every op that runs (form undefined: the op has none). */
export interface ExportTracer {
  record(op: string, form: ExportForm | undefined, inputs: readonly Tensor[], output: Tensor): void;
}

let tracer: ExportTracer | null = null;
/** Inside an exportedAs body: its ops are not reported. */
let hidden = 0;

/**
 * Runs fn with `t` told of every op (an exporter's forward pass).
 *
 * @example
 * const seen: string[] = [];
 * traceForExport({ record: (op) => seen.push(op) }, () => tensor([1, 2]).exp().sum());
 * seen; // ['exp', 'sum']
 */
export function traceForExport<T>(t: ExportTracer, fn: () => T): T {
  if (typeof (t as { record?: unknown } | null)?.record !== 'function') {
    throw new SkipgradError(
      'traceForExport',
      'tracer',
      'an object with a record(op, form, inputs, output) method',
      describe(t),
    );
  }
  checkFunction('traceForExport', 'fn', fn);
  const [outer, outerHidden] = [tracer, hidden];
  [tracer, hidden] = [t, 0];
  try {
    return fn();
  } finally {
    [tracer, hidden] = [outer, outerHidden];
  }
}

/** fromOp's report of an op it recorded (a no-op unless an exporter is tracing). */
export function reportForExport(
  op: string,
  form: ExportForm | undefined,
  inputs: readonly Tensor[],
  output: Tensor,
): void {
  if (tracer !== null && hidden === 0) tracer.record(op, form, inputs, output);
}

/**
 * A composite op with an ONNX node of its own: runs `body` — which returns the output and the
 * composite's form (its attributes are often worked out inside) — and while tracing reports the
 * composite as one op over `inputs` instead of the ops inside it. A form of null says the op
 * has none (its result depends on values read on the host): an exporter refuses it by name.
 *
 * @example
 * const double = (t: Tensor) => exportedAs('double', [t], () => ({ output: t.add(t), form: { op: 'Add', inputs: [0, 0] } }));
 * double(tensor([1, 2])).toArray(); // [2, 4]
 */
export function exportedAs(
  op: string,
  inputs: readonly Tensor[],
  body: () => { output: Tensor; form: ExportForm | null },
): Tensor {
  checkString('exportedAs', 'op', op, 'an op name (a string)');
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor)))
    throw new SkipgradError('exportedAs', 'inputs', 'an array of Tensors', describe(inputs));
  checkFunction('exportedAs', 'body', body);
  if (tracer === null || hidden > 0) return checkResult(body()).output;
  hidden++;
  let result: { output: Tensor; form: ExportForm | null };
  try {
    result = checkResult(body());
  } finally {
    hidden--;
  }
  tracer.record(op, result.form ?? undefined, inputs, result.output);
  return result.output;
}

function checkResult(result: unknown): { output: Tensor; form: ExportForm | null } {
  const r = result as { output?: unknown; form?: unknown } | null;
  const formOk = (f: unknown): boolean => f === null || typeof (f as { op?: unknown } | undefined)?.op === 'string';
  if (r === null || typeof r !== 'object' || !(r.output instanceof Tensor) || !formOk(r.form)) {
    throw new SkipgradError(
      'exportedAs',
      'body',
      'a function returning { output: Tensor, form: an ONNX form or null }',
      describe(result),
    );
  }
  return r as { output: Tensor; form: ExportForm | null };
}
