/**
 * Convolution, pooling and upsampling layers over [N, C, H, W] images.
 *
 * Conv2d's filters W [out, in/groups, kh, kw], Conv1d's [out, in/groups, k] and ConvTranspose2d's
 * W [in, out/groups, kh, kw] follow PyTorch's layouts and default initialisation (uniform
 * ±1/√fan_in); `init: 'kaiming'` draws W from He's normal (the ResNet choice) with a zero bias.
 * `paddingMode` (PyTorch's padding_mode) pads with copies of the input — 'reflect', 'replicate',
 * 'circular' — instead of zeros: the layer pads first (padWith), then convolves without padding.
 */
import {
  type AvgPoolOptions,
  type ConvOptions,
  type ConvTransposeOptions,
  type InterpolateOptions,
  type Pair,
  type PoolOptions,
  type Tensor,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  avgPool2d,
  conv1d,
  conv2d,
  convTranspose2d,
  interpolate,
  maxPool2d,
  padWith,
  upsampleNearest,
} from '@skipgrad/autograd';
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
} from '@skipgrad/tensor';
import { kaimingNormal, uniform } from '../init.js';
import { Module, Parameter, checkInput } from '../module.js';

export const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;
export type PaddingMode = (typeof PADDING_MODES)[number];

export interface ConvLayerOptions extends ConvOptions {
  /** What the padding holds: zeros (the default) or copies of the input. */
  paddingMode?: PaddingMode;
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

function side(k: Pair, op = 'Conv2d'): [number, number] {
  const v = typeof k === 'number' ? [k, k] : k;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new SkipgradError(op, 'kernel', 'a size >= 1 or a pair of them', describe(k));
  }
  return [v[0]!, v[1]!];
}

/** Weight and bias for a conv whose weight has `shape` and fan-in `fanIn`. */
function convParams(
  op: string,
  shape: number[],
  fanIn: number,
  biasSize: number,
  o: ConvLayerOptions,
): [Parameter, Parameter | null] {
  checkSize(op, shape, 4, 'kernel');
  checkGenerator(op, 'generator', o.generator);
  const init = { generator: o.generator, dtype: o.dtype };
  const bound = 1 / Math.sqrt(fanIn);
  const weight = new Parameter(o.init === 'kaiming' ? kaimingNormal(shape, init) : uniform(shape, bound, init));
  if (o.bias === false) return [weight, null];
  const bias =
    o.init === 'kaiming'
      ? new NDArray(allocate(o.dtype ?? 'float32', biasSize), [biasSize])
      : uniform([biasSize], bound, init);
  return [weight, new Parameter(bias)];
}

function checkPaddingMode(op: string, mode: unknown): PaddingMode {
  if (!(PADDING_MODES as readonly unknown[]).includes(mode))
    throw new SkipgradError(
      op,
      'paddingMode',
      `one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}`,
      describe(mode),
    );
  return mode as PaddingMode;
}

/**
 * The [before, after] pads per spatial axis that `padding` asks for ('same': dilation·(k − 1)
 * in all, the odd one after), for a layer that pads with copies of its input itself.
 */
function explicitPads(
  op: string,
  kernel: readonly number[],
  padding: ConvOptions['padding'],
  stride: readonly number[],
  dilation: readonly number[],
): [number, number][] {
  if (padding === 'valid') return kernel.map(() => [0, 0]);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1))
      throw new SkipgradError(op, 'padding', "'same' only with stride 1 (as PyTorch)", `stride [${stride.join(', ')}]`);
    return kernel.map((k, d) => {
      const total = dilation[d]! * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  const p = padding ?? 0;
  return kernel.map((_, d) => {
    const v = typeof p === 'number' ? p : p[d]!;
    return [v, v];
  });
}

const asList = (v: Pair | undefined, fill: number, rank: number): number[] =>
  v === undefined ? Array<number>(rank).fill(fill) : typeof v === 'number' ? Array<number>(rank).fill(v) : [...v];

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly options: ConvOptions;
  readonly paddingMode: PaddingMode;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: Pair,
    options: ConvLayerOptions = {},
  ) {
    super();
    checkOptions('Conv2d', options, [
      'stride',
      'padding',
      'dilation',
      'groups',
      'paddingMode',
      'bias',
      'init',
      'generator',
      'dtype',
    ]);
    const groups = checkChannels('Conv2d', inChannels, outChannels, options.groups ?? 1);
    const [kh, kw] = side(kernel);
    this.paddingMode = checkPaddingMode('Conv2d', options.paddingMode ?? 'zeros');
    [this.weight, this.bias] = convParams(
      'Conv2d',
      [outChannels, inChannels / groups, kh, kw],
      (inChannels / groups) * kh * kw,
      outChannels,
      options,
    );
    this.options = { stride: options.stride, padding: options.padding, dilation: options.dilation, groups };
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Conv2d', x);
    if (this.paddingMode === 'zeros') return conv2d(input, this.weight, this.bias, this.options);
    const o = this.options;
    const pads = explicitPads('Conv2d', side(this.kernel), o.padding, asList(o.stride, 1, 2), asList(o.dilation, 1, 2));
    return conv2d(padWith(input, [[0, 0], [0, 0], ...pads], this.paddingMode), this.weight, this.bias, {
      ...o,
      padding: 0,
    });
  }

  protected override describe(): string {
    const o = this.options;
    return (
      `${this.inChannels}, ${this.outChannels}, kernel=${JSON.stringify(this.kernel)}, stride=${JSON.stringify(o.stride ?? 1)}, padding=${JSON.stringify(o.padding ?? 0)}` +
      `${this.paddingMode === 'zeros' ? '' : `, paddingMode=${this.paddingMode}`}${this.bias ? '' : ', bias=false'}`
    );
  }
}

export interface Conv1dLayerOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  paddingMode?: PaddingMode;
  bias?: boolean;
  init?: 'default' | 'kaiming';
  generator?: Generator;
  dtype?: DType;
}

/** 1-D convolution over [N, C, L] sequences (PyTorch's Conv1d: weight [out, in/groups, k]). */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly paddingMode: PaddingMode;
  private readonly convOptions: {
    stride?: number;
    padding?: number | 'same' | 'valid';
    dilation?: number;
    groups: number;
  };

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    options: Conv1dLayerOptions = {},
  ) {
    super();
    checkOptions('Conv1d', options, [
      'stride',
      'padding',
      'dilation',
      'groups',
      'paddingMode',
      'bias',
      'init',
      'generator',
      'dtype',
    ]);
    const groups = checkChannels('Conv1d', inChannels, outChannels, options.groups ?? 1);
    positive('Conv1d', 'kernel', kernel);
    this.paddingMode = checkPaddingMode('Conv1d', options.paddingMode ?? 'zeros');
    [this.weight, this.bias] = convParams(
      'Conv1d',
      [outChannels, inChannels / groups, kernel],
      (inChannels / groups) * kernel,
      outChannels,
      options,
    );
    this.convOptions = { stride: options.stride, padding: options.padding, dilation: options.dilation, groups };
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Conv1d', x);
    const o = this.convOptions;
    if (this.paddingMode === 'zeros') return conv1d(input, this.weight, this.bias, o);
    const [pads] = explicitPads('Conv1d', [this.kernel], o.padding, [o.stride ?? 1], [o.dilation ?? 1]);
    return conv1d(padWith(input, [[0, 0], [0, 0], pads!], this.paddingMode), this.weight, this.bias, {
      ...o,
      padding: 0,
    });
  }

  protected override describe(): string {
    const o = this.convOptions;
    return (
      `${this.inChannels}, ${this.outChannels}, kernel=${this.kernel}, stride=${o.stride ?? 1}, padding=${JSON.stringify(o.padding ?? 0)}` +
      `${this.paddingMode === 'zeros' ? '' : `, paddingMode=${this.paddingMode}`}${this.bias ? '' : ', bias=false'}`
    );
  }
}

export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly options: ConvTransposeOptions;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: Pair,
    options: Omit<ConvLayerOptions, 'padding' | 'paddingMode'> & { padding?: Pair; outputPadding?: Pair } = {},
  ) {
    super();
    checkOptions('ConvTranspose2d', options, [
      'stride',
      'padding',
      'dilation',
      'groups',
      'outputPadding',
      'paddingMode',
      'bias',
      'init',
      'generator',
      'dtype',
    ]);
    const groups = checkChannels('ConvTranspose2d', inChannels, outChannels, options.groups ?? 1);
    if (typeof options.padding === 'string')
      throw new SkipgradError(
        'ConvTranspose2d',
        'padding',
        'a size (one, or [height, width])',
        describe(options.padding),
      );
    if (
      (options as ConvLayerOptions).paddingMode !== undefined &&
      (options as ConvLayerOptions).paddingMode !== 'zeros'
    ) {
      throw new SkipgradError(
        'ConvTranspose2d',
        'paddingMode',
        "'zeros' (as PyTorch's)",
        describe((options as ConvLayerOptions).paddingMode),
      );
    }
    const [kh, kw] = side(kernel, 'ConvTranspose2d');
    [this.weight, this.bias] = convParams(
      'ConvTranspose2d',
      [inChannels, outChannels / groups, kh, kw],
      (outChannels / groups) * kh * kw,
      outChannels,
      options,
    );
    this.options = {
      stride: options.stride,
      padding: options.padding,
      dilation: options.dilation,
      outputPadding: options.outputPadding,
      groups,
    };
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(checkInput('ConvTranspose2d', x), this.weight, this.bias, this.options);
  }

  protected override describe(): string {
    return `${this.inChannels}, ${this.outChannels}, kernel=${JSON.stringify(this.kernel)}, stride=${JSON.stringify(this.options.stride ?? 1)}`;
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernel: Pair,
    readonly options: PoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(checkInput('MaxPool2d', x), this.kernel, this.options);
  }
  protected override describe(): string {
    return `kernel=${JSON.stringify(this.kernel)}${this.options.ceilMode ? ', ceilMode' : ''}`;
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernel: Pair,
    readonly options: AvgPoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(checkInput('AvgPool2d', x), this.kernel, this.options);
  }
  protected override describe(): string {
    return `kernel=${JSON.stringify(this.kernel)}${this.options.ceilMode ? ', ceilMode' : ''}${this.options.countIncludePad === false ? ', countIncludePad=false' : ''}`;
  }
}

/** Average-pools to a fixed output size; `1` gives global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(checkInput('AdaptiveAvgPool2d', x), this.outputSize);
  }
  protected override describe(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/** Max-pools to a fixed output size; `1` gives global max pooling. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(checkInput('AdaptiveMaxPool2d', x), this.outputSize);
  }
  protected override describe(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/**
 * Upsampling: `new Upsample(2)` repeats each pixel (nearest, an integer factor per axis), and
 * `new Upsample({ size, scaleFactor, mode, alignCorners })` resizes as `interpolate` does
 * (PyTorch's nn.Upsample: nearest or bilinear, any size or factor).
 */
export class Upsample extends Module {
  readonly options: InterpolateOptions | null;
  readonly scale: Pair | null;

  constructor(scaleOrOptions: Pair | InterpolateOptions) {
    super();
    const isOptions = typeof scaleOrOptions === 'object' && scaleOrOptions !== null && !Array.isArray(scaleOrOptions);
    this.options = isOptions ? (scaleOrOptions as InterpolateOptions) : null;
    this.scale = isOptions ? null : (scaleOrOptions as Pair);
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('Upsample', x);
    return this.options ? interpolate(input, this.options) : upsampleNearest(input, this.scale!);
  }

  protected override describe(): string {
    if (!this.options) return `scale=${JSON.stringify(this.scale)}, mode=nearest`;
    const o = this.options;
    return [
      o.size !== undefined ? `size=${JSON.stringify(o.size)}` : `scaleFactor=${JSON.stringify(o.scaleFactor)}`,
      `mode=${o.mode ?? 'nearest'}`,
      ...(o.alignCorners ? ['alignCorners'] : []),
    ].join(', ');
  }
}
