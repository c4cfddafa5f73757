/**
 * Each public function's contract for the fuzz suite, as PyTorch's OpInfo entries: what a call
 * with arbitrary arguments may end in. By default every function and class of @skipgrad/autograd
 * @skipgrad/nn and @skipgrad/onnx is fuzzed (generated from the namespaces, so a new export is fuzzed without
 * being listed here) and must either return a well-formed result — a Tensor with a valid shape
 * and dtype, finite where `finite` says so, its tensor inputs unchanged — or throw a
 * SkipgradError naming the function called (or one of its `names`).
 */
export interface Contract {
  /** Not fuzzed, and why (a function that changes global state would disturb every later call). */
  skip?: string;
  /** Error names accepted besides the function's own (e.g. a class's constructor and its forward). */
  names?: readonly string[];
  /** Finite tensor inputs give a finite result. */
  finite?: boolean;
  /** The argument (by position) that names the errors — a helper that reports under its caller's name. */
  opArgument?: number;
  /** It runs a model it is given: that model's layers may refuse the input under their own names. */
  runsModel?: boolean;
}

export const CONTRACTS: Record<string, Contract> = {
  // global state
  setBackend: { skip: 'replaces the backend every later call runs on' },
  manualSeed: { skip: 'reseeds the global generator (harmless, but makes calls depend on order)' },
  setAnomalyMode: { skip: 'turns anomaly mode on for every later call' },
  // asynchronous and file-system functions are checked by their own tests
  renderSvg: { skip: 'asynchronous (tests/bad-input.test.ts and inspect tests)' },
  writeSvg: { skip: 'writes files' },
  saveModel: { skip: 'writes files' },
  loadModel: { skip: 'reads files (tests/bad-input.test.ts)' },
  saveOnnx: { skip: 'writes files (packages/onnx/test/export.test.ts)' },
  // exporters and tracers run the model or function they are given
  exportOnnx: { runsModel: true },
  traceForExport: { runsModel: true },
  // finite in, finite out
  add: { finite: true },
  sub: { finite: true },
  mul: { finite: true },
  neg: { finite: true },
  relu: { finite: true },
  tanh: { finite: true },
  sigmoid: { finite: true },
  abs: { finite: true },
  matmul: { finite: true },
  linear: { finite: true },
  concat: { finite: true },
  reshape: { finite: true },
  permute: { finite: true },
  transpose: { finite: true },
  sum: { finite: true },
  // helpers that report under the name their caller passes
  checkInput: { opArgument: 0 },
  checkTensor: { opArgument: 0 },
  attentionWeights: { opArgument: 3 },
  graphOf: { opArgument: 2 },
  fans: { opArgument: 1 },
  Optimizer: { opArgument: 0 },
  Adam: { opArgument: 2 },
  // a composite that reports its inner resize under its own name's twin
  Upsample: { names: ['interpolate', 'upsampleNearest'] },
};

export function contractOf(name: string): Contract {
  return CONTRACTS[name] ?? {};
}
