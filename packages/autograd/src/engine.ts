/**
 * Reverse-mode differentiation. Three steps, as in micrograd — without its recursion, so a
 * chain of 100,000 ops cannot overflow the stack:
 *
 * 1. Order the graph topologically, outputs first (an iterative depth-first search with a
 *    visited set, so a node reached by many paths — a residual chain has 2^n — is visited once).
 * 2. Seed each output's gradient (1 for a scalar, or the gradient the caller gives).
 * 3. Walk the nodes in that order; each node turns the gradient of its output into gradients
 *    of its inputs (its backward), and the engine *adds* them into what those inputs already
 *    received. Adding is what makes a skip connection work: x in y = x + f(x) gets dy from
 *    the add and, separately, what flows back through f.
 */
import { SkipgradError, checkList, formatShape, shapesEqual, checkOptions } from '@skipgrad/tensor';
import { checkTensor } from './operands.js';
import { type GradTarget, Node, withGradMode } from './graph.js';
import { add } from './ops/add.js';
import { gradTarget } from './from-op.js';
import { Tensor } from './tensor.js';
import { onesLike, zerosLike } from './create.js';
import { anomalyMode, checkFinite, withBackwardContext } from './inspect/anomaly.js';
import { forgettingTemporaries } from './current-backend.js';
import { traceListener } from './inspect/trace.js';

export interface BackwardOptions {
  /** Keep the saved tensors so that backward can run through this graph again. Default: createGraph. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. Default false. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** Upstream gradients, one per output (required for non-scalar outputs). */
  gradOutputs?: readonly Tensor[];
}

/**
 * Accumulates ∂(outputs)/∂leaf into `.grad` of every leaf that requires grad.
 * Used by `Tensor.backward`; call it directly to backpropagate from several outputs at once.
 *
 * @example
 * const a = tensor([1], { requiresGrad: true });
 * backward([a.mul(2).sum(), a.mul(3).sum()], undefined);
 * a.grad!.toArray(); // [5]
 */
export function backward(
  outputs: readonly Tensor[],
  gradOutputs: readonly Tensor[] | undefined,
  options: BackwardOptions = {},
): void {
  checkOptions('backward', options, ['retainGraph', 'createGraph']);
  const roots = checkRoots('backward', outputs, gradOutputs);
  const order = topologicalOrder(roots.map((r) => r.target));
  forgettingTemporaries(
    () => {
      const grads = run('backward', roots, order, null, options);
      const leaves: Tensor[] = [];
      withGradMode(options.createGraph ?? false, () => {
        for (const [target, g] of grads) {
          if (target instanceof Tensor) {
            target.grad = target.grad === null ? g : add(target.grad, g);
            leaves.push(target);
          }
        }
      });
      return leaves.map((t) => t.grad!);
    },
    sealedPass(order, options),
  );
}

/**
 * Whether a backward pass over `order` may run sealed (see forgettingTemporaries): every node an
 * op of the engine's own, no graph of the gradients being built (createGraph keeps them in new
 * nodes), and no trace listening.
 */
function sealedPass(order: readonly GradTarget[], options: BackwardOptions): { sealed: boolean } {
  const sealed =
    !(options.createGraph ?? false) &&
    traceListener() === null &&
    order.every((t) => !(t instanceof Node) || !t.custom);
  return { sealed };
}

/**
 * The gradients of `outputs` with respect to `inputs`, returned rather than stored in
 * `.grad` (like `torch.autograd.grad`). An input the outputs do not depend on gets zeros.
 * With `createGraph: true` the results are themselves differentiable (grad of grad).
 *
 * @example
 * const t = tensor([0.5, -1.5], { dtype: 'float64', requiresGrad: true });
 * const [dt] = grad([t.mul(t).mul(t).sum()], [t], { createGraph: true }); // 3t²
 * const [d2t] = grad([dt!.sum()], [t]);                                      // 6t
 */
export function grad(outputs: readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  checkOptions('grad', options, ['gradOutputs', 'retainGraph', 'createGraph']);
  const roots = checkRoots('grad', outputs, options.gradOutputs);
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new SkipgradError('grad', 'inputs', 'a non-empty array of Tensors', String(inputs));
  }
  inputs.forEach((t, i) => {
    checkTensor('grad', `inputs[${i}]`, t);
    if (!t.requiresGrad)
      throw new SkipgradError(
        'grad',
        `inputs[${i}]`,
        'a tensor that requires grad',
        'a tensor with requiresGrad false',
      );
  });
  const targets = new Set(inputs.map(gradTarget));
  const order = topologicalOrder(roots.map((r) => r.target));
  return forgettingTemporaries(
    () => {
      const grads = run('grad', roots, order, targets, options);
      return inputs.map((t) => grads.get(gradTarget(t)) ?? zerosLike(t));
    },
    sealedPass(order, options),
  );
}

/**
 * Forgets the accumulated gradient of every given tensor (sets `.grad` to null), as an
 * optimizer does before each step.
 *
 * @example
 * zeroGrad([w, b]);
 */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  const list = checkList(
    'zeroGrad',
    'tensors',
    tensors,
    (t, i) => checkTensor('zeroGrad', `tensors[${i}]`, t),
    'a list of Tensors',
  );
  for (const t of list) t.zeroGrad();
}

interface Root {
  target: GradTarget;
  gradient: Tensor;
}

function checkRoots(op: string, outputs: readonly Tensor[], gradOutputs: readonly Tensor[] | undefined): Root[] {
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new SkipgradError(op, 'outputs', 'a non-empty array of Tensors', String(outputs));
  }
  if (gradOutputs !== undefined && (!Array.isArray(gradOutputs) || gradOutputs.length !== outputs.length)) {
    throw new SkipgradError(
      op,
      'gradOutputs',
      `an array of ${outputs.length} Tensors (one per output)`,
      String(gradOutputs),
    );
  }
  return outputs.map((out, i) => {
    checkTensor(op, `outputs[${i}]`, out);
    if (!out.requiresGrad) {
      throw new SkipgradError(
        op,
        `outputs[${i}]`,
        'a tensor that requires grad (computed from a tensor with requiresGrad: true)',
        'a tensor with requiresGrad false',
        'was it computed inside noGrad, or from detached tensors?',
      );
    }
    const given = gradOutputs?.[i];
    if (given === undefined) {
      if (out.size !== 1) {
        throw new SkipgradError(
          op,
          'gradient',
          `an explicit gradient of shape ${formatShape(out.shape)} for a non-scalar output`,
          'none',
          'only a one-element output has the implied gradient 1',
        );
      }
      return { target: gradTarget(out), gradient: onesLike(out) };
    }
    checkTensor(op, 'gradient', given);
    if (!shapesEqual(given.shape, out.shape) || given.dtype !== out.dtype) {
      throw new SkipgradError(
        op,
        'gradient',
        `shape ${formatShape(out.shape)} and dtype ${out.dtype} (the output's)`,
        `shape ${formatShape(given.shape)} and dtype ${given.dtype}`,
      );
    }
    return { target: gradTarget(out), gradient: given };
  });
}

/** Graph targets in topological order, outputs first. Iterative post-order DFS. */
export function topologicalOrder(roots: readonly GradTarget[]): GradTarget[] {
  const visited = new Set<GradTarget>();
  const postOrder: GradTarget[] = [];
  // Each stack entry is a target and how many of its inputs we have already descended into.
  const stack: [GradTarget, number][] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [target, next] = top;
      const inputs = target instanceof Node ? target.inputs : [];
      if (next < inputs.length) {
        top[1] = next + 1;
        const child = inputs[next]!.target;
        if (child !== null && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        postOrder.push(target);
      }
    }
  }
  return postOrder.reverse();
}

/**
 * Runs backward from `roots`. With `wanted`, only nodes on a path to a wanted target run
 * (what `grad` asks); with null, every node runs and every leaf collects (what `backward` does).
 * The returned map holds the gradients of the leaves reached and of the wanted targets.
 */
function run(
  op: string,
  roots: readonly Root[],
  order: readonly GradTarget[], // step 1: topologicalOrder of the roots
  wanted: Set<GradTarget> | null,
  options: BackwardOptions,
): Map<GradTarget, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const useful = wanted === null ? null : usefulTargets(order, wanted);
  const grads = new Map<GradTarget, Tensor>();
  const accumulate = (target: GradTarget, g: Tensor): void => {
    const previous = grads.get(target);
    grads.set(target, previous === undefined ? g : add(previous, g)); // a skip's two gradients meet here
  };

  return withGradMode(createGraph, () => {
    for (const root of roots) accumulate(root.target, createGraph ? root.gradient : root.gradient.detach()); // step 2
    for (const node of order) {
      // step 3
      if (!(node instanceof Node)) continue; // a leaf: its gradient is complete
      const dy = grads.get(node);
      const needs = inputsToSend(node, useful);
      if (dy === undefined || needs === null) continue; // no gradient reached it, or none is asked of it
      const inputGrads = callBackward(op, node, dy, needs);
      if (!retainGraph) node.release();
      if (!wanted?.has(node)) grads.delete(node); // used: let it go
      node.inputs.forEach((input, i) => {
        const g = inputGrads[i];
        if (!needs[i] || g === null || g === undefined) return;
        checkGradient(node, i, g);
        accumulate(input.target!, g);
      });
    }
    return grads;
  });
}

/**
 * Which of a node's inputs want a gradient (those that require grad and, for `grad`, lead to a
 * wanted target) — or null when none does (so also when the node itself leads nowhere wanted).
 */
function inputsToSend(node: Node, useful: Set<GradTarget> | null): boolean[] | null {
  const needs = node.inputs.map((input) => input.target !== null && (useful === null || useful.has(input.target)));
  return needs.includes(true) ? needs : null;
}

/**
 * The node's backward on dy: refused when an earlier backward freed it; in anomaly mode run
 * with the op's context and its results checked finite; reported to a trace if one listens.
 */
function callBackward(op: string, node: Node, dy: Tensor, needs: readonly boolean[]): readonly (Tensor | null)[] {
  const backwardFn = node.backwardFn;
  if (backwardFn === null) {
    throw new SkipgradError(
      op,
      'graph',
      'a graph whose saved tensors are still held',
      `op '${node.op}' already backpropagated, its saved tensors freed`,
      'pass { retainGraph: true } to the first backward to run backward twice',
    );
  }
  const inputGrads = anomalyMode() ? withBackwardContext(node, () => backwardFn(dy, needs)) : backwardFn(dy, needs);
  traceListener()?.(node, dy, inputGrads);
  if (anomalyMode()) checkFinite(node, inputGrads);
  return inputGrads;
}

/** Targets from which a wanted target can be reached (so their backward must run). */
function usefulTargets(order: readonly GradTarget[], wanted: Set<GradTarget>): Set<GradTarget> {
  const useful = new Set<GradTarget>();
  for (const target of [...order].reverse()) {
    // inputs before the nodes that use them
    const reaches =
      wanted.has(target) ||
      (target instanceof Node && target.inputs.some((input) => input.target !== null && useful.has(input.target)));
    if (reaches) useful.add(target);
  }
  return useful;
}

/** Every gradient must match its input's shape and dtype; the error names the op and input. */
function checkGradient(node: Node, index: number, g: Tensor): void {
  const input = node.inputs[index]!;
  if (!shapesEqual(g.shape, input.shape) || g.dtype !== input.dtype) {
    throw new SkipgradError(
      node.op,
      `gradient of input '${input.name}'`,
      `shape ${formatShape(input.shape)} and dtype ${input.dtype} (the input's)`,
      `shape ${formatShape(g.shape)} and dtype ${g.dtype}`,
      `error in the backward of op '${node.op}'`,
    );
  }
}
