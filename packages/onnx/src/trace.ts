/**
 * Tracing: one forward pass in eval mode with no gradients, during which every op that runs
 * reports itself (its name, its ONNX form, its inputs and output — see autograd's
 * export-form.ts), tagged with the path of the module whose forward was running (`layer1.0.conv1`).
 *
 * Values are known by their arrays (a tensor's NDArray), not by their Tensor objects: `detach()`
 * or a Parameter's view make a new Tensor over the same array, and must name the same value.
 */
import { type ExportForm, type ExportTracer, SkipgradError, Tensor, noGrad, traceForExport } from '@skipgrad/autograd';
import type { Module } from '@skipgrad/nn';
import type { NDArray } from '@skipgrad/tensor';

/** One op as it ran. */
export interface TracedOp {
  op: string;
  form: ExportForm | undefined;
  inputs: readonly Tensor[];
  output: Tensor;
  /** The module whose forward ran it ('' for the model itself, or ops outside any module). */
  path: string;
}

export interface Trace {
  ops: TracedOp[];
  /** The op that made each value. */
  producer: Map<NDArray, TracedOp>;
  outputs: Tensor[];
}

export type Model = Module | ((...inputs: Tensor[]) => Tensor | readonly Tensor[]);

/** Runs `model` on `inputs` once, recording every op. Modules run in eval mode and are put back as they were. */
export function traceModel(model: Model, inputs: readonly Tensor[]): Trace {
  const ops: TracedOp[] = [];
  const producer = new Map<NDArray, TracedOp>();
  const path: string[] = [''];
  const tracer: ExportTracer = {
    record(op, form, opInputs, output) {
      const traced = { op, form, inputs: [...opInputs], output, path: path[path.length - 1]! };
      ops.push(traced);
      producer.set(output.data, traced);
    },
  };
  const run = (): Tensor | readonly Tensor[] => {
    if (typeof model === 'function') return model(...inputs);
    if (inputs.length !== 1) {
      throw new SkipgradError(
        'exportOnnx',
        'inputs',
        'one input tensor for a Module (its forward takes one; wrap the model in a function for more)',
        `${inputs.length} tensors`,
      );
    }
    return model.forward(inputs[0]!);
  };
  const restore = typeof model === 'function' ? () => {} : watchModules(model, path);
  let result: Tensor | readonly Tensor[];
  try {
    result = noGrad(() => traceForExport(tracer, run));
  } finally {
    restore();
  }
  const outputs = result instanceof Tensor ? [result] : Array.isArray(result) ? [...result] : null;
  if (outputs === null || outputs.length === 0 || outputs.some((t) => !(t instanceof Tensor))) {
    throw new SkipgradError(
      'exportOnnx',
      'model',
      'a forward that returns a tensor or a list of tensors',
      String(result),
    );
  }
  return { ops, producer, outputs };
}

/**
 * Puts the model in eval mode and wraps every submodule's forward so the trace knows whose op
 * runs; returns what puts it all back.
 */
function watchModules(model: Module, path: string[]): () => void {
  const modules = [...model.namedModules()];
  const modes = modules.map(([, m]) => m.training);
  model.eval();
  const own = modules.map(([, m]) => Object.getOwnPropertyDescriptor(m, 'forward'));
  for (const [prefix, module] of modules) {
    const forward = module.forward;
    const name = prefix.replace(/\.$/, '');
    Object.defineProperty(module, 'forward', {
      configurable: true,
      writable: true,
      value: function (this: Module, ...args: unknown[]) {
        path.push(name);
        try {
          return (forward as (...a: unknown[]) => Tensor).apply(this, args);
        } finally {
          path.pop();
        }
      },
    });
  }
  return () => {
    modules.forEach(([, m], i) => {
      if (own[i]) Object.defineProperty(m, 'forward', own[i]!);
      else delete (m as unknown as { forward?: unknown }).forward; // the prototype's forward shows through again
      m.training = modes[i]!;
    });
  };
}
