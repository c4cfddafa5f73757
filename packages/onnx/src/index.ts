/**
 * @skipgrad/onnx — export a model to ONNX: one file with the graph and the weights, for ONNX
 * Runtime (Node, web, servers) and every other ONNX runtime.
 *
 *   const bytes = exportOnnx(model, randn([1, 784]), { dynamicBatch: true });
 *   await saveOnnx(model, randn([1, 784]), 'model.onnx');            // Node
 *
 * How: one forward pass in eval mode is traced (trace.ts) — every op that runs reports its ONNX
 * form, written beside its forward and backward in autograd — and the ops become an ONNX graph
 * (graph.ts) whose initializers carry the state-dict names; protobufjs writes it (schema.ts).
 *
 * @example
 * const bytes = exportOnnx(new Linear(3, 2, { generator: new Generator(1) }), randn([1, 3]));
 * bytes.length > 0; // true
 */
import { SkipgradError, Tensor } from '@skipgrad/autograd';
import { Module } from '@skipgrad/nn';
import { checkBoolean, checkOptions, checkString, describe, formatShape } from '@skipgrad/tensor';
import { writeBytes } from './files.js';
import { buildGraph } from './graph.js';
import { IR_VERSION, type ModelMessage, ModelProto } from './schema.js';
import { type Model, traceModel } from './trace.js';

export { type Model } from './trace.js';

/** The opset this exporter writes. */
export const OPSET = 17;

export interface OnnxOptions {
  /** The ONNX operator set (default and only: 17). */
  opset?: number;
  /** Names of the graph's inputs (default 'input', or 'input0', 'input1'… for several). */
  inputNames?: string[];
  /** Names of the graph's outputs (default 'output', or 'output0'…). */
  outputNames?: string[];
  /** The first axis of every input (and of the outputs that follow it) is the symbol 'batch'. */
  dynamicBatch?: boolean;
  /** The model's description in the file. */
  docString?: string;
}

/**
 * The model as an ONNX file's bytes, traced on `inputs` (one tensor or a list of them).
 *
 * @example
 * exportOnnx((x: Tensor) => x.relu().add(1), randn([2, 3])).length > 0; // true
 */
export function exportOnnx(model: Model, inputs: Tensor | readonly Tensor[], options: OnnxOptions = {}): Uint8Array {
  checkOptions('exportOnnx', options, ['opset', 'inputNames', 'outputNames', 'dynamicBatch', 'docString']);
  if (!(model instanceof Module) && typeof model !== 'function') {
    throw new SkipgradError('exportOnnx', 'model', 'an nn Module or a function of tensors', describe(model));
  }
  const list = inputs instanceof Tensor ? [inputs] : Array.isArray(inputs) ? [...inputs] : null;
  if (list === null || list.length === 0 || list.some((t) => !(t instanceof Tensor))) {
    throw new SkipgradError(
      'exportOnnx',
      'inputs',
      'a tensor or a non-empty list of tensors to trace the forward with',
      describe(inputs),
    );
  }
  const opset = options.opset ?? OPSET;
  if (opset !== OPSET)
    throw new SkipgradError('exportOnnx', 'opset', `${OPSET} (the opset this exporter writes)`, describe(opset));
  const dynamicBatch =
    options.dynamicBatch === undefined ? false : checkBoolean('exportOnnx', 'dynamicBatch', options.dynamicBatch);
  if (dynamicBatch && list.some((t) => t.rank === 0 || t.shape[0] !== list[0]!.shape[0])) {
    throw new SkipgradError(
      'exportOnnx',
      'inputs',
      'inputs that share their first axis (the batch) for dynamicBatch',
      list.map((t) => `${formatShape(t.shape)}`).join(', '),
    );
  }
  const docString =
    options.docString === undefined ? undefined : checkString('exportOnnx', 'docString', options.docString, 'a string');

  const trace = traceModel(model, list);
  const inputNames = names('inputNames', options.inputNames, list.length, 'input');
  const outputNames = names('outputNames', options.outputNames, trace.outputs.length, 'output');
  const weights = model instanceof Module ? [...model.namedParameters(), ...model.namedBuffers()] : [];
  const graph = buildGraph(trace, list, { inputNames, outputNames, dynamicBatch, weights });
  const message: ModelMessage = {
    irVersion: IR_VERSION,
    producerName: 'skipgrad',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: opset }],
    graph,
    ...(docString === undefined ? {} : { docString }),
  };
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

/**
 * Exports the model and writes the file (Node).
 *
 * @example
 * await saveOnnx(new Linear(3, 2), randn([1, 3]), `${(await import('node:os')).tmpdir()}/skipgrad-linear.onnx`);
 */
export async function saveOnnx(
  model: Model,
  inputs: Tensor | readonly Tensor[],
  path: string,
  options: OnnxOptions = {},
): Promise<void> {
  checkString('saveOnnx', 'path', path, 'a file path');
  await writeBytes(path, exportOnnx(model, inputs, options)); // nothing is written when the export fails
}

/** The names given, or defaults; as many as there are values, each a distinct non-empty string. */
function names(option: string, given: readonly string[] | undefined, count: number, base: string): string[] {
  if (given === undefined) return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}${i}`);
  if (
    !Array.isArray(given) ||
    given.length !== count ||
    given.some((n) => typeof n !== 'string' || n === '') ||
    new Set(given).size !== count
  ) {
    throw new SkipgradError('exportOnnx', option, `${count} distinct non-empty names`, describe(given));
  }
  return [...given];
}
