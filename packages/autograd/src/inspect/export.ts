/**
 * The computation graph behind a tensor, as Graphviz DOT or as Mermaid, for learners to see:
 *
 * - one node per op, with its name, output shape and dtype;
 * - leaves (inputs that require grad) as ellipses, named parameters as green ellipses, and
 *   constants (inputs that need no gradient) dashed;
 * - skip edges — an edge u → v where v can also be reached from u through other ops, like the
 *   x → add edge of y = x + f(x) or the x → concat edge of concat([x, f(x)]) — drawn bold red;
 * - with a trace of a backward pass (traceBackward), each edge labelled with the norm of the
 *   gradient that flowed back along it, so vanishing gradients can be seen.
 *
 * Nodes are numbered inputs-first in topological order, so the text is deterministic.
 *
 * @example
 * const y = x.add(x.tanh());
 * console.log(toDot(y));
 */
import {
  SkipgradError,
  checkList,
  checkOptions,
  checkString,
  describe as describeValue,
  formatShape,
} from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { topologicalOrder } from '../engine.js';
import { type GradTarget, Node } from '../graph.js';
import { gradTarget } from '../from-op.js';
import { Tensor } from '../tensor.js';
import type { BackwardTrace } from './trace.js';

export interface GraphOptions {
  /** Names for leaf tensors (an nn module's `namedParameters()` fits): drawn as parameters. */
  names?: Iterable<readonly [string, Tensor]>;
  /** A trace of a backward pass through this graph: edges get gradient norms. */
  trace?: BackwardTrace;
}

export interface GraphNode {
  id: string;
  kind: 'op' | 'leaf' | 'parameter' | 'constant';
  label: string;
}
export interface GraphEdge {
  from: string;
  to: string;
  skip: boolean;
  gradNorm?: number;
}
export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * The graph as data: nodes and edges (what the DOT and Mermaid writers draw).
 *
 * @example
 * graphOf(x.add(x.exp())).edges.filter((e) => e.skip).length; // 1
 */
export function graphOf(output: Tensor, options: GraphOptions = {}, op = 'graphOf'): GraphData {
  checkString('graphOf', 'op', op, 'the name its errors use (a string)');
  checkTensor(op, 'output', output);
  const o = checkOptions<GraphOptions>(op, options, ['names', 'trace']);
  const names = new Map<Tensor, string>();
  if (o.names !== undefined) {
    const pairs = checkList(
      op,
      'names',
      o.names,
      (pair, i) => {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !(pair[1] instanceof Tensor)) {
          throw new SkipgradError(
            op,
            `names[${i}]`,
            "a [name, Tensor] pair (what a module's namedParameters() yields)",
            describeValue(pair),
          );
        }
        return pair as unknown as readonly [string, Tensor];
      },
      "an iterable of [name, Tensor] pairs (a module's namedParameters())",
    );
    for (const [name, t] of pairs) names.set(t, name);
  }
  const order = topologicalOrder([gradTarget(output)]).reverse(); // inputs first
  const ids = new Map<GradTarget, string>(order.map((t, i) => [t, `n${i}`]));
  const nodes: GraphNode[] = [];
  const edges: Omit<GraphEdge, 'skip'>[] = [];
  const describe = (shape: readonly number[], dtype: string): string => `${formatShape(shape)} ${dtype}`;
  for (const target of order) {
    const id = ids.get(target)!;
    if (!(target instanceof Node)) {
      const name = names.get(target);
      nodes.push({
        id,
        kind: name ? 'parameter' : 'leaf',
        label: `${name ?? 'leaf'}\n${describe(target.shape, target.dtype)}`,
      });
      continue;
    }
    nodes.push({ id, kind: 'op', label: `${target.op}\n${describe(target.outShape, target.outDtype)}` });
    target.inputs.forEach((input, i) => {
      let from: string;
      if (input.target === null) {
        from = `${id}c${i}`;
        nodes.push({ id: from, kind: 'constant', label: `constant\n${describe(input.shape, input.dtype)}` });
      } else {
        from = ids.get(input.target)!;
      }
      const gradNorm = options.trace?.normOf(target, i); // undefined for a constant: it is sent none
      edges.push({ from, to: id, ...(gradNorm === undefined ? {} : { gradNorm }) });
    });
  }
  return { nodes, edges: markSkips(edges) };
}

/** An edge u → v skips when v is also reachable from u along a path of two or more edges. */
function markSkips(edges: readonly Omit<GraphEdge, 'skip'>[]): GraphEdge[] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const reaches = (start: string, goal: string): boolean => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (at === goal) return true;
      for (const next of out.get(at) ?? [])
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
    }
    return false;
  };
  return edges.map(({ from, to, ...rest }) => ({
    from,
    to,
    skip: out.get(from)!.some((via) => via !== to && reaches(via, to)), // every edge's source has out-edges
    ...rest,
  }));
}

const fmtNorm = (n: number): string => (n === 0 ? '0' : n.toPrecision(3));

/**
 * Graphviz DOT. Render with Graphviz (`dot -Tsvg`) or any DOT viewer.
 *
 * @example
 * toDot(x.add(x.tanh())).startsWith('digraph skipgrad'); // true
 */
export function toDot(output: Tensor, options: GraphOptions = {}): string {
  return dotOf(output, options, 'toDot');
}

/** toDot under the name of the function the user called (renderSvg, writeSvg). */
export function dotOf(output: Tensor, options: GraphOptions, op: string): string {
  const { nodes, edges } = graphOf(output, options, op);
  const style: Record<GraphNode['kind'], string> = {
    op: 'shape=box, style="rounded,filled", fillcolor="#eef3fb"',
    leaf: 'shape=ellipse, style=filled, fillcolor="#dbe9ff"',
    parameter: 'shape=ellipse, style=filled, fillcolor="#dff5dc"',
    constant: 'shape=ellipse, style=dashed',
  };
  const lines = [
    'digraph skipgrad {',
    '  rankdir=TB;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of nodes) lines.push(`  ${n.id} [label=${JSON.stringify(n.label)}, ${style[n.kind]}];`);
  for (const e of edges) {
    const attrs = [
      ...(e.skip ? ['color="#d62728"', 'penwidth=2.5'] : []),
      ...(e.gradNorm !== undefined || e.skip
        ? [
            `label=${JSON.stringify([e.skip ? 'skip' : '', e.gradNorm !== undefined ? `‖g‖ ${fmtNorm(e.gradNorm)}` : ''].filter(Boolean).join(' '))}`,
          ]
        : []),
    ];
    lines.push(`  ${e.from} -> ${e.to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * Mermaid flowchart (renders in GitHub Markdown, among others).
 *
 * @example
 * toMermaid(x.add(x.tanh())).includes('==>|skip|'); // true
 */
export function toMermaid(output: Tensor, options: GraphOptions = {}): string {
  const { nodes, edges } = graphOf(output, options, 'toMermaid');
  const text = (label: string): string => `"${label.replace(/"/g, '#quot;').replace('\n', '<br/>')}"`;
  const shape: Record<GraphNode['kind'], (l: string) => string> = {
    op: (l) => `[${l}]`,
    leaf: (l) => `([${l}])`,
    parameter: (l) => `[[${l}]]`,
    constant: (l) => `>${l}]`,
  };
  const lines = ['flowchart TB'];
  for (const n of nodes) lines.push(`  ${n.id}${shape[n.kind](text(n.label))}`);
  edges.forEach((e, i) => {
    const label = [e.skip ? 'skip' : '', e.gradNorm !== undefined ? `‖g‖ ${fmtNorm(e.gradNorm)}` : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`  ${e.from} ${e.skip ? '==>' : '-->'}${label ? `|${label}|` : ''} ${e.to}`);
    if (e.skip) lines.push(`  linkStyle ${i} stroke:#d62728,stroke-width:3px`);
  });
  return lines.join('\n');
}
