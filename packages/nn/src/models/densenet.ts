/**
 * DenseNet (Huang et al., 2017). Inside a dense block, layer l sees the concatenation of the
 * block input and all l earlier outputs, and adds k ("growth rate") new channels:
 *
 *   dense layer:   y = concat([x, H(x)], channels),  H = BN → relu → 1×1 conv (4k, the
 *                  bottleneck of DenseNet-B) → BN → relu → 3×3 conv (k)
 *   transition:    BN → relu → 1×1 conv (⌊θ·C⌋ channels, compression θ) → 2×2 average pool
 *
 * A block of L layers turns C channels into C + L·k. DenseNet-BC (bottleneck + compression
 * θ = 0.5) of depth d has (d − 4)/6 layers per block over three blocks.
 */
import type { Generator } from '@skipgrad/tensor';
import {
  SkipgradError,
  checkBoolean,
  checkGenerator,
  checkInteger,
  checkOptions,
  checkSize,
  describe,
} from '@skipgrad/tensor';
import { Flatten, ReLU } from '../layers/basic.js';
import { Sequential } from '../layers/containers.js';
import { AdaptiveAvgPool2d, AvgPool2d, Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { BatchNorm2d } from '../layers/norm.js';
import type { Module } from '../module.js';
import { DenseConcat } from '../skip/residual.js';

const conv = (i: number, o: number, k: number, g?: Generator): Conv2d =>
  new Conv2d(i, o, k, { padding: (k - 1) / 2, bias: false, init: 'kaiming', generator: g });

/**
 * One DenseNet layer: concat([x, H(x)]) with H = BN-ReLU-1×1 conv (4k)-BN-ReLU-3×3 conv (k).
 *
 * @example
 * denseLayer(4, 2).forward(randn([2, 4, 3, 3])).shape; // [2, 6, 3, 3]
 */
export function denseLayer(
  inC: number,
  growth: number,
  options: { bottleneck?: boolean; generator?: Generator } = {},
): DenseConcat {
  checkInteger('denseLayer', 'inC', inC, 1);
  checkInteger('denseLayer', 'growth', growth, 1);
  checkSize('denseLayer', [4 * growth, inC + 4 * growth, 3, 3], 4, 'growth');
  const o = checkOptions<{ bottleneck?: boolean; generator?: Generator }>('denseLayer', options, [
    'bottleneck',
    'generator',
  ]);
  if (o.bottleneck !== undefined) checkBoolean('denseLayer', 'bottleneck', o.bottleneck);
  const g = checkGenerator('denseLayer', 'generator', o.generator);
  const h =
    o.bottleneck === false
      ? new Sequential(new BatchNorm2d(inC), new ReLU(), conv(inC, growth, 3, g))
      : new Sequential(
          new BatchNorm2d(inC),
          new ReLU(),
          conv(inC, 4 * growth, 1, g),
          new BatchNorm2d(4 * growth),
          new ReLU(),
          conv(4 * growth, growth, 3, g),
        );
  return new DenseConcat(h, 1);
}

/**
 * L dense layers: C → C + L·k channels.
 *
 * @example
 * denseBlock(4, 3, 2).forward(randn([2, 4, 3, 3])).shape; // [2, 10, 3, 3]
 */
export function denseBlock(
  inC: number,
  layers: number,
  growth: number,
  o: { bottleneck?: boolean; generator?: Generator } = {},
): Sequential {
  checkInteger('denseBlock', 'inC', inC, 1);
  checkInteger('denseBlock', 'layers', layers, 1);
  checkInteger('denseBlock', 'growth', growth, 1);
  checkSize('denseBlock', [4 * growth, inC + layers * growth, 3, 3], 4, 'growth');
  checkOptions('denseBlock', o, ['bottleneck', 'generator']);
  checkGenerator('denseBlock', 'generator', o.generator);
  return new Sequential(...Array.from({ length: layers }, (_, l) => denseLayer(inC + l * growth, growth, o)));
}

/**
 * DenseNet's transition: BN → ReLU → 1×1 conv → 2×2 average pooling.
 *
 * @example
 * transition(8, 4).forward(randn([2, 8, 4, 4])).shape; // [2, 4, 2, 2]
 */
export function transition(inC: number, outC: number, g?: Generator): Sequential {
  checkInteger('transition', 'inC', inC, 1);
  checkInteger('transition', 'outC', outC, 1);
  checkSize('transition', [outC, inC], 8, 'outC');
  checkGenerator('transition', 'g', g);
  return new Sequential(new BatchNorm2d(inC), new ReLU(), conv(inC, outC, 1, g), new AvgPool2d(2));
}

export interface DenseNetOptions {
  /** 3L + 4 layers for DenseNet-BC: 40 gives 6 layers per block. Default 40. */
  depth?: number;
  growth?: number;
  /** θ in (0, 1]. Default 0.5. */
  compression?: number;
  classes?: number;
  inChannels?: number;
  generator?: Generator;
}

/**
 * DenseNet-BC: three dense blocks with bottlenecks and compressing transitions.
 *
 * @example
 * denseNetBC({ depth: 100 }).parameterCount(); // 769162
 */
export function denseNetBC(options: DenseNetOptions = {}): Sequential {
  const o = checkOptions<DenseNetOptions>('denseNetBC', options, [
    'depth',
    'growth',
    'compression',
    'classes',
    'inChannels',
    'generator',
  ]);
  for (const name of ['growth', 'classes', 'inChannels'] as const)
    if (o[name] !== undefined) checkInteger('denseNetBC', name, o[name], 1);
  checkGenerator('denseNetBC', 'generator', o.generator);
  const depth = o.depth ?? 40;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw new SkipgradError(
      'denseNetBC',
      'depth',
      '6L + 4 for a positive integer L (10, 16, 40, 100, …)',
      describe(depth),
    );
  }
  const k = o.growth ?? 12;
  const theta = o.compression ?? 0.5;
  if (!(theta > 0 && theta <= 1))
    throw new SkipgradError('denseNetBC', 'compression', 'a number in (0, 1]', describe(theta));
  const L = (depth - 4) / 6;
  const g = o.generator;
  let channels = 2 * k;
  const layers: Module[] = [conv(o.inChannels ?? 3, channels, 3, g)];
  for (let b = 0; b < 3; b++) {
    layers.push(denseBlock(channels, L, k, { generator: g }));
    channels += L * k;
    if (b < 2) {
      const out = Math.floor(theta * channels);
      layers.push(transition(channels, out, g));
      channels = out;
    }
  }
  layers.push(
    new BatchNorm2d(channels),
    new ReLU(),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(channels, o.classes ?? 10, { generator: g }),
  );
  return new Sequential(...layers);
}
