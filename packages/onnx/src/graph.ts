/**
 * From a trace to an ONNX graph. Every value gets a name: the model's inputs their input names,
 * parameters and buffers their state-dict names (so the .onnx and the .safetensors files name
 * every weight alike), op outputs `<module path>/<op>_<n>`, and any other tensor an op read — a
 * constant made inside the forward — `constant_<n>`. Ops are written in the order they ran
 * (a topological order), only those the outputs depend on; each op's form becomes its node(s),
 * and the constants a form names become initializers.
 */
import {
  type ExportAttribute,
  type ExportForm,
  type ExportInput,
  SkipgradError,
  type Tensor,
} from '@skipgrad/autograd';
import { type DType, NDArray, formatShape } from '@skipgrad/tensor';
import {
  ATTRIBUTE_TYPE,
  type AttributeMessage,
  DATA_TYPE,
  type GraphMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './schema.js';
import type { Trace, TracedOp } from './trace.js';

export interface GraphOptions {
  inputNames: string[];
  outputNames: string[];
  /** The traced inputs' first axis becomes the symbol 'batch' (and reshapes keep it). */
  dynamicBatch: boolean;
  /** Parameters and buffers by name. */
  weights: Iterable<[string, Tensor]>;
}

export function buildGraph(trace: Trace, inputs: readonly Tensor[], options: GraphOptions): GraphMessage {
  const names = new Map<NDArray, string>();
  const initializer: TensorMessage[] = [];
  const node: NodeMessage[] = [];
  inputs.forEach((t, i) => names.set(t.data, options.inputNames[i]!));
  const weights = new Map<NDArray, [string, Tensor]>();
  for (const [name, t] of options.weights) if (!names.has(t.data)) weights.set(t.data, [name, t]);

  const needed = neededOps(trace);
  const batch = options.dynamicBatch ? inputs[0]!.shape[0] : undefined;
  const counts = new Map<string, number>();
  const fresh = (base: string): string => {
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return `${base}_${n}`;
  };
  const constant = (name: string, array: NDArray, as: DType | 'int64' | 'bool'): string => {
    initializer.push(tensorMessage(name, array, as));
    return name;
  };
  /** The name of a value an op reads: an input, a weight, an earlier op's output, or a new constant. */
  const nameOf = (t: Tensor): string => {
    const known = names.get(t.data);
    if (known !== undefined) return known;
    const weight = weights.get(t.data);
    const name = weight ? weight[0] : fresh('constant');
    names.set(t.data, name);
    constant(name, t.data, t.dtype);
    return name;
  };

  const outputName = new Map<NDArray, string>();
  trace.outputs.forEach((t, i) => {
    if (!outputName.has(t.data)) outputName.set(t.data, options.outputNames[i]!);
  });
  // Values computed from the inputs: the ones that carry the batch axis.
  const fromInputs = new Set<NDArray>(inputs.map((t) => t.data));
  for (const op of trace.ops) {
    if (!needed.has(op)) continue;
    if (op.inputs.some((t) => fromInputs.has(t.data))) fromInputs.add(op.output.data);
    if (op.form === undefined) {
      throw new SkipgradError(
        'exportOnnx',
        'model',
        'ops that have an ONNX form',
        `'${op.op}'${op.path ? ` in module '${op.path}'` : ''}, which has none`,
        hintFor(op.op),
      );
    }
    const base = `${op.path || 'model'}/${op.op}`;
    const out = outputName.get(op.output.data) ?? fresh(base);
    names.set(op.output.data, out);
    writeForm(op.form, op, out, base);
  }

  /** Writes a form's node (and first the nodes of any forms among its inputs); returns its output name. */
  function writeForm(written: ExportForm, op: TracedOp, out: string, base: string): string {
    const carriesBatch = batch !== undefined && fromInputs.has(op.inputs[0]?.data as NDArray);
    const form = written.op === 'Reshape' && carriesBatch ? keepBatch(written, op, batch!) : written;
    const input = (form.inputs ?? op.inputs.map((_, i) => i)).map((x) => inputName(x, op, base));
    node.push({
      name: out,
      opType: form.op,
      input,
      output: [out],
      attribute: Object.entries(form.attributes ?? {}).map(([name, value]) => attribute(name, value, op)),
      docString: op.path ? `${op.op} in ${op.path}` : op.op,
    });
    return out;
  }

  function inputName(x: ExportInput, op: TracedOp, base: string): string {
    if (x === null) return ''; // ONNX's way of leaving out an optional input
    if (typeof x === 'number') {
      const t = op.inputs[x];
      if (!t)
        throw new SkipgradError('exportOnnx', `'${op.op}' form`, `input indices below ${op.inputs.length}`, String(x));
      return nameOf(t);
    }
    if ('ints' in x)
      return constant(fresh(`${base}/ints`), new NDArray(Float64Array.from(x.ints), [x.ints.length]), 'int64');
    if ('scalar' in x)
      return constant(fresh(`${base}/scalar`), new NDArray(Float64Array.of(x.scalar), []), op.output.dtype);
    if ('tensor' in x) return constant(fresh(`${base}/constant`), x.tensor, x.as ?? op.output.dtype);
    return writeForm(x, op, fresh(`${base}/${x.op}`), base);
  }

  const valueInfo = (name: string, t: Tensor): ValueInfoMessage => ({
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[t.dtype],
        shape: {
          dim: t.shape.map((d, axis) =>
            axis === 0 && batch !== undefined && d === batch ? { dimParam: 'batch' } : { dimValue: d },
          ),
        },
      },
    },
  });
  const output = trace.outputs.map((t, i) => {
    const name = options.outputNames[i]!;
    const made = names.get(t.data);
    // An output that is an input or a weight itself, or the same value twice: an Identity names it.
    if (made !== name)
      node.push({ name, opType: 'Identity', input: [made ?? nameOf(t)], output: [name], attribute: [] });
    return valueInfo(name, t);
  });
  return {
    name: 'skipgrad',
    node,
    initializer,
    input: inputs.map((t, i) => valueInfo(options.inputNames[i]!, t)),
    output,
  };
}

/** The ops the outputs depend on (walking back from them through the values each op read). */
function neededOps(trace: Trace): Set<TracedOp> {
  const needed = new Set<TracedOp>();
  const stack = [...trace.outputs];
  while (stack.length > 0) {
    const op = trace.producer.get(stack.pop()!.data);
    if (op === undefined || needed.has(op)) continue;
    needed.add(op);
    stack.push(...op.inputs);
  }
  return needed;
}

/**
 * With a dynamic batch, a reshape's target keeps the input's first side as 0 ("copy it" in
 * ONNX) when both are the traced batch size; a reshape that folds the batch into another axis
 * cannot follow a different batch and is refused.
 */
function keepBatch(form: ExportForm, op: TracedOp, batch: number): ExportForm {
  const [data, target] = form.inputs ?? [];
  if (target === undefined || target === null || typeof target !== 'object' || !('ints' in target)) return form;
  const from = op.inputs[0]!.shape;
  if (from[0] === batch && target.ints[0] === batch)
    return { ...form, inputs: [data!, { ints: [0, ...target.ints.slice(1)] }] };
  if (from[0] === batch || target.ints[0] === batch) {
    throw new SkipgradError(
      'exportOnnx',
      'dynamicBatch',
      'reshapes that keep the batch axis first and whole',
      `a reshape of ${formatShape(from)} to ${formatShape(target.ints)}${op.path ? ` in module '${op.path}'` : ''}`,
      'export with a fixed batch (dynamicBatch: false)',
    );
  }
  return form;
}

function attribute(name: string, value: ExportAttribute, op: TracedOp): AttributeMessage {
  const bad = (): SkipgradError =>
    new SkipgradError(
      'exportOnnx',
      `'${op.op}' attribute '${name}'`,
      'an integer, a list of integers, a string or { float }',
      JSON.stringify(value),
    );
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw bad();
    return { name, type: ATTRIBUTE_TYPE.int, i: value };
  }
  if (typeof value === 'string') return { name, type: ATTRIBUTE_TYPE.string, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (!value.every((v) => Number.isInteger(v))) throw bad();
    return { name, type: ATTRIBUTE_TYPE.ints, ints: [...value] };
  }
  if (typeof value === 'object' && value !== null && 'float' in value)
    return { name, type: ATTRIBUTE_TYPE.float, f: value.float };
  if (typeof value === 'object' && value !== null && 'floats' in value)
    return { name, type: ATTRIBUTE_TYPE.floats, floats: [...value.floats] };
  throw bad();
}

/** An initializer: its values as little-endian bytes of the ONNX type. */
function tensorMessage(name: string, array: NDArray, as: DType | 'int64' | 'bool'): TensorMessage {
  const values = array.toTypedArray();
  let bytes: Uint8Array;
  if (as === 'int64') {
    const ints = new BigInt64Array(values.length);
    values.forEach((v, i) => {
      ints[i] = BigInt(Math.trunc(v));
    });
    bytes = new Uint8Array(ints.buffer);
  } else if (as === 'bool') {
    bytes = Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  } else {
    const typed = as === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
    bytes = new Uint8Array(typed.buffer);
  }
  return { name, dims: [...array.shape], dataType: DATA_TYPE[as], rawData: bytes };
}

/** What to do instead, for the ops that have no ONNX form. */
function hintFor(op: string): string {
  const hints: Record<string, string> = {
    unfold:
      'unfold (im2col) has no ONNX operator; a convolution or pooling built on it exports when it is written with conv2d or the pooling functions',
    fold: 'fold (col2im) has no ONNX form here yet',
    maskedSelect: 'its output size depends on the data; select with where() and a fixed shape instead',
    maxPool2dWithIndices: 'its indices are computed on the host; use maxPool2d',
  };
  return (
    hints[op] ??
    'write the model with ops that have one, or give your own op a form (the last argument of fromOp: { onnx: … })'
  );
}
