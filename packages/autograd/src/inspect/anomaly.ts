/**
 * Anomaly mode: find the first op that produces NaN or ±Infinity. While it is on, every op
 * checks its forward output, every node remembers the stack where it was created, and the
 * engine checks every gradient a backward returns — naming the op, the input and the creation
 * stack. It costs a scan of every value, so it is off by default (then: one boolean check).
 *
 * @example
 * detectAnomaly(() => x.log().sum().backward()); // SkipgradError: log: argument 'output' …
 */
import { SkipgradError, type NDArray, describe, formatShape } from '@skipgrad/tensor';
import type { Node } from '../graph.js';
import type { Tensor } from '../tensor.js';

let enabled = false;

/**
 * Whether anomaly mode is on.
 *
 * @example
 * detectAnomaly(() => anomalyMode()); // true
 */
export function anomalyMode(): boolean {
  return enabled;
}

/**
 * Turns anomaly mode on or off for everything that follows.
 *
 * @example
 * setAnomalyMode(true);
 * setAnomalyMode(false);
 */
export function setAnomalyMode(on: boolean): void {
  if (typeof on !== 'boolean') throw new SkipgradError('setAnomalyMode', 'on', 'a boolean', describe(on));
  enabled = on;
}

/** Checks that a tool was given a function to run. */
export function checkFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new SkipgradError(op, 'fn', 'a function to run', describe(fn));
}

/**
 * Runs `fn` with anomaly mode on.
 *
 * @example
 * detectAnomaly(() => tensor([1, 4]).sqrt()).toArray(); // [1, 2]: nothing anomalous
 */
export function detectAnomaly<T>(fn: () => T): T {
  checkFunction('detectAnomaly', fn);
  const previous = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** The first non-finite value's description, or null. */
function firstNonFinite(data: NDArray): string | null {
  const values = data.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return `${values[i]} at flat index ${i} of shape ${formatShape(data.shape)}`;
  }
  return null;
}

/** The node whose backward is running (anomaly mode only), for errors raised inside it. */
let inBackwardOf: Node | null = null;

/** Runs a node's backward so that an anomaly inside it names that node and where it was created. */
export function withBackwardContext<T>(node: Node, fn: () => T): T {
  const previous = inBackwardOf;
  inBackwardOf = node;
  try {
    return fn();
  } finally {
    inBackwardOf = previous;
  }
}

const createdAt = (node: Node): string =>
  `in the backward of op '${node.op}', created at:\n${node.createdAt ?? '(created before anomaly mode was on)'}`;

/** Forward check, called by every op in anomaly mode. */
export function checkForward(op: string, out: NDArray): void {
  const bad = firstNonFinite(out);
  if (bad !== null) {
    throw new SkipgradError(
      op,
      'output',
      'finite values (anomaly mode)',
      bad,
      inBackwardOf ? createdAt(inBackwardOf) : 'the first op to produce one',
    );
  }
}

/** Backward check, called by the engine for each node in anomaly mode. */
export function checkFinite(node: Node, grads: readonly (Tensor | null | undefined)[]): void {
  node.inputs.forEach((input, i) => {
    const g = grads[i]; // entries beyond the inputs are ignored, as the engine ignores them
    const bad = g ? firstNonFinite(g.data) : null;
    if (bad !== null) {
      throw new SkipgradError(
        node.op,
        `gradient of input '${input.name}'`,
        'finite values (anomaly mode)',
        bad,
        createdAt(node),
      );
    }
  });
}
