/**
 * Additive skips.
 *
 * Residual(f, shortcut): y = shortcut(x) + f(x)   (He et al., 2015; shortcut = identity by default)
 *   ∂y/∂x = J_shortcut + J_f. With the identity shortcut that is I + J_f: the gradient reaching
 *   x is g + J_fᵀ g, so even when f's Jacobian is tiny (a deep stack of saturated layers) the
 *   identity carries g back unchanged. This is why very deep residual networks still train.
 *
 * ReZero(f): y = x + α·f(x) with a learned scalar α initialised to 0 (Bachlechner et al., 2020):
 *   each block starts as the identity and learns how much of f to let in.
 */
import { type Tensor, concat } from '@skipgrad/autograd';
import { type DType, SkipgradError, describe, full, checkOptions, formatShape, shapesEqual } from '@skipgrad/tensor';
import { Module, Parameter, checkInput } from '../module.js';

function checkModule(op: string, name: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new SkipgradError(op, name, 'a Module', describe(m));
  return m;
}

export class Residual extends Module {
  readonly f: Module;
  readonly shortcut: Module | null;

  /** y = shortcut(x) + f(x); without a shortcut, y = x + f(x). */
  constructor(f: Module, shortcut?: Module) {
    super();
    this.f = checkModule('Residual', 'f', f);
    this.shortcut = shortcut === undefined ? null : checkModule('Residual', 'shortcut', shortcut);
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Residual', x);
    const fx = this.f.forward(input);
    const skip = this.shortcut ? this.shortcut.forward(input) : input;
    if (!shapesEqual(skip.shape, fx.shape)) {
      throw new SkipgradError(
        'Residual',
        'f',
        `an output of the shortcut's shape ${formatShape(skip.shape)}`,
        `${formatShape(fx.shape)}`,
        'pass a projection shortcut when f changes the shape',
      );
    }
    return skip.add(fx);
  }
}

export class ReZero extends Module {
  readonly f: Module;
  alpha: Parameter;

  constructor(f: Module, options: { dtype?: DType } = {}) {
    super();
    checkOptions('ReZero', options, ['dtype']);
    this.f = checkModule('ReZero', 'f', f);
    this.alpha = new Parameter(full([], 0, { dtype: options.dtype ?? 'float32' }));
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('ReZero', x);
    return input.add(this.f.forward(input).mul(this.alpha));
  }
}

/**
 * Concatenative skip: y = concat([x, f(x)], axis)   (DenseNet's layer, U-Net's long skip)
 *   Backward is a split: x receives its own slice of g directly, plus what flows back through f.
 *   Unlike a residual, nothing is summed: later layers see x and f(x) as separate features.
 */
export class DenseConcat extends Module {
  readonly f: Module;
  readonly axis: number;

  constructor(f: Module, axis = 1) {
    super();
    this.f = checkModule('DenseConcat', 'f', f);
    this.axis = axis;
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('DenseConcat', x);
    return concat([input, this.f.forward(input)], this.axis);
  }

  protected override describe(): string {
    return `axis=${this.axis}`;
  }
}
