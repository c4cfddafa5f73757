/**
 * The dynamic graph. Every differentiable op that runs while grad mode is on, on inputs that
 * require grad, records a Node: the op's name, where each input's gradient must go, and a
 * backward function that holds ("saves") only what the op's derivative needs.
 *
 * Edges point to the input's *gradient target*: a leaf tensor (where `.grad` accumulates) or
 * the Node that made a non-leaf input. Nodes never hold their output tensor, so once backward
 * frees a node's saved tensors, intermediate values are no longer kept alive by the graph.
 */
import { type DType, NDArray, SkipgradError, checkFunction, checkString, describe } from '@skipgrad/tensor';
import type { Tensor } from './tensor.js';

/** Computes the gradient for each input from the upstream gradient `dy`. `needs[i]` says
 * whether input i wants one; an op may return null where it is not needed. */
export type BackwardFn = (dy: Tensor, needs: readonly boolean[]) => readonly (Tensor | null)[];

/** Where a gradient goes: a leaf tensor, or the node that produced a non-leaf tensor. */
export type GradTarget = Tensor | Node;

export interface InputInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** null when this input does not require grad. */
  readonly target: GradTarget | null;
}

export class Node {
  readonly op: string;
  readonly inputs: readonly InputInfo[];
  readonly outShape: readonly number[];
  readonly outDtype: DType;
  /** null once backward has run without retainGraph: the saved tensors are released. */
  backwardFn: BackwardFn | null;
  /** The stack where the op ran, recorded in anomaly mode only. */
  createdAt: string | null = null;
  /** The op's backward rule in one line (what it gave fromOp), or null for an op that gave none. */
  readonly rule: string | null;
  /** True for an op written outside the engine (fromOp): its backward is code the engine does not know. */
  readonly custom: boolean;

  constructor(
    op: string,
    inputs: readonly InputInfo[],
    out: NDArray,
    backwardFn: BackwardFn,
    rule: string | null = null,
    custom = true,
  ) {
    checkString('Node', 'op', op, 'an op name (a string)');
    if (!Array.isArray(inputs))
      throw new SkipgradError('Node', 'inputs', 'an array of input records', describe(inputs));
    if (!(out instanceof NDArray)) throw new SkipgradError('Node', 'out', 'the NDArray the op produced', describe(out));
    checkFunction('Node', 'backwardFn', backwardFn);
    this.op = op;
    this.inputs = inputs;
    this.outShape = out.shape;
    this.outDtype = out.dtype;
    this.backwardFn = backwardFn;
    this.rule = rule;
    this.custom = custom;
  }

  /** Drops the backward closure and everything it saved. */
  release(): void {
    this.backwardFn = null;
  }
}

// ---- grad mode ---------------------------------------------------------------------------

let gradEnabled = true;

/**
 * Whether ops currently record the graph.
 *
 * @example
 * noGrad(() => isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` with graph recording off: nothing it computes requires grad, and no graph is
 * kept. For evaluation and for updating parameters.
 *
 * @example
 * const y = noGrad(() => w.mul(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, checkFunction<() => T>('noGrad', 'fn', fn));
}

/**
 * Runs `fn` with graph recording on (inside a noGrad, for example).
 *
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, checkFunction<() => T>('enableGrad', 'fn', fn));
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
