/**
 * Layers without parameters, as modules so they can sit in a Sequential: activations,
 * Flatten, Dropout, and the identity.
 */
import { type Tensor, dropout, elu, gelu, hardtanh, leakyRelu, silu, softplus } from '@skipgrad/autograd';
import { type Generator, SkipgradError, describe, checkOptions, checkGenerator, checkNumber } from '@skipgrad/tensor';
import { Module, checkInput } from '../module.js';

/** The layers' numeric arguments are checked when the layer is made, not at its first forward. */
const finite = (op: string, name: string, v: unknown): number => checkNumber(op, name, v);

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return checkInput('ReLU', x).relu();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return checkInput('Tanh', x).tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return checkInput('Sigmoid', x).sigmoid();
  }
}

/** GELU, exact (x·Φ(x)) or with the tanh approximation (see the gelu op). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(checkInput('GELU', x), { approximate: this.approximate });
  }
  protected override describe(): string {
    return `approximate=${this.approximate}`;
  }
}

/** SiLU (swish): x·σ(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(checkInput('SiLU', x));
  }
}

/** Leaky ReLU: x for x > 0, negativeSlope·x otherwise (default 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    finite('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(checkInput('LeakyReLU', x), this.negativeSlope);
  }
  protected override describe(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** ELU: x for x > 0, α(eˣ − 1) otherwise (default α = 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    finite('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor {
    return elu(checkInput('ELU', x), this.alpha);
  }
  protected override describe(): string {
    return `alpha=${this.alpha}`;
  }
}

/** Softplus: ln(1 + e^(βx))/β, linear where βx > threshold (defaults β = 1, threshold 20). */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
    if (finite('Softplus', 'beta', beta) <= 0)
      throw new SkipgradError('Softplus', 'beta', 'a number > 0', String(beta));
    finite('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor): Tensor {
    return softplus(checkInput('Softplus', x), this.beta, this.threshold);
  }
  protected override describe(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Hardtanh: x clamped to [minVal, maxVal] (default [−1, 1]). */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
  ) {
    super();
    if (finite('Hardtanh', 'minVal', minVal) > finite('Hardtanh', 'maxVal', maxVal))
      throw new SkipgradError('Hardtanh', 'maxVal', `a bound >= minVal (${minVal})`, String(maxVal));
  }
  forward(x: Tensor): Tensor {
    return hardtanh(checkInput('Hardtanh', x), this.minVal, this.maxVal);
  }
  protected override describe(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** y = x. A shortcut that does nothing (ResNet's identity shortcut). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return checkInput('Identity', x);
  }
}

/** Merges axes startAxis..endAxis (default: all but the batch axis). */
export class Flatten extends Module {
  constructor(
    readonly startAxis = 1,
    readonly endAxis = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return checkInput('Flatten', x).flatten(this.startAxis, this.endAxis);
  }
}

/** Zeroes each element with probability p while training (scaling survivors by 1/(1 − p)). */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    super();
    checkOptions('Dropout', options, ['generator']);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new SkipgradError('Dropout', 'p', 'a probability in [0, 1]', describe(p));
    this.p = p;
    this.generator = checkGenerator('Dropout', 'generator', options.generator);
  }

  forward(x: Tensor): Tensor {
    return dropout(checkInput('Dropout', x), this.p, { training: this.training, generator: this.generator });
  }

  protected override describe(): string {
    return `p=${this.p}`;
  }
}
