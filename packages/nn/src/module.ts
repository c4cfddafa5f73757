/**
 * Module and Parameter: the building blocks of networks, as in PyTorch.
 *
 * A Module holds Parameters (trainable leaf tensors) and child Modules as ordinary fields;
 * `namedParameters()` finds them by walking the fields in the order they were assigned (arrays
 * of modules count too), so no registration call is needed. `train()` / `eval()` switch the
 * mode of the whole tree (dropout and batch norm behave differently in each).
 */
import { Tensor, checkTensor, getBackend } from '@skipgrad/autograd';
import {
  type DType,
  NDArray,
  SkipgradError,
  checkDType,
  checkString,
  describe,
  formatShape,
  shapesEqual,
} from '@skipgrad/tensor';

/**
 * The values a Parameter or Buffer starts from: an NDArray, or a Tensor (PyTorch's habit,
 * `new Parameter(tensor([1]))`), whose values are taken detached from any graph.
 */
function initialValues(op: string, data: unknown): NDArray {
  if (data instanceof NDArray) return data;
  if (data instanceof Tensor) return data.data;
  throw new SkipgradError(op, 'data', 'a Tensor or an NDArray', describe(data));
}

/**
 * A trainable tensor: a leaf that requires grad, whose values an optimizer replaces.
 *
 * @example
 * new Parameter(tensor([1, 2])).requiresGrad; // true
 */
export class Parameter extends Tensor {
  constructor(data: Tensor | NDArray) {
    super(initialValues('Parameter', data), { requiresGrad: true });
  }

  /** Replaces the values (an optimizer step, loading a state dict). Shape and dtype must match. */
  assign(values: NDArray): void {
    checkSameLayout('Parameter.assign', this, values);
    // The old values will not be read again by training: a caching backend may drop its copy
    // (they stay readable through any reference to them).
    if (values !== this.value) getBackend().forget?.([this.value]);
    this.value = values;
  }

  /** Converts the values to another dtype (Module.to); the gradient is dropped. */
  castTo(dtype: DType): void {
    this.value = this.value.copy(dtype);
    this.grad = null;
  }
}

/**
 * Non-trainable state that belongs to a module and to its state dict (batch norm's running
 * statistics): no gradient, replaced whole by the module that owns it.
 */
export class Buffer extends Tensor {
  constructor(data: Tensor | NDArray) {
    super(initialValues('Buffer', data));
  }

  assign(values: NDArray): void {
    checkSameLayout('Buffer.assign', this, values);
    this.value = values;
  }

  castTo(dtype: DType): void {
    this.value = this.value.copy(dtype);
  }
}

function checkSameLayout(op: string, t: Tensor, values: NDArray, arg = 'values'): void {
  if (!(values instanceof NDArray)) throw new SkipgradError(op, arg, 'an NDArray', describe(values));
  const same = values.dtype === t.dtype && shapesEqual(values.shape, t.shape);
  if (!same) {
    throw new SkipgradError(
      op,
      arg,
      `shape ${formatShape(t.shape)} and dtype ${t.dtype}`,
      `shape ${formatShape(values.shape)} and dtype ${values.dtype}`,
    );
  }
}

export abstract class Module {
  /** Training mode (the default) or evaluation mode. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Extra text for the printout, e.g. `in=784, out=256`. */
  protected describe(): string {
    return '';
  }

  /** Every parameter of this module and its children, named by their path (`0.weight`). */
  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Parameter) yield [prefix + name, value];
    }
    for (const [name, child] of this.namedChildren()) yield* child.namedParameters(`${prefix}${name}.`);
  }

  /** Every buffer (non-trainable state) of this module and its children, by path. */
  *namedBuffers(prefix = ''): Generator<[string, Buffer]> {
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Buffer) yield [prefix + name, value];
    }
    for (const [name, child] of this.namedChildren()) yield* child.namedBuffers(`${prefix}${name}.`);
  }

  *parameters(): Generator<Parameter> {
    for (const [, p] of this.namedParameters()) yield p;
  }

  /** The direct child modules, named by field (array elements as `field.i`). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) yield [name, value];
      else if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) if (item instanceof Module) yield [`${name}.${i}`, item];
      }
    }
  }

  /** The number of trainable values. */
  parameterCount(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /** Sets training mode on this module and every child. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /**
   * Converts every parameter and buffer to `dtype` (float64 for gradient checks, float32 to
   * train). Optimizers made before the conversion hold the old values: make them after.
   */
  to(dtype: DType): this {
    checkDType('Module.to', dtype);
    for (const p of this.parameters()) p.castTo(dtype);
    for (const [, b] of this.namedBuffers()) b.castTo(dtype);
    return this;
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** This module (prefix '') and every module below it, each with the prefix of its names (`layers.0.`). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(`${prefix}${name}.`);
  }

  /**
   * Called by loadStateDict on every module before anything is checked, with the module's
   * prefix: a module whose names or layouts changed renames or converts its old entries here
   * (as PyTorch's `_load_from_state_dict` does by version). The map is loadStateDict's own copy.
   */
  protected upgradeState(_state: Map<string, NDArray>, _prefix: string): void {}

  /**
   * Every parameter and buffer by path, as arrays (what a saved model holds), in PyTorch's
   * order: module by module, each one's parameters, then its buffers.
   */
  stateDict(): Map<string, NDArray> {
    const state = new Map<string, NDArray>();
    for (const [prefix, module] of this.namedModules()) {
      const own = Object.entries(module);
      for (const [name, value] of own) if (value instanceof Parameter) state.set(prefix + name, value.data);
      for (const [name, value] of own) if (value instanceof Buffer) state.set(prefix + name, value.data);
    }
    return state;
  }

  /**
   * Loads a state dict. Every name must match a parameter or buffer of the same shape and
   * dtype, and none may be missing: everything is checked before anything is assigned, so a
   * bad state dict never leaves a half-loaded model.
   */
  loadStateDict(state: Map<string, NDArray>): void {
    if (!(state instanceof Map))
      throw new SkipgradError('loadStateDict', 'state', 'a Map of names to NDArrays', describe(state));
    state = new Map(state);
    for (const [prefix, module] of this.namedModules()) module.upgradeState(state, prefix);
    const targets = new Map<string, Parameter | Buffer>([...this.namedParameters(), ...this.namedBuffers()]);
    const missing = [...targets.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !targets.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new SkipgradError(
        'loadStateDict',
        'state',
        `exactly the module's ${targets.size} names`,
        `${missing.length} missing (${missing.slice(0, 5).join(', ')}) and ${unexpected.length} unexpected (${unexpected.slice(0, 5).join(', ')})`,
      );
    }
    for (const [name, target] of targets)
      checkSameLayout('loadStateDict', target, state.get(name)!, `state['${name}']`);
    for (const [name, target] of targets) target.assign(state.get(name)!.copy());
  }

  /** A readable tree with parameter counts, like PyTorch's. */
  toString(): string {
    const children = [...this.namedChildren()];
    const own = [...Object.values(this)].filter((v) => v instanceof Parameter).length > 0;
    const count = this.parameterCount();
    const countText = count > 0 ? `  # ${count.toLocaleString('en-US')} parameters` : '';
    const head = `${this.constructor.name}(${this.describe()})`;
    if (children.length === 0) return head + (own ? countText : '');
    const lines = children.map(([name, child]) => `  (${name}): ${child.toString().replace(/\n/g, '\n  ')}`);
    return `${this.constructor.name}(${this.describe()}\n${lines.join('\n')}\n)${countText}`;
  }
}

/**
 * Checks that a module's input is a Tensor (a clear error instead of a TypeError).
 *
 * @example
 * checkInput('MyLayer', tensor([1])).shape; // [1]
 */
export function checkInput(op: string, x: unknown): Tensor {
  checkString('checkInput', 'op', op, "the layer's name (a string)");
  return checkTensor(op, 'x', x); // the op names the layer; the argument is its input
}
