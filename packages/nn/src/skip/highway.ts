/**
 * Highway layer (Srivastava, Greff & Schmidhuber, 2015): a learned gate between transforming
 * the input and carrying it through unchanged.
 *
 *   H(x) = act(W_H x + b_H)          the transform
 *   T(x) = σ(W_T x + b_T)            the transform gate, in (0, 1)
 *   y    = H(x)·T(x) + x·(1 − T(x))
 *
 * When the gate is closed (T → 0), y → x and ∂y/∂x → I: the gradient passes unchanged, as
 * through a residual's identity. b_T starts negative (the paper suggests −1 to −3), so that at
 * initialisation each layer mostly carries, which lets very deep highway networks train.
 */
import type { Tensor } from '@skipgrad/autograd';
import {
  type DType,
  type Generator,
  NDArray,
  SkipgradError,
  allocate,
  describe,
  checkSize,
  checkOptions,
  checkGenerator,
} from '@skipgrad/tensor';
import { Linear } from '../layers/linear.js';
import { Module, checkInput } from '../module.js';

export interface HighwayOptions {
  /** The transform gate's initial bias b_T. Default −2. */
  gateBias?: number;
  activation?: 'relu' | 'tanh';
  generator?: Generator;
  dtype?: DType;
}

export class Highway extends Module {
  readonly features: number;
  readonly activation: 'relu' | 'tanh';
  transform: Linear;
  gate: Linear;

  constructor(features: number, options: HighwayOptions = {}) {
    super();
    checkOptions('Highway', options, ['activation', 'gateBias', 'generator', 'dtype']);
    if (!Number.isInteger(features) || features < 1)
      throw new SkipgradError('Highway', 'features', 'a positive integer', describe(features));
    checkSize('Highway', [features, features], 4, 'features');
    checkGenerator('Highway', 'generator', options.generator);
    this.features = features;
    this.activation = options.activation ?? 'relu';
    const o = {
      generator: options.generator,
      dtype: options.dtype,
      init: this.activation === 'relu' ? ('kaiming' as const) : ('xavier' as const),
    };
    this.transform = new Linear(features, features, o);
    this.gate = new Linear(features, features, { ...o, init: 'xavier' });
    const b = allocate(options.dtype ?? 'float32', features).fill(options.gateBias ?? -2);
    this.gate.bias!.assign(new NDArray(b, [features]));
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Highway', x);
    const h = this.transform.forward(input);
    const H = this.activation === 'relu' ? h.relu() : h.tanh();
    const T = this.gate.forward(input).sigmoid();
    return H.mul(T).add(input.mul(T.neg().add(1)));
  }

  protected override describe(): string {
    return `${this.features}, activation=${this.activation}`;
  }
}
