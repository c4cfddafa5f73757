/**
 * Convolution, pooling and upsampling layers over [N, C, H, W] images.
 *
 * Conv2d's filters W [out, in/groups, kh, kw] and ConvTranspose2d's W [in, out/groups, kh, kw]
 * follow PyTorch's layouts and default initialisation (uniform ±1/√fan_in); `init: 'kaiming'`
 * draws W from He's normal (the ResNet choice) with a zero bias.
 */
import { type ConvOptions, type ConvTransposeOptions, type Pair, type Tensor, adaptiveAvgPool2d, avgPool2d, conv2d, convTranspose2d, maxPool2d, upsampleNearest } from '@skipgrad/autograd';
import { type DType, type Generator, NDArray, SkipgradError, allocate, describe } from '@skipgrad/tensor';
import { kaimingNormal, uniform } from '../init.js';
import { Module, Parameter, checkInput } from '../module.js';

export interface ConvLayerOptions extends ConvOptions {
  bias?: boolean;
  init?: 'default' | 'kaiming';
  generator?: Generator;
  dtype?: DType;
}

function positive(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new SkipgradError(op, name, 'a positive integer', describe(v));
  return v as number;
}

/** Checks the channel counts and that `groups` divides both; returns groups. */
function checkChannels(op: string, inChannels: number, outChannels: number, groups: number): number {
  positive(op, 'inChannels', inChannels);
  positive(op, 'outChannels', outChannels);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new SkipgradError(op, 'groups', `a divisor of ${inChannels} and ${outChannels}`, describe(groups));
  }
  return groups;
}

function side(k: Pair): [number, number] {
  return typeof k === 'number' ? [k, k] : [k[0], k[1]];
}

/** Weight and bias for a conv whose weight has `shape` and fan-in `fanIn`. */
function convParams(shape: number[], fanIn: number, biasSize: number, o: ConvLayerOptions): [Parameter, Parameter | null] {
  const init = { generator: o.generator, dtype: o.dtype };
  const bound = 1 / Math.sqrt(fanIn);
  const weight = new Parameter(o.init === 'kaiming' ? kaimingNormal(shape, init) : uniform(shape, bound, init));
  if (o.bias === false) return [weight, null];
  const bias = o.init === 'kaiming' ? new NDArray(allocate(o.dtype ?? 'float32', biasSize), [biasSize]) : uniform([biasSize], bound, init);
  return [weight, new Parameter(bias)];
}

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly options: ConvOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: Pair, options: ConvLayerOptions = {}) {
    super();
    const groups = checkChannels('Conv2d', inChannels, outChannels, options.groups ?? 1);
    const [kh, kw] = side(kernel);
    [this.weight, this.bias] = convParams([outChannels, inChannels / groups, kh, kw], (inChannels / groups) * kh * kw, outChannels, options);
    this.options = { stride: options.stride, padding: options.padding, dilation: options.dilation, groups };
  }

  forward(x: Tensor): Tensor {
    return conv2d(checkInput('Conv2d', x), this.weight, this.bias, this.options);
  }

  protected override describe(): string {
    const o = this.options;
    return `${this.inChannels}, ${this.outChannels}, kernel=${JSON.stringify(this.kernel)}, stride=${JSON.stringify(o.stride ?? 1)}, padding=${JSON.stringify(o.padding ?? 0)}${this.bias ? '' : ', bias=false'}`;
  }
}

export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly options: ConvTransposeOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: Pair, options: ConvLayerOptions & { outputPadding?: Pair } = {}) {
    super();
    const groups = checkChannels('ConvTranspose2d', inChannels, outChannels, options.groups ?? 1);
    const [kh, kw] = side(kernel);
    [this.weight, this.bias] = convParams([inChannels, outChannels / groups, kh, kw], (outChannels / groups) * kh * kw, outChannels, options);
    this.options = { stride: options.stride, padding: options.padding, dilation: options.dilation, outputPadding: options.outputPadding, groups };
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(checkInput('ConvTranspose2d', x), this.weight, this.bias, this.options);
  }

  protected override describe(): string {
    return `${this.inChannels}, ${this.outChannels}, kernel=${JSON.stringify(this.kernel)}, stride=${JSON.stringify(this.options.stride ?? 1)}`;
  }
}

export class MaxPool2d extends Module {
  constructor(readonly kernel: Pair, readonly options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(checkInput('MaxPool2d', x), this.kernel, this.options); }
  protected override describe(): string { return `kernel=${JSON.stringify(this.kernel)}`; }
}

export class AvgPool2d extends Module {
  constructor(readonly kernel: Pair, readonly options: { stride?: Pair; padding?: Pair } = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(checkInput('AvgPool2d', x), this.kernel, this.options); }
  protected override describe(): string { return `kernel=${JSON.stringify(this.kernel)}`; }
}

/** Average-pools to a fixed output size; `1` gives global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) { super(); }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(checkInput('AdaptiveAvgPool2d', x), this.outputSize); }
  protected override describe(): string { return `outputSize=${JSON.stringify(this.outputSize)}`; }
}

/** Nearest-neighbour upsampling by an integer factor. */
export class Upsample extends Module {
  constructor(readonly scale: Pair) { super(); }
  forward(x: Tensor): Tensor { return upsampleNearest(checkInput('Upsample', x), this.scale); }
  protected override describe(): string { return `scale=${JSON.stringify(this.scale)}, mode=nearest`; }
}
