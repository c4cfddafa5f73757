/**
 * ResNet blocks and the CIFAR-style ResNets of He et al. (2015, §4.2), with their plain
 * counterparts: the same layers without the shortcuts.
 *
 *   basic block:       y = relu(F(x) + S(x)),  F = conv3×3 → BN → relu → conv3×3 → BN
 *   pre-activation:    y = F(x) + S(x),        F = BN → relu → conv3×3 → BN → relu → conv3×3
 *                      (He et al., 2016; S here projects the raw input)
 *   bottleneck:        y = relu(F(x) + S(x)),  F = 1×1 (reduce) → 3×3 → 1×1 (expand ×4), each with BN
 *
 * S is the identity, or a projection (1×1 conv with the stride + BN) when the channels or the
 * stride change. ResNet-(6n+2): a 3×3 conv to 16 channels, three stages of n blocks at 16, 32
 * and 64 channels (stride 2 entering stages 2 and 3), global average pooling, a linear head.
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
import { AdaptiveAvgPool2d, Conv2d } from '../layers/conv.js';
import { Linear } from '../layers/linear.js';
import { BatchNorm2d } from '../layers/norm.js';
import type { Module } from '../module.js';
import { Residual } from '../skip/residual.js';

export interface BlockOptions {
  stride?: number;
  /** Drop the shortcut (the "plain" network of the paper's comparison). */
  plain?: boolean;
  generator?: Generator;
}

const conv = (i: number, o: number, k: number, stride: number, g?: Generator): Conv2d =>
  new Conv2d(i, o, k, { stride, padding: (k - 1) / 2, bias: false, init: 'kaiming', generator: g });

/** The projection shortcut when shapes change, else null (the identity). */
function shortcut(inC: number, outC: number, stride: number, g?: Generator): Module | null {
  return inC === outC && stride === 1 ? null : new Sequential(conv(inC, outC, 1, stride, g), new BatchNorm2d(outC));
}

/** Wraps F into y = F(x) + S(x) (or just F(x) when plain), then a ReLU after the sum where asked (the post-activation blocks). */
function withSkip(f: Module, s: Module | null, o: { plain: boolean; reluAfter: boolean }): Module {
  const body: Module = o.plain ? f : new Residual(f, s ?? undefined);
  return o.reluAfter ? new Sequential(body, new ReLU()) : body;
}

/** A block builder's arguments: channel counts >= 1 and its options, under the builder's name. */
function blockArgs(
  op: string,
  inC: unknown,
  outC: unknown,
  options: unknown,
  outName = 'outC',
): BlockOptions & { stride: number } {
  checkInteger(op, 'inC', inC, 1);
  checkInteger(op, outName, outC, 1);
  checkSize(op, [(outC as number) * 4, (inC as number) + (outC as number) * 4, 3, 3], 4, outName); // the largest filter bank any block makes
  const o = checkOptions<BlockOptions>(op, options, ['stride', 'plain', 'generator']);
  if (o.plain !== undefined) checkBoolean(op, 'plain', o.plain);
  checkGenerator(op, 'generator', o.generator);
  return { ...o, stride: checkInteger(op, 'stride', o.stride ?? 1, 1) };
}

/**
 * ResNet's basic block: relu(F(x) + S(x)) with F two 3×3 conv + BN, S the identity or a projection.
 *
 * @example
 * basicBlock(16, 32, { stride: 2 }).forward(randn([1, 16, 8, 8])).shape; // [1, 32, 4, 4]
 */
export function basicBlock(inC: number, outC: number, options: BlockOptions = {}): Module {
  const o = blockArgs('basicBlock', inC, outC, options);
  const stride = o.stride;
  const f = new Sequential(
    conv(inC, outC, 3, stride, o.generator),
    new BatchNorm2d(outC),
    new ReLU(),
    conv(outC, outC, 3, 1, o.generator),
    new BatchNorm2d(outC),
  );
  return withSkip(f, shortcut(inC, outC, stride, o.generator), { plain: o.plain ?? false, reluAfter: true });
}

/**
 * The pre-activation block (He et al., 2016): F(x) + S(x) with F = BN → relu → conv → BN → relu → conv.
 *
 * @example
 * preActBlock(16, 16).forward(randn([2, 16, 4, 4])).shape; // [2, 16, 4, 4]
 */
export function preActBlock(inC: number, outC: number, options: BlockOptions = {}): Module {
  const o = blockArgs('preActBlock', inC, outC, options);
  const stride = o.stride;
  const f = new Sequential(
    new BatchNorm2d(inC),
    new ReLU(),
    conv(inC, outC, 3, stride, o.generator),
    new BatchNorm2d(outC),
    new ReLU(),
    conv(outC, outC, 3, 1, o.generator),
  );
  const s = inC === outC && stride === 1 ? null : conv(inC, outC, 1, stride, o.generator);
  return withSkip(f, s, { plain: o.plain ?? false, reluAfter: false }); // pre-activation: nothing after the sum
}

/**
 * Bottleneck with `mid` channels inside and 4·mid out.
 *
 * @example
 * bottleneckBlock(8, 4).forward(randn([2, 8, 4, 4])).shape; // [2, 16, 4, 4]
 */
export function bottleneckBlock(inC: number, mid: number, options: BlockOptions = {}): Module {
  const o = blockArgs('bottleneckBlock', inC, mid, options, 'mid');
  const stride = o.stride;
  const out = 4 * mid;
  const f = new Sequential(
    conv(inC, mid, 1, 1, o.generator),
    new BatchNorm2d(mid),
    new ReLU(),
    conv(mid, mid, 3, stride, o.generator),
    new BatchNorm2d(mid),
    new ReLU(),
    conv(mid, out, 1, 1, o.generator),
    new BatchNorm2d(out),
  );
  return withSkip(f, shortcut(inC, out, stride, o.generator), { plain: o.plain ?? false, reluAfter: true });
}

export interface ResNetOptions {
  /** 6n + 2: 20, 32, 56, 110, … */
  depth: number;
  classes?: number;
  inChannels?: number;
  /** Channels of the first stage (doubled in each later stage). Default 16. */
  width?: number;
  plain?: boolean;
  preActivation?: boolean;
  generator?: Generator;
}

/**
 * CIFAR-style ResNet-(6n+2), or its plain counterpart. ResNet-20 has about 0.27M parameters.
 *
 * @example
 * resnetCifar({ depth: 20 }).parameterCount(); // 272474
 */
export function resnetCifar(options: ResNetOptions): Sequential {
  const o = checkOptions<ResNetOptions>(
    'resnetCifar',
    options,
    ['depth', 'classes', 'inChannels', 'width', 'plain', 'preActivation', 'generator'],
    'options',
    true,
  ) as ResNetOptions;
  for (const name of ['classes', 'inChannels', 'width'] as const)
    if (o[name] !== undefined) checkInteger('resnetCifar', name, o[name], 1);
  checkGenerator('resnetCifar', 'generator', o.generator);
  if (!Number.isInteger(o.depth) || o.depth < 8 || (o.depth - 2) % 6 !== 0) {
    throw new SkipgradError(
      'resnetCifar',
      'depth',
      '6n + 2 for a positive integer n (20, 32, 56, …)',
      describe(o.depth),
    );
  }
  const n = (o.depth - 2) / 6;
  const w = o.width ?? 16;
  const g = o.generator;
  const block = o.preActivation ? preActBlock : basicBlock;
  const layers: Module[] = [conv(o.inChannels ?? 3, w, 3, 1, g), new BatchNorm2d(w), new ReLU()];
  let channels = w;
  for (const [stage, outC] of [w, 2 * w, 4 * w].entries()) {
    for (let i = 0; i < n; i++) {
      layers.push(block(channels, outC, { stride: stage > 0 && i === 0 ? 2 : 1, plain: o.plain, generator: g }));
      channels = outC;
    }
  }
  if (o.preActivation) layers.push(new BatchNorm2d(channels), new ReLU());
  layers.push(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(channels, o.classes ?? 10, { generator: g }));
  return new Sequential(...layers);
}
