// The file itself: what exportOnnx writes (read back with the same schema), the names it gives,
// the rules ONNX's checker enforces, several inputs and outputs, your own op's form, saveOnnx,
// and every bad input refused by name with nothing written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  Generator,
  type Tensor,
  exportedAs,
  fromOp,
  getBackend,
  maskedSelect,
  noGrad,
  randn,
  tensor,
  traceForExport,
  unfold,
} from '@skipgrad/autograd';
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MultiheadAttention,
  ReLU,
  Sequential,
  TransformerEncoderLayer,
  mlp,
} from '@skipgrad/nn';
import { exportOnnx, saveOnnx } from '../src/index.js';
import { ModelProto } from '../src/schema.js';
import { runOnnx } from './support.js';

interface Decoded {
  irVersion: number;
  opsetImport: { version: number }[];
  producerName: string;
  docString?: string;
  graph: {
    node: { opType: string; input: string[]; output: string[] }[];
    initializer: { name: string; dims: number[]; dataType: number }[];
    input: {
      name: string;
      type: { tensorType: { elemType: number; shape: { dim: { dimValue?: number; dimParam?: string }[] } } };
    }[];
    output: { name: string; type: { tensorType: { shape: { dim: { dimValue?: number; dimParam?: string }[] } } } }[];
  };
}
const decode = (bytes: Uint8Array): Decoded =>
  ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true }) as unknown as Decoded;

const g = (): Generator => new Generator(5);
const convNet = (): Sequential =>
  new Sequential(
    new Conv2d(3, 4, 3, { padding: 1, generator: g() }),
    new BatchNorm2d(4),
    new ReLU(),
    new Flatten(),
    new Linear(4 * 6 * 6, 2, { generator: g() }),
  );

describe('the ONNX file', () => {
  it('names every weight as the state dict does, and holds nothing else but the constants the ops need', () => {
    const model = convNet();
    const bytes = exportOnnx(model, randn([1, 3, 6, 6], { generator: g() }), { docString: 'a small conv net' });
    const m = decode(bytes);
    expect([m.irVersion, m.opsetImport[0]!.version, m.producerName, m.docString]).toEqual([
      8,
      17,
      'skipgrad',
      'a small conv net',
    ]);
    const names = m.graph.initializer.map((t) => t.name);
    for (const [name, array] of model.stateDict()) {
      if (name.endsWith('num_batches_tracked')) continue; // a counter eval mode never reads
      const init = m.graph.initializer.find((t) => t.name === name);
      expect(init, name).toBeDefined();
      expect(init!.dims).toEqual(array.shape);
      expect(init!.dataType).toBe(1); // FLOAT
    }
    expect(
      names.filter((n) => !model.stateDict().has(n)).every((n) => n.includes('/') || n.startsWith('constant_')),
    ).toBe(true);
    expect(m.graph.node.map((n) => n.opType)).toEqual([
      'Conv',
      'Reshape',
      'Add',
      'BatchNormalization',
      'Relu',
      'Reshape',
      'Transpose',
      'MatMul',
      'Add',
    ]);
  });

  it("follows the checker's rules: nodes in topological order, every value named once, every initializer typed", () => {
    const m = decode(
      exportOnnx(
        mlp({ inFeatures: 4, width: 6, depth: 3, classes: 2, kind: 'highway', generator: g() }),
        randn([2, 4], { generator: g() }),
      ),
    );
    const defined = new Set([...m.graph.input.map((i) => i.name), ...m.graph.initializer.map((t) => t.name)]);
    for (const node of m.graph.node) {
      for (const input of node.input)
        if (input !== '') expect(defined.has(input), `${node.opType} reads ${input} before it is made`).toBe(true);
      for (const output of node.output) {
        expect(defined.has(output), `${output} made twice`).toBe(false);
        defined.add(output);
      }
    }
    expect(m.graph.output.every((o) => defined.has(o.name))).toBe(true);
    expect(m.graph.initializer.every((t) => t.dataType > 0 && t.name !== '')).toBe(true);
    expect(new Set(m.graph.initializer.map((t) => t.name)).size).toBe(m.graph.initializer.length);
  });

  it("a dynamic batch: the inputs' and outputs' first axis is the symbol 'batch'; names as asked", async () => {
    const model = mlp({ inFeatures: 3, width: 5, depth: 2, classes: 2, kind: 'residual', generator: g() });
    const bytes = exportOnnx(model, randn([4, 3], { generator: g() }), {
      dynamicBatch: true,
      inputNames: ['pixels'],
      outputNames: ['logits'],
    });
    const m = decode(bytes);
    expect(
      m.graph.input.map((i) => [i.name, i.type.tensorType.shape.dim.map((d) => d.dimParam || d.dimValue)]),
    ).toEqual([['pixels', ['batch', 3]]]);
    expect(
      m.graph.output.map((o) => [o.name, o.type.tensorType.shape.dim.map((d) => d.dimParam || d.dimValue)]),
    ).toEqual([['logits', ['batch', 2]]]);
    const session = await ort.InferenceSession.create(bytes);
    expect([session.inputNames, session.outputNames]).toEqual([['pixels'], ['logits']]);
  });

  it('a function of several tensors with several outputs: cross-attention with a causal mask, and its weights', async () => {
    const mha = new MultiheadAttention(8, 2, { generator: g() });
    mha.eval();
    const f = (q: Tensor, kv: Tensor): Tensor[] => {
      const { output, weights } = mha.attend(q, kv, kv, { causal: true, needWeights: true });
      return [output, weights!];
    };
    const [q, kv] = [randn([2, 4, 8], { generator: g() }), randn([2, 4, 8], { generator: g() })];
    const bytes = exportOnnx(f, [q, kv], { inputNames: ['query', 'memory'], outputNames: ['attended', 'weights'] });
    const session = await ort.InferenceSession.create(bytes);
    const feed = {
      query: new ort.Tensor('float32', Float32Array.from(q.data.toTypedArray()), [2, 4, 8]),
      memory: new ort.Tensor('float32', Float32Array.from(kv.data.toTypedArray()), [2, 4, 8]),
    };
    const out = await session.run(feed);
    const [y, w] = noGrad(() => f(q, kv));
    for (const [got, want] of [
      [out.attended!, y!],
      [out.weights!, w!],
    ] as const) {
      expect(got.dims).toEqual(want.shape);
      const values = want.data.toTypedArray();
      (got.data as Float32Array).forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThan(1e-5));
    }
    expect(decode(bytes).graph.node.map((n) => n.opType)).toContain('Softmax');
  });

  it("a transformer layer is written with ONNX's own operators: LayerNormalization, Softmax, MatMul, Erf for GELU", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: 'gelu', generator: g() });
    const ops = new Set(
      decode(exportOnnx(layer, randn([2, 3, 8], { generator: g() }))).graph.node.map((n) => n.opType),
    );
    for (const op of ['LayerNormalization', 'Softmax', 'MatMul', 'Erf', 'Transpose', 'Reshape'])
      expect(ops.has(op), op).toBe(true);
    expect(ops.has('ReduceMean')).toBe(false); // no norm left decomposed
  });

  it('your own op exports with the form you give fromOp (its last argument, { onnx })', async () => {
    const square = (t: Tensor): Tensor =>
      fromOp('square', [t], ['a'], getBackend().binary('mul', t.data, t.data), (dy) => [dy.mul(t).mul(2)], {
        rule: 'da = 2·dy·a',
        onnx: { op: 'Mul', inputs: [0, 0] },
      });
    const x = randn([3, 2], { generator: g() });
    const got = await runOnnx(
      exportOnnx((t: Tensor) => square(t).add(1), x),
      x,
    );
    expect(Array.from(got.values)).toEqual(Array.from(x.mul(x).add(1).data.toTypedArray()));
  });

  it('saveOnnx writes the file (and the model is put back in training mode, its forwards unwrapped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-onnx-'));
    try {
      const model = convNet();
      const path = join(dir, 'model.onnx');
      await saveOnnx(model, randn([1, 3, 6, 6], { generator: g() }), path);
      expect(readFileSync(path)).toEqual(Buffer.from(exportOnnx(model, randn([1, 3, 6, 6], { generator: g() }))));
      expect(
        [...model.namedModules()].every(([, m]) => m.training && !Object.prototype.hasOwnProperty.call(m, 'forward')),
      ).toBe(true);
      const bad = join(dir, 'bad.onnx');
      await expect(saveOnnx((t: Tensor) => maskedSelect(t, tensor([1, 0, 1, 1])), randn([4]), bad)).rejects.toThrow(
        /maskedSelect/,
      );
      expect(existsSync(bad)).toBe(false); // nothing written when the export fails
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad input is refused by name', () => {
  const x = randn([2, 4], { generator: g() });
  const linear = new Linear(4, 3, { generator: g() });
  it.each([
    [
      'an unknown opset',
      () => exportOnnx(linear, x, { opset: 13 }),
      "exportOnnx: argument 'opset' expected 17 (the opset this exporter writes), got 13",
    ],
    ['an unknown option', () => exportOnnx(linear, x, { batch: true } as never), /exportOnnx: .*'batch'/],
    [
      'no inputs',
      () => exportOnnx(linear, []),
      "exportOnnx: argument 'inputs' expected a tensor or a non-empty list of tensors to trace the forward with",
    ],
    [
      'a model that is neither',
      () => exportOnnx({} as never, x),
      "exportOnnx: argument 'model' expected an nn Module or a function of tensors",
    ],
    ['an input of the wrong shape', () => exportOnnx(linear, randn([2, 5])), /^Linear: argument 'x'|^matmul: /],
    [
      'two inputs to a Module',
      () => exportOnnx(linear, [x, x]),
      "exportOnnx: argument 'inputs' expected one input tensor for a Module",
    ],
    [
      'names of the wrong count',
      () => exportOnnx(linear, x, { outputNames: ['a', 'b'] }),
      "exportOnnx: argument 'outputNames' expected 1 distinct non-empty names",
    ],
    [
      'a data-dependent shape (maskedSelect)',
      () =>
        exportOnnx(
          (t: Tensor) =>
            maskedSelect(
              t,
              tensor([
                [1, 0, 1, 0],
                [0, 0, 1, 1],
              ]),
            ),
          x,
        ),
      "exportOnnx: argument 'model' expected ops that have an ONNX form, got 'maskedSelect', which has none (its output size depends on the data; select with where() and a fixed shape instead)",
    ],
    [
      'an op with no ONNX operator, named with its module',
      () => exportOnnx(new Sequential(new Linear(4, 4), new Unfolding()), x),
      /^exportOnnx: argument 'model' expected ops that have an ONNX form, got 'unfold' in module '1', which has none \(unfold \(im2col\) has no ONNX operator/,
    ],
    [
      'a reshape that folds the batch away, with a dynamic batch',
      () => exportOnnx((t: Tensor) => t.reshape([-1]), x, { dynamicBatch: true }),
      "exportOnnx: argument 'dynamicBatch' expected reshapes that keep the batch axis first and whole, got a reshape of [2, 4] to [8] (export with a fixed batch (dynamicBatch: false))",
    ],
  ] as const)('%s', (_, call, message) => {
    expect(call).toThrow(message as string | RegExp);
  });
});

describe('the export hooks refuse bad input by name', () => {
  const x = randn([2], { generator: g() });
  it('saveOnnx needs a path; exportedAs an op name, tensors and a body returning { output, form }; traceForExport a tracer and a function', async () => {
    await expect(saveOnnx(new Linear(2, 1), x, 3 as never)).rejects.toThrow(
      "saveOnnx: argument 'path' expected a file path, got 3",
    );
    expect(() => exportedAs('', [x], () => ({ output: x, form: null }))).toThrow(
      "exportedAs: argument 'op' expected an op name (a string)",
    );
    expect(() => exportedAs('double', [1 as never], () => ({ output: x, form: null }))).toThrow(
      "exportedAs: argument 'inputs' expected an array of Tensors",
    );
    expect(() => exportedAs('double', [x], () => x as never)).toThrow(
      "exportedAs: argument 'body' expected a function returning { output: Tensor, form: an ONNX form or null }",
    );
    expect(() => traceForExport({} as never, () => 1)).toThrow(
      "traceForExport: argument 'tracer' expected an object with a record(op, form, inputs, output) method",
    );
    expect(() => traceForExport({ record: () => {} }, 5 as never)).toThrow("traceForExport: argument 'fn'");
    expect(() => fromOp('bad', [x], ['a'], x.data, (dy) => [dy], { onnx: { attributes: {} } as never })).toThrow(
      "fromOp: argument 'about.onnx' expected an ONNX form { op, inputs?, attributes? } (or nothing)",
    );
  });
});

class Unfolding extends Sequential {
  override forward(t: Tensor): Tensor {
    return unfold(t.reshape([2, 1, 2, 2]), [2, 2]).reshape([2, 4]);
  }
}
