// The words and shapes of the inspect tools' output: Mermaid's node shapes for parameters and
// constants, gradient-norm labels (zero included), a custom op's rule in a trace, long gradients
// cut short, the refusals of `names`, where anomaly mode says an op was created, and the browser
// bundle's refusal to write a file.
import { expect, test } from 'vitest';
import { writeText as writeTextInABrowser } from '../src/inspect/files.browser.js';
import {
  detectAnomaly,
  fromOp,
  graphOf,
  renderSvg,
  tensor,
  toDot,
  toMermaid,
  traceBackward,
  writeSvg,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

test('Mermaid: a named parameter in [[ ]], a constant in > ], every edge with its gradient norm, 0 written 0', () => {
  const x = tensor([[1, 2]], f64);
  const w = tensor([[0.5], [0.25]], f64);
  const y = x
    .matmul(w)
    .mul(tensor(0, { dtype: 'float64' }))
    .sum();
  const trace = traceBackward(() => y.backward());
  expect(toMermaid(y, { names: [['w', w]], trace })).toBe(
    [
      'flowchart TB',
      '  n0(["leaf<br/>[1, 2] float64"])',
      '  n1[["w<br/>[2, 1] float64"]]',
      '  n2["matmul<br/>[1, 1] float64"]',
      '  n3["mul<br/>[1, 1] float64"]',
      '  n3c1>"constant<br/>[] float64"]',
      '  n4["sum<br/>[] float64"]',
      '  n0 -->|‖g‖ 0| n2',
      '  n1 -->|‖g‖ 0| n2',
      '  n2 -->|‖g‖ 0| n3',
      '  n3c1 --> n3',
      '  n3 -->|‖g‖ 1.00| n4',
    ].join('\n'),
  );
});

test("a trace names a custom op's rule as its own backward, and cuts long gradients short", () => {
  const z = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], f64);
  const twice = fromOp('twice', [z], ['a'], z.data, (dy) => [dy.mul(2)]);
  expect(traceBackward(() => twice.sum().backward()).toString()).toBe(
    [
      '1. sum  dy [] ‖·‖=1 (1)',
      '   rule: da = expand(dy) over the summed axes',
      '   → a: [10] ‖·‖=3.162 (1, 1, 1, 1, …)',
      '2. twice  dy [10] ‖·‖=3.162 (1, 1, 1, 1, …)',
      '   rule: (custom op: its own backward)',
      '   → a: [10] ‖·‖=6.325 (2, 2, 2, 2, …)',
    ].join('\n'),
  );
});

test('names must be [name, Tensor] pairs, refused by index', () => {
  const y = tensor([1], f64).exp();
  expect(() => toDot(y, { names: [['w', 3]] as never })).toThrow(
    "toDot: argument 'names[0]' expected a [name, Tensor] pair (what a module's namedParameters() yields), got an array of length 2",
  );
  expect(() => toMermaid(y, { names: 3 as never })).toThrow(
    "toMermaid: argument 'names' expected an iterable of [name, Tensor] pairs (a module's namedParameters()), got 3",
  );
});

test('anomaly mode says when an op was created before it was switched on', () => {
  const a = tensor([1], f64);
  const bad = fromOp('bad', [a], ['a'], a.data, (dy) => [dy.mul(NaN)]);
  expect(() => detectAnomaly(() => bad.sum().backward())).toThrow(
    "(in the backward of op 'bad', created at:\n(created before anomaly mode was on))",
  );
});

test('in a browser bundle, writing a file is refused by name (there is no file system)', async () => {
  await expect(writeTextInABrowser('writeSvg', 'graph.svg', '<svg/>')).rejects.toThrow(
    "writeSvg: argument 'path' expected a file system (Node); in a browser, use renderSvg and save the string yourself, got 'graph.svg'",
  );
});

test('anomaly mode: a forward NaN names the first op to produce one, also after a failing backward', () => {
  const a = tensor([1], f64);
  const bad = fromOp('bad', [a], ['a'], a.data, (dy) => [dy.mul(NaN)]);
  expect(() => detectAnomaly(() => bad.sum().backward())).toThrow("in the backward of op 'bad'");
  expect(() => detectAnomaly(() => tensor([-1], f64).log())).toThrow(
    "log: argument 'output' expected finite values (anomaly mode), got NaN at flat index 0 of shape [1] (the first op to produce one)",
  );
  // A backward that returns more gradients than its op has inputs: the extra one is not checked.
  const nan = tensor([NaN], f64);
  const extra = fromOp('extra', [a], ['a'], a.data, (dy) => [dy, nan]);
  detectAnomaly(() => extra.sum().backward());
});

test('graph edges carry a gradient norm only where a trace gave one', () => {
  const x = tensor([1, 2], f64);
  const y = x.mul(tensor(3, { dtype: 'float64' })).sum();
  expect(graphOf(y).edges.every((e) => !('gradNorm' in e))).toBe(true);
  const trace = traceBackward(() => y.backward());
  const edges = graphOf(y, { trace }).edges;
  expect(edges.map((e) => 'gradNorm' in e)).toEqual([true, false, true]); // x → mul, the constant → mul, mul → sum
  expect(trace.normOf(y.node!, 5)).toBeUndefined();
  expect(trace.normOf(x.mul(2).node!, 0)).toBeUndefined(); // a node the trace never saw
});

test('a skip edge with a gradient norm is labelled with both, in DOT and in Mermaid', () => {
  const x = tensor([1, 2], f64);
  const y = x.add(x.tanh()).sum();
  const trace = traceBackward(() => y.backward());
  expect(toDot(y, { trace })).toMatch(/n0 -> n2 \[color="#d62728", penwidth=2\.5, label="skip ‖g‖ 1\.41"\];/);
  expect(toMermaid(y, { trace })).toContain('n0 ==>|skip ‖g‖ 1.41| n2');
});

test('names with a double quote are escaped in Mermaid; a pair needs a string name and a Tensor', () => {
  const w = tensor([1], f64);
  const y = w.exp();
  expect(toMermaid(y, { names: [['my "w"', w]] })).toContain('n0[["my #quot;w#quot;<br/>[1] float64"]]');
  for (const pair of [[3, w], 'w', [w, 'w']]) {
    expect(() => toDot(y, { names: [pair] as never })).toThrow(
      "toDot: argument 'names[0]' expected a [name, Tensor] pair",
    );
  }
  expect(() => graphOf(y, {}, 3 as never)).toThrow(
    "graphOf: argument 'op' expected the name its errors use (a string), got 3",
  );
});

test('renderSvg renders a DOT string as given; writeSvg refuses a path that is not a string', async () => {
  expect(await renderSvg('digraph { a -> b }')).toContain('<svg');
  await expect(renderSvg(3 as never)).rejects.toThrow("renderSvg: argument 'output' expected a Tensor, got 3");
  await expect(writeSvg('digraph { a }', 3 as never)).rejects.toThrow(
    "writeSvg: argument 'path' expected a file path, got 3",
  );
});
