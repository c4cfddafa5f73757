/**
 * An opt-in trace of a backward pass. With tracing on, the engine reports each node it runs,
 * in topological order: the upstream gradient it received (shape, norm, first values), the
 * rule it applied, and the gradient it sent to each input. Off by default, and then free:
 * the engine checks one variable per node.
 *
 * @example
 * const trace = traceBackward(() => y.sum().backward());
 * console.log(trace.toString());
 */
import { formatShape } from '@skipgrad/tensor';
import type { Node } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { checkFunction } from './anomaly.js';

export interface GradientSummary {
  shape: number[];
  norm: number;
  /** Up to the first four values. */
  values: number[];
}

export interface TraceStep {
  node: Node;
  op: string;
  rule: string;
  upstream: GradientSummary;
  /** What went to each input; null where no gradient was needed or sent. */
  sent: (({ input: string } & GradientSummary) | null)[];
}

export interface BackwardTrace {
  steps: TraceStep[];
  /** The norm of the gradient a node sent to its input `index`, if traced. */
  normOf(node: Node, index: number): number | undefined;
  toString(): string;
}

type Listener = (node: Node, dy: Tensor, sent: readonly (Tensor | null | undefined)[]) => void;

let listener: Listener | null = null;

/** Called by the engine for each node it runs (only while a trace is being recorded). */
export function traceListener(): Listener | null {
  return listener;
}

export function summarise(t: Tensor): GradientSummary {
  const values = t.data.toTypedArray();
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += values[i]! * values[i]!;
  return { shape: [...t.shape], norm: Math.sqrt(sq), values: Array.from(values.subarray(0, 4)) };
}

/**
 * Runs `fn` (which calls backward or grad) with tracing on and returns what was traced.
 *
 * @example
 * traceBackward(() => x.mul(2).sum().backward()).steps.map((s) => s.op); // ['sum', 'mul']
 */
export function traceBackward(fn: () => void): BackwardTrace {
  checkFunction('traceBackward', fn);
  const steps: TraceStep[] = [];
  const previous = listener;
  listener = (node, dy, sent) => {
    steps.push({
      node,
      op: node.op,
      rule: node.rule ?? '(custom op: its own backward)',
      upstream: summarise(dy),
      sent: node.inputs.map((input, i) => {
        const g = sent[i];
        return g ? { input: input.name, ...summarise(g) } : null;
      }),
    });
  };
  try {
    fn();
  } finally {
    listener = previous;
  }
  return {
    steps,
    normOf: (node, index) => steps.find((s) => s.node === node)?.sent[index]?.norm,
    toString: () => formatTrace(steps),
  };
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
const show = (g: GradientSummary): string =>
  `${formatShape(g.shape)} ‖·‖=${fmt(g.norm)} (${g.values.map(fmt).join(', ')}${g.values.length < g.shape.reduce((n, s) => n * s, 1) ? ', …' : ''})`;

function formatTrace(steps: readonly TraceStep[]): string {
  return steps
    .map((s, i) => {
      const lines = [`${i + 1}. ${s.op}  dy ${show(s.upstream)}`, `   rule: ${s.rule}`];
      s.sent.forEach((g) => {
        if (g) lines.push(`   → ${g.input}: ${show(g)}`);
      });
      return lines.join('\n');
    })
    .join('\n');
}
