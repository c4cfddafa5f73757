// Graph drawing, backward traces and anomaly mode: what learners use to see inside.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SkipgradError,
  type Tensor,
  cast,
  concat,
  detectAnomaly,
  fromOp,
  gather,
  graphOf,
  maxPool2d,
  renderSvg,
  setAnomalyMode,
  tensor,
  toDot,
  toMermaid,
  traceBackward,
  writeSvg,
  zeros,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

describe('graph export', () => {
  it('DOT of a residual y = x + tanh(x·w), with a named parameter, a constant and the skip edge marked', () => {
    const x = tensor([[1, 2]], f64);
    const w = tensor([[0.5], [0.25]], f64);
    const y = x.add(
      x
        .matmul(w)
        .tanh()
        .mul(tensor(2, { dtype: 'float64' })),
    );
    expect(toDot(y, { names: [['w', w]] })).toMatchInlineSnapshot(`
      "digraph skipgrad {
        rankdir=TB;
        node [fontname="Helvetica", fontsize=11];
        edge [fontname="Helvetica", fontsize=9];
        n0 [label="leaf\\n[1, 2] float64", shape=ellipse, style=filled, fillcolor="#dbe9ff"];
        n1 [label="w\\n[2, 1] float64", shape=ellipse, style=filled, fillcolor="#dff5dc"];
        n2 [label="matmul\\n[1, 1] float64", shape=box, style="rounded,filled", fillcolor="#eef3fb"];
        n3 [label="tanh\\n[1, 1] float64", shape=box, style="rounded,filled", fillcolor="#eef3fb"];
        n4 [label="mul\\n[1, 1] float64", shape=box, style="rounded,filled", fillcolor="#eef3fb"];
        n4c1 [label="constant\\n[] float64", shape=ellipse, style=dashed];
        n5 [label="add\\n[1, 2] float64", shape=box, style="rounded,filled", fillcolor="#eef3fb"];
        n0 -> n2;
        n1 -> n2;
        n2 -> n3;
        n3 -> n4;
        n4c1 -> n4;
        n0 -> n5 [color="#d62728", penwidth=2.5, label="skip"];
        n4 -> n5;
      }"
    `);
  });

  it('Mermaid of a dense skip concat([x, relu(x)])', () => {
    const x = tensor([1, -2], f64);
    expect(toMermaid(concat([x, x.relu()], 0))).toMatchInlineSnapshot(`
      "flowchart TB
        n0(["leaf<br/>[2] float64"])
        n1["relu<br/>[2] float64"]
        n2["concat<br/>[4] float64"]
        n0 --> n1
        n0 ==>|skip| n2
        linkStyle 1 stroke:#d62728,stroke-width:3px
        n1 --> n2"
    `);
  });

  it('skip edges: the shortcut is marked, the path through f is not', () => {
    const x = tensor([1, 2], f64);
    const residual = graphOf(x.add(x.exp()));
    expect(residual.edges.filter((e) => e.skip).map((e) => [e.from, e.to])).toEqual([['n0', 'n2']]);
    const dense = graphOf(concat([x, x.exp().exp()], 0));
    expect(dense.edges.filter((e) => e.skip)).toHaveLength(1);
    const chain = graphOf(x.exp().exp().sum());
    expect(chain.edges.some((e) => e.skip)).toBe(false);
  });

  it('after a traced backward, edges carry gradient norms', () => {
    const x = tensor([3, 4], f64);
    const y = x.mul(2).sum();
    const trace = traceBackward(() => y.backward());
    const { edges } = graphOf(y, { trace });
    // x → mul carries 2·[1, 1]; the constant 2 gets none; mul → sum carries [1, 1].
    expect(edges.map((e) => e.gradNorm)).toEqual([
      expect.closeTo(2 * Math.SQRT2, 12),
      undefined,
      expect.closeTo(Math.SQRT2, 12),
    ]);
    expect(toDot(y, { trace })).toContain('n0 -> n1 [label="‖g‖ 2.83"]');
  });
});

describe('backward trace', () => {
  it('walks a small residual in topological order with the rule and the gradients sent', () => {
    const x = tensor([0, 1], f64);
    const y = x.add(x.mul(3)).sum();
    const trace = traceBackward(() => y.backward());
    expect(trace.steps.map((s) => s.op)).toEqual(['sum', 'add', 'mul']);
    expect(trace.steps[1]!.rule).toBe('da = unbroadcast(dy), db = unbroadcast(dy)');
    expect(trace.steps[2]!.sent[0]!.values).toEqual([3, 3]);
    expect(trace.steps[2]!.sent[1]).toBeNull(); // the constant 3 needs no gradient
    expect(trace.toString()).toMatchInlineSnapshot(`
      "1. sum  dy [] ‖·‖=1 (1)
         rule: da = expand(dy) over the summed axes
         → a: [2] ‖·‖=1.414 (1, 1)
      2. add  dy [2] ‖·‖=1.414 (1, 1)
         rule: da = unbroadcast(dy), db = unbroadcast(dy)
         → a: [2] ‖·‖=1.414 (1, 1)
         → b: [2] ‖·‖=1.414 (1, 1)
      3. mul  dy [2] ‖·‖=1.414 (1, 1)
         rule: da = unbroadcast(dy·b), db = unbroadcast(dy·a)
         → a: [2] ‖·‖=4.243 (3, 3)"
    `);
  });

  it('every built-in op gives its rule to fromOp (a trace never says "custom op" of one); an op of your own shows the rule it gives', () => {
    const x = tensor(
      [
        [0.5, -1.5, 2],
        [1, 0.25, -0.75],
      ],
      f64,
    );
    const w = tensor(
      [
        [1, 0.5],
        [-1, 2],
        [0.5, 0.5],
      ],
      f64,
    );
    const h = concat(
      [
        x.matmul(w).tanh().sigmoid(),
        x
          .slice([
            [0, 2],
            [0, 2],
          ])
          .exp()
          .log()
          .relu()
          .abs()
          .neg(),
      ],
      1,
    )
      .pad([
        [0, 0],
        [1, 1],
      ])
      .reshape([2, 3, 2])
      .permute([1, 0, 2])
      .expand([2, 3, 2, 2])
      .max(0)
      .pow(2)
      .div(tensor(3, f64))
      .sub(x.erf().sum(1, true).unsqueeze(0));
    const y = cast(
      cast(
        gather(
          h,
          2,
          tensor(
            [
              [[0], [1]],
              [[1], [0]],
              [[0], [0]],
            ],
            { dtype: 'float64' },
          ),
        ),
        'float32',
      ),
      'float64',
    )
      .mul(x.sum())
      .sum();
    const trace = traceBackward(() => y.backward());
    const ops = new Set(trace.steps.map((s) => s.op));
    expect(ops.size).toBeGreaterThanOrEqual(20);
    expect(trace.steps.filter((s) => s.rule.startsWith('(custom op')).map((s) => s.op)).toEqual([]);
    const square = (t: typeof x) =>
      fromOp('square', [t], ['a'], t.data.copy(), (dy) => [dy.mul(t).mul(2)], { rule: 'da = 2·dy·a' });
    expect(traceBackward(() => square(x).sum().backward()).steps.map((s) => s.rule)).toEqual([
      'da = expand(dy) over the summed axes',
      'da = 2·dy·a',
    ]);
    expect(() => fromOp('bad', [x], ['a'], x.data, (dy) => [dy], { rule: 3 as never })).toThrow(
      "fromOp: argument 'about.rule' expected a one-line rule (a string), got 3",
    );
  });

  it('is off by default: nothing is recorded outside traceBackward', () => {
    const x = tensor([1], f64);
    const trace = traceBackward(() => undefined);
    x.mul(2).sum().backward();
    expect(trace.steps).toEqual([]);
  });
});

describe('anomaly mode', () => {
  it('names the op whose forward produced a non-finite value: a planted log(0)', () => {
    const x = tensor([1, 0], f64);
    let error: unknown;
    try {
      detectAnomaly(() => x.mul(2).log().sum().backward());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SkipgradError);
    expect((error as SkipgradError).op).toBe('log');
    expect((error as Error).message).toContain(
      "log: argument 'output' expected finite values (anomaly mode), got -Infinity at flat index 1 of shape [2]",
    );
    expect(x.mul(2).log().sum().item()).toBe(-Infinity); // off again afterwards: no error
  });

  it('names the op whose backward produced a non-finite gradient, with where it was created', () => {
    const x = tensor([0, 4], f64);
    let error: unknown;
    try {
      detectAnomaly(() => x.sqrt().sum().backward()); // d√x/dx = ∞ at 0
    } catch (e) {
      error = e;
    }
    // Inside pow's backward, x^(−½) is the first value to overflow.
    expect((error as SkipgradError).op).toBe('pow');
    expect((error as Error).message).toMatch(
      /pow: argument 'output' expected finite values \(anomaly mode\), got Infinity at flat index 0 of shape \[2\] \(in the backward of op 'pow'/,
    );
    expect((error as Error).message).toContain('created at:');
    expect((error as Error).message).toContain('inspect.test.ts');
  });

  it("records where each op was created: the stack from the op's own function down, one frame a line", () => {
    const x = tensor([1, 4], f64);
    function customOp(t: Tensor): Tensor {
      return fromOp('custom', [t], ['a'], t.data, (dy) => [dy]);
    }
    const frames = detectAnomaly(() => customOp(x)).node!.createdAt!.split('\n');
    expect(frames[0]).toMatch(/^ {4}at customOp /);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame).toMatch(/^ {4}at /);
  });

  it('checks what a backward returns, naming the op and the input', () => {
    const x = tensor([1, 2], f64);
    const nanGrad = (t: typeof x) =>
      fromOp('leaky', [t], ['input'], t.data, () => [tensor([NaN, 0], { dtype: 'float64' })]);
    expect(() => detectAnomaly(() => nanGrad(x).sum().backward())).toThrow(
      /leaky: argument 'gradient of input 'input'' expected finite values \(anomaly mode\), got NaN at flat index 0/,
    );
  });

  it('max pooling with padding stays quiet in anomaly mode', () => {
    expect(() => detectAnomaly(() => maxPool2d(zeros([1, 1, 2, 2]).sub(5), 2, { padding: 1 }).sum())).not.toThrow();
    expect(
      maxPool2d(zeros([1, 1, 2, 2], { dtype: 'float64' }).sub(1e300), 2, { stride: 1, padding: 1 }).toArray(),
    ).toEqual([
      [
        [
          [-1e300, -1e300, -1e300],
          [-1e300, -1e300, -1e300],
          [-1e300, -1e300, -1e300],
        ],
      ],
    ]);
  });
});

describe('bad input to the tools', () => {
  it('names the tool and the argument', async () => {
    expect(() => toDot(3 as never)).toThrow("toDot: argument 'output' expected a Tensor, got 3");
    expect(() => toMermaid('y' as never)).toThrow(/toMermaid: argument 'output' expected a Tensor, got "y"/);
    expect(() => traceBackward(undefined as never)).toThrow(
      "traceBackward: argument 'fn' expected a function to run, got undefined",
    );
    expect(() => detectAnomaly(5 as never)).toThrow("detectAnomaly: argument 'fn' expected a function to run, got 5");
    expect(() => setAnomalyMode('on' as never)).toThrow('setAnomalyMode: argument \'on\' expected a boolean, got "on"');
    await expect(renderSvg(null as never)).rejects.toThrow(/renderSvg: argument 'output' expected a Tensor, got null/);
  });
});

describe('SVG rendering (Graphviz in WebAssembly)', () => {
  it('renders one SVG node per graph node, skip edges in red', async () => {
    const x = tensor([1, 2], f64);
    const y = x.add(x.tanh());
    const svg = await renderSvg(y);
    expect(svg.startsWith('<?xml') || svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="node"/g)).toHaveLength(graphOf(y).nodes.length);
    expect(svg).toContain('stroke="#d62728"');
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-svg-'));
    try {
      await writeSvg(y, join(dir, 'g.svg'));
      expect(readFileSync(join(dir, 'g.svg'), 'utf8')).toBe(svg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
