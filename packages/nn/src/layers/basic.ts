/**
 * Layers without parameters, as modules so they can sit in a Sequential: activations,
 * Flatten, Dropout, and the identity.
 */
import { type Tensor, dropout, gelu } from '@skipgrad/autograd';
import { type Generator, SkipgradError, describe } from '@skipgrad/tensor';
import { Module, checkInput } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return checkInput('ReLU', x).relu(); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return checkInput('Tanh', x).tanh(); }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return checkInput('Sigmoid', x).sigmoid(); }
}

/** GELU, exact (x·Φ(x)) or with the tanh approximation (see the gelu op). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return gelu(checkInput('GELU', x), { approximate: this.approximate }); }
  protected override describe(): string { return `approximate=${this.approximate}`; }
}

/** y = x. A shortcut that does nothing (ResNet's identity shortcut). */
export class Identity extends Module {
  forward(x: Tensor): Tensor { return checkInput('Identity', x); }
}

/** Merges axes startAxis..endAxis (default: all but the batch axis). */
export class Flatten extends Module {
  constructor(readonly startAxis = 1, readonly endAxis = -1) {
    super();
  }
  forward(x: Tensor): Tensor { return checkInput('Flatten', x).flatten(this.startAxis, this.endAxis); }
}

/** Zeroes each element with probability p while training (scaling survivors by 1/(1 − p)). */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new SkipgradError('Dropout', 'p', 'a probability in [0, 1]', describe(p));
    this.p = p;
    this.generator = options.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(checkInput('Dropout', x), this.p, { training: this.training, generator: this.generator });
  }

  protected override describe(): string { return `p=${this.p}`; }
}
