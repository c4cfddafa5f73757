/**
 * DualPath — the hybrid skip of Dual Path Networks (Chen et al., 2017): one path adds (ResNet),
 * one concatenates (DenseNet), sharing one branch f.
 *
 * The input x holds both paths along the channel axis: x = [r, d], r the first
 * `residualChannels` channels (the residual path), d the rest (the dense path). The branch f
 * sees all of x and returns residualChannels + k channels, split as f(x) = [f_r, f_d]:
 *
 *   y = concat([r + f_r,  d,  f_d])        (R + D + k channels: the dense path grows by k)
 *
 * The residual path re-uses features (a sum keeps the width fixed), the dense path explores
 * new ones (each block appends k). Backward, with dy = [dy_r, dy_d, dy_new] split the same way:
 *
 *   dx = [dy_r, dy_d] + J_fᵀ [dy_r, dy_new]
 *
 * the identity part — dy_r by the add, dy_d by the concat — reaches x exactly, plus what flows
 * back through f.
 */
import { type Tensor, concat } from '@skipgrad/autograd';
import { SkipgradError, describe, formatShape, normalizeAxis } from '@skipgrad/tensor';
import { Module, checkInput } from '../module.js';

export class DualPath extends Module {
  readonly f: Module;
  readonly residualChannels: number;
  readonly axis: number;

  constructor(f: Module, residualChannels: number, axis = 1) {
    super();
    if (!(f instanceof Module)) throw new SkipgradError('DualPath', 'f', 'a Module', describe(f));
    if (!Number.isInteger(residualChannels) || residualChannels < 1) {
      throw new SkipgradError('DualPath', 'residualChannels', 'a positive integer', describe(residualChannels));
    }
    if (!Number.isInteger(axis)) throw new SkipgradError('DualPath', 'axis', 'an integer', describe(axis));
    this.f = f;
    this.residualChannels = residualChannels;
    this.axis = axis;
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('DualPath', x);
    const d = normalizeAxis('DualPath', this.axis, input.rank);
    const r = this.residualChannels;
    const channels = input.shape[d]!;
    if (channels < r)
      throw new SkipgradError(
        'DualPath',
        'x',
        `at least residualChannels = ${r} channels on axis ${d}`,
        `shape ${formatShape(input.shape)}`,
      );
    const fx = this.f.forward(input);
    const offAxisSame = fx.rank === input.rank && fx.shape.every((s, i) => i === d || s === input.shape[i]);
    if (!offAxisSame || fx.shape[d]! < r) {
      throw new SkipgradError(
        'DualPath',
        'f',
        `an output with x's shape off axis ${d} and at least ${r} channels on it`,
        formatShape(fx.shape),
      );
    }
    const residual = input.narrow(d, 0, r).add(fx.narrow(d, 0, r));
    return concat([residual, input.narrow(d, r, channels - r), fx.narrow(d, r, fx.shape[d]! - r)], d);
  }

  protected override describe(): string {
    return `residualChannels=${this.residualChannels}, axis=${this.axis}`;
  }
}
