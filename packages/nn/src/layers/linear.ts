/**
 * Linear: y = x Wᵀ + b, with W of shape [out, in] and b of shape [out] (PyTorch's layout).
 * x may have any leading axes: [..., in] → [..., out].
 *
 * Default initialisation is PyTorch's: W and b uniform in ±1/√in. `init: 'kaiming'` (ReLU
 * networks) and `'xavier'` (tanh networks) draw W from those schemes, with b = 0.
 */
import { type Tensor, linear } from '@skipgrad/autograd';
import {
  type DType,
  type Generator,
  NDArray,
  SkipgradError,
  allocate,
  checkSize,
  describe,
  checkOptions,
  checkGenerator,
  formatShape,
} from '@skipgrad/tensor';
import { kaimingNormal, uniform, xavierNormal } from '../init.js';
import { Module, Parameter, checkInput } from '../module.js';

export interface LinearOptions {
  bias?: boolean;
  init?: 'default' | 'kaiming' | 'xavier';
  generator?: Generator;
  dtype?: DType;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions('Linear', options, ['bias', 'init', 'generator', 'dtype']);
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new SkipgradError('Linear', name, 'a positive integer', describe(v));
    }
    checkSize('Linear', [outFeatures, inFeatures], 4, 'outFeatures');
    checkGenerator('Linear', 'generator', options.generator);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const shape = [outFeatures, inFeatures];
    const o = { generator: options.generator, dtype: options.dtype };
    const init = options.init ?? 'default';
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(
      init === 'kaiming'
        ? kaimingNormal(shape, o)
        : init === 'xavier'
          ? xavierNormal(shape, o)
          : uniform(shape, bound, o),
    );
    this.bias =
      options.bias === false
        ? null
        : new Parameter(
            init === 'default'
              ? uniform([outFeatures], bound, o)
              : new NDArray(allocate(options.dtype ?? 'float32', outFeatures), [outFeatures]),
          );
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Linear', x);
    if (input.rank === 0 || input.shape[input.rank - 1] !== this.inFeatures) {
      throw new SkipgradError(
        'Linear',
        'x',
        `a tensor of shape [..., ${this.inFeatures}]`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    return linear(input, this.weight, this.bias); // x·Wᵀ + b as one op: the bias is added in the matmul's epilogue
  }

  protected override describe(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
