/**
 * U-Net (Ronneberger et al., 2015): an encoder that halves the resolution and doubles the
 * channels at each level, a decoder that upsamples back, and the long skips — each decoder
 * level concatenates the encoder feature of the same resolution before its conv block:
 *
 *   enc_i = block(pool(enc_{i−1}))           dec_i = block(concat([enc_i, up(dec_{i+1})], channels))
 *
 * Odd sizes: 2×2 max pooling floors (7 → 3), and the transposed conv doubles (3 → 6), so the
 * upsampled feature is zero-padded on the bottom/right to the encoder feature's size before
 * the concat. The output therefore always has the input's spatial size.
 * With `skip: false` the concat is dropped (the decoder sees only the upsampled path).
 */
import { type Tensor, concat } from '@skipgrad/autograd';
import {
  type Generator,
  SkipgradError,
  checkBoolean,
  checkGenerator,
  checkInteger,
  checkOptions,
  checkSize,
  describe,
  formatShape,
} from '@skipgrad/tensor';
import { ReLU } from '../layers/basic.js';
import { ModuleList, Sequential } from '../layers/containers.js';
import { Conv2d, ConvTranspose2d, MaxPool2d } from '../layers/conv.js';
import { BatchNorm2d } from '../layers/norm.js';
import { Module, checkInput } from '../module.js';

/**
 * U-Net's conv block: two (3×3 conv → BN → ReLU).
 *
 * @example
 * convBlock(1, 4).forward(randn([2, 1, 5, 5])).shape; // [2, 4, 5, 5]
 */
export function convBlock(inC: number, outC: number, g?: Generator): Sequential {
  checkInteger('convBlock', 'inC', inC, 1);
  checkInteger('convBlock', 'outC', outC, 1);
  checkSize('convBlock', [outC, inC + outC, 3, 3], 4, 'outC');
  checkGenerator('convBlock', 'g', g);
  const conv = (i: number, o: number): Conv2d =>
    new Conv2d(i, o, 3, { padding: 1, bias: false, init: 'kaiming', generator: g });
  return new Sequential(
    conv(inC, outC),
    new BatchNorm2d(outC),
    new ReLU(),
    conv(outC, outC),
    new BatchNorm2d(outC),
    new ReLU(),
  );
}

export interface UNetOptions {
  inChannels: number;
  outChannels: number;
  /** Number of poolings. Default 3. */
  depth?: number;
  /** Channels of the first level (doubled per level). Default 16. */
  width?: number;
  /** Keep the long skip connections (default true). */
  skip?: boolean;
  generator?: Generator;
}

export class UNet extends Module {
  readonly depth: number;
  readonly skip: boolean;
  encoders: ModuleList;
  ups: ModuleList;
  decoders: ModuleList;
  pool = new MaxPool2d(2);
  head: Conv2d;

  constructor(options: UNetOptions) {
    super();
    const o = checkOptions<UNetOptions>(
      'UNet',
      options,
      ['inChannels', 'outChannels', 'depth', 'width', 'skip', 'generator'],
      'options',
      true,
    ) as UNetOptions;
    checkInteger('UNet', 'inChannels', o.inChannels, 1);
    checkInteger('UNet', 'outChannels', o.outChannels, 1);
    if (o.width !== undefined) checkInteger('UNet', 'width', o.width, 2);
    if (o.skip !== undefined) checkBoolean('UNet', 'skip', o.skip);
    checkGenerator('UNet', 'generator', o.generator);
    this.depth = o.depth ?? 3;
    if (!Number.isInteger(this.depth) || this.depth < 1)
      throw new SkipgradError('UNet', 'depth', 'a positive integer', describe(o.depth));
    this.skip = o.skip ?? true;
    const w = o.width ?? 16;
    const g = o.generator;
    const widths = Array.from({ length: this.depth + 1 }, (_, i) => w * 2 ** i);
    this.encoders = new ModuleList(widths.map((c, i) => convBlock(i === 0 ? o.inChannels : widths[i - 1]!, c, g)));
    this.ups = new ModuleList(
      widths.slice(1).map((c) => new ConvTranspose2d(c, c / 2, 2, { stride: 2, generator: g })),
    );
    this.decoders = new ModuleList(widths.slice(0, -1).map((c) => convBlock(this.skip ? 2 * c : c, c, g)));
    this.head = new Conv2d(w, o.outChannels, 1, { generator: g });
  }

  forward(x: Tensor): Tensor {
    const input = checkInput('UNet', x);
    if (input.rank !== 4)
      throw new SkipgradError('UNet', 'x', 'a tensor of shape [N, C, H, W]', `shape ${formatShape(input.shape)}`);
    const minSide = 2 ** this.depth;
    if (input.shape[2]! < minSide || input.shape[3]! < minSide) {
      throw new SkipgradError(
        'UNet',
        'x',
        `spatial sides of at least ${minSide} (2^depth)`,
        `shape ${formatShape(input.shape)}`,
      );
    }
    const features: Tensor[] = [];
    let h = input;
    for (const [i, encoder] of [...this.encoders].entries()) {
      h = encoder.forward(i === 0 ? h : this.pool.forward(h));
      features.push(h);
    }
    for (let level = this.depth - 1; level >= 0; level--) {
      const skipFeature = features[level]!;
      let up = this.ups.at(level)!.forward(h);
      const [dh, dw] = [skipFeature.shape[2]! - up.shape[2]!, skipFeature.shape[3]! - up.shape[3]!];
      if (dh > 0 || dw > 0)
        up = up.pad([
          [0, 0],
          [0, 0],
          [0, dh],
          [0, dw],
        ]);
      h = this.decoders.at(level)!.forward(this.skip ? concat([skipFeature, up], 1) : up);
    }
    return this.head.forward(h);
  }

  protected override describe(): string {
    return `depth=${this.depth}, skip=${this.skip}`;
  }
}
