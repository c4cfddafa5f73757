// What an exporter sees (traceForExport, exportedAs) and what fromOp — the one door every op is
// recorded through — refuses. The ONNX package tests the exported graphs; these test the engine's
// side: who is reported, in which order, with which form, and the errors by name.
import { describe, expect, test } from 'vitest';
import {
  type ExportForm,
  type Tensor,
  exportedAs,
  fromOp,
  maskedSelect,
  traceForExport,
  tensor,
} from '../src/index.js';

interface Seen {
  op: string;
  form: ExportForm | undefined;
  inputs: readonly Tensor[];
  output: Tensor;
}

function trace<T>(fn: () => T): { seen: Seen[]; result: T } {
  const seen: Seen[] = [];
  const result = traceForExport({ record: (op, form, inputs, output) => seen.push({ op, form, inputs, output }) }, fn);
  return { seen, result };
}

const double = (t: Tensor): Tensor =>
  exportedAs('double', [t], () => ({ output: t.add(t).mul(1), form: { op: 'Add', inputs: [0, 0] } }));

describe('traceForExport', () => {
  test('reports every op that runs, in order, with its form, inputs and output', () => {
    const x = tensor([1, 2]);
    const { seen, result } = trace(() => x.exp().sum());
    expect(seen.map((s) => s.op)).toEqual(['exp', 'sum']);
    expect(seen[0]!.inputs).toEqual([x]);
    expect(seen[1]!.inputs).toEqual([seen[0]!.output]);
    expect(seen[1]!.output).toBe(result);
    expect(seen[0]!.form).toEqual({ op: 'Exp' });
  });

  test('an op whose output size depends on values is reported as itself, over its input, with no form', () => {
    const x = tensor([1, 2, 3]);
    const { seen, result } = trace(() => maskedSelect(x, tensor([1, 0, 1])));
    expect(seen.map((s) => [s.op, s.form, s.inputs])).toEqual([['maskedSelect', undefined, [x]]]);
    expect(seen[0]!.output).toBe(result);
  });

  test('nothing is reported outside it, and nested tracers are restored', () => {
    const outer: string[] = [];
    const inner: string[] = [];
    tensor([1]).neg(); // no tracer: nothing to tell
    traceForExport({ record: (op) => outer.push(op) }, () => {
      tensor([1]).exp();
      traceForExport({ record: (op) => inner.push(op) }, () => tensor([1]).neg());
      tensor([1]).abs();
    });
    tensor([1]).sqrt();
    expect(outer).toEqual(['exp', 'abs']);
    expect(inner).toEqual(['neg']);
  });

  test('the tracer is restored when fn throws', () => {
    const seen: string[] = [];
    expect(() =>
      traceForExport({ record: (op) => seen.push(op) }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    tensor([1]).exp();
    expect(seen).toEqual([]);
  });

  test('refuses a tracer without record, and a fn that is not a function, by name', () => {
    for (const bad of [null, 3, {}, { record: 1 }]) {
      expect(() => traceForExport(bad as never, () => 0)).toThrow(
        `traceForExport: argument 'tracer' expected an object with a record(op, form, inputs, output) method, got`,
      );
    }
    expect(() => traceForExport({ record: () => undefined }, 5 as never)).toThrow(
      "traceForExport: argument 'fn' expected a function",
    );
  });
});

describe('exportedAs', () => {
  test('without a tracer it is just the body', () => {
    expect(double(tensor([1, 2])).toArray()).toEqual([2, 4]);
  });

  test('while tracing, the composite is reported once, over its own inputs, and the ops inside are not', () => {
    const x = tensor([1, 2]);
    const { seen, result } = trace(() => double(x).exp());
    expect(seen.map((s) => s.op)).toEqual(['double', 'exp']);
    expect(seen[0]!.form).toEqual({ op: 'Add', inputs: [0, 0] });
    expect(seen[0]!.inputs).toEqual([x]);
    expect(seen[0]!.output.toArray()).toEqual([2, 4]);
    expect((result.toArray() as number[])[0]).toBeCloseTo(Math.exp(2), 5);
  });

  test('a composite inside a composite is hidden by the outer one; the ops after it are reported again', () => {
    const x = tensor([1, 2]);
    const quadruple = (t: Tensor): Tensor =>
      exportedAs('quadruple', [t], () => ({ output: double(double(t)), form: { op: 'Mul' } }));
    const { seen } = trace(() => quadruple(x).neg());
    expect(seen.map((s) => s.op)).toEqual(['quadruple', 'neg']);
  });

  test('a form of null is reported as no form (an exporter refuses the op by name)', () => {
    const { seen } = trace(() => exportedAs('hostOnly', [], () => ({ output: tensor([1]).exp(), form: null })));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.op).toBe('hostOnly');
    expect(seen[0]!.form).toBeUndefined();
  });

  test('a body that throws leaves the ops after it reported', () => {
    const { seen } = trace(() => {
      expect(() =>
        exportedAs('broken', [], () => {
          throw new Error('inside');
        }),
      ).toThrow('inside');
      return tensor([1]).exp();
    });
    expect(seen.map((s) => s.op)).toEqual(['exp']);
  });

  test('refuses bad arguments and a body that returns something else, by name, traced or not', () => {
    const x = tensor([1]);
    expect(() => exportedAs(3 as never, [x], () => ({ output: x, form: null }))).toThrow(
      "exportedAs: argument 'op' expected an op name (a string), got 3",
    );
    expect(() => exportedAs('op', [x, 2] as never, () => ({ output: x, form: null }))).toThrow(
      "exportedAs: argument 'inputs' expected an array of Tensors, got",
    );
    expect(() => exportedAs('op', x as never, () => ({ output: x, form: null }))).toThrow(
      "exportedAs: argument 'inputs' expected an array of Tensors",
    );
    expect(() => exportedAs('op', [x], null as never)).toThrow("exportedAs: argument 'body' expected a function");
    const returning = 'a function returning { output: Tensor, form: an ONNX form or null }';
    for (const run of [(f: () => unknown) => f(), (f: () => unknown) => trace(f)]) {
      const bads = [
        null,
        undefined,
        7,
        { output: 1, form: null },
        { output: x },
        { output: x, form: { op: 1 } },
        { output: x, form: 3 },
      ];
      for (const bad of bads) {
        expect(() => run(() => exportedAs('op', [x], () => bad as never))).toThrow(
          `exportedAs: argument 'body' expected ${returning}, got`,
        );
      }
    }
  });
});

describe('fromOp', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const pass = (dy: Tensor): (Tensor | null)[] => [dy];

  test('records a node with the inputs named, and tells a tracer its form', () => {
    const { seen, result } = trace(() => fromOp('twin', [x], ['a'], x.data, pass, { onnx: { op: 'Identity' } }));
    expect(seen).toEqual([{ op: 'twin', form: { op: 'Identity' }, inputs: [x], output: result }]);
    expect(result.node!.op).toBe('twin');
    expect(result.node!.inputs.map((i) => i.name)).toEqual(['a']);
    expect(result.requiresGrad).toBe(true);
    const { seen: plain } = trace(() => fromOp('plain', [x], ['a'], x.data, pass));
    expect(plain[0]!.form).toBeUndefined();
  });

  test('refuses each bad argument by name', () => {
    const y =
      (...args: unknown[]) =>
      () =>
        (fromOp as (...a: unknown[]) => Tensor)(...args);
    expect(y(1, [x], ['a'], x.data, pass)).toThrow("fromOp: argument 'op' expected an op name (a string), got 1");
    expect(y('op', [1], ['a'], x.data, pass)).toThrow("fromOp: argument 'inputs' expected an array of Tensors, got");
    expect(y('op', x, ['a'], x.data, pass)).toThrow("fromOp: argument 'inputs' expected an array of Tensors, got");
    expect(y('op', [x], [], x.data, pass)).toThrow(
      "fromOp: argument 'names' expected 1 argument names (one per input), got an array of length 0",
    );
    expect(y('op', [x], [3], x.data, pass)).toThrow("fromOp: argument 'names' expected 1 argument names");
    expect(y('op', [x, x], ['a', 3], x.data, pass)).toThrow("fromOp: argument 'names' expected 2 argument names");
    expect(y('op', [x, 1], ['a', 'b'], x.data, pass)).toThrow("fromOp: argument 'inputs' expected an array of Tensors");
    expect(y('op', [x], 'a', x.data, pass)).toThrow("fromOp: argument 'names' expected 1 argument names");
    expect(y('op', [x], ['a'], [1, 2], pass)).toThrow(
      "fromOp: argument 'data' expected the op's result (an NDArray), got",
    );
    expect(y('op', [x], ['a'], x.data, 'dy')).toThrow("fromOp: argument 'backward' expected a function");
    expect(y('op', [x], ['a'], x.data, pass, null)).toThrow(
      "fromOp: argument 'about' expected an object { rule?, onnx? } (or nothing), got null",
    );
    expect(y('op', [x], ['a'], x.data, pass, 'rule')).toThrow("fromOp: argument 'about' expected an object");
    expect(y('op', [x], ['a'], x.data, pass, { rule: 2 })).toThrow(
      "fromOp: argument 'about.rule' expected a one-line rule (a string), got 2",
    );
    for (const onnx of [null, 'Add', { op: 3 }]) {
      expect(y('op', [x], ['a'], x.data, pass, { onnx })).toThrow(
        "fromOp: argument 'about.onnx' expected an ONNX form { op, inputs?, attributes? } (or nothing), got",
      );
    }
  });

  test('a rule given is kept on the node; an op over constants records no node', () => {
    const r = fromOp('ruled', [x], ['a'], x.data, pass, { rule: 'da = dy' });
    expect(r.node!.rule).toBe('da = dy');
    const c = tensor([3]);
    const constant = fromOp('constant', [c], ['a'], c.data, pass);
    expect(constant.node).toBeNull();
    expect(constant.requiresGrad).toBe(false);
  });
});
