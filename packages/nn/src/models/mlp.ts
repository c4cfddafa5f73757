/**
 * MLPs of a given depth in four flavours, for comparing what skip connections do:
 *
 *   plain:    x → [Linear → act] × depth → Linear(classes)
 *   residual: x → Linear(width) → [x + act(Linear(x))] × depth → Linear(classes)
 *   highway:  x → Linear(width) → [Highway] × depth → Linear(classes)
 *   dense:    x → Linear(width) → [concat(x, act(Linear(x)))]… → Linear(classes)
 *             (each dense layer adds `growth` features; the head sees them all)
 *
 * All layers but the input projection and head have the same width, so the depth is the only
 * thing that changes between runs.
 */
import { type Generator, SkipgradError, checkGenerator, checkOptions, describe } from '@skipgrad/tensor';
import { ReLU, Tanh } from '../layers/basic.js';
import { Sequential } from '../layers/containers.js';
import { Linear } from '../layers/linear.js';
import type { Module } from '../module.js';
import { Highway } from '../skip/highway.js';
import { DenseConcat, Residual } from '../skip/residual.js';

export type MLPKind = 'plain' | 'residual' | 'highway' | 'dense';

export interface MLPOptions {
  inFeatures: number;
  width: number;
  depth: number;
  classes: number;
  kind: MLPKind;
  activation?: 'relu' | 'tanh';
  /** Weight initialisation of the Linear layers (see Linear). Default: PyTorch's. */
  init?: 'default' | 'kaiming' | 'xavier';
  /** The highway layers' transform-gate bias (highway kind; see Highway). Default −2. */
  gateBias?: number;
  /** Features each dense layer adds (dense kind). Default width / 4. */
  growth?: number;
  generator?: Generator;
}

/**
 * An MLP of a given depth: plain, residual, highway or dense.
 *
 * @example
 * mlp({ inFeatures: 4, width: 8, depth: 3, classes: 2, kind: 'residual' }).forward(randn([5, 4])).shape; // [5, 2]
 */
export function mlp(options: MLPOptions): Sequential {
  const o = checkOptions<MLPOptions>(
    'mlp',
    options,
    ['inFeatures', 'width', 'depth', 'classes', 'kind', 'activation', 'init', 'gateBias', 'growth', 'generator'],
    'options',
    true,
  ) as MLPOptions;
  checkGenerator('mlp', 'generator', o.generator);
  for (const k of ['inFeatures', 'width', 'depth', 'classes'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new SkipgradError('mlp', k, 'a positive integer', describe(o[k]));
  }
  if (!['plain', 'residual', 'highway', 'dense'].includes(o.kind)) {
    throw new SkipgradError('mlp', 'kind', "'plain', 'residual', 'highway' or 'dense'", describe(o.kind));
  }
  const activation = o.activation ?? 'tanh';
  const init = o.init ?? 'default';
  const g = o.generator;
  const act = (): Module => (activation === 'relu' ? new ReLU() : new Tanh());
  const linear = (i: number, out: number): Linear => new Linear(i, out, { init, generator: g });
  const layers: Module[] = [];
  let features = o.width;
  if (o.kind === 'plain') {
    layers.push(linear(o.inFeatures, o.width), act());
    for (let i = 1; i < o.depth; i++) layers.push(linear(o.width, o.width), act());
  } else {
    layers.push(linear(o.inFeatures, o.width), act());
    const growth = o.growth ?? Math.max(1, Math.floor(o.width / 4));
    for (let i = 1; i < o.depth; i++) {
      if (o.kind === 'residual') layers.push(new Residual(new Sequential(linear(o.width, o.width), act())));
      else if (o.kind === 'highway')
        layers.push(new Highway(o.width, { activation, gateBias: o.gateBias, generator: g }));
      else {
        layers.push(new DenseConcat(new Sequential(linear(features, growth), act()), -1));
        features += growth;
      }
    }
  }
  layers.push(linear(features, o.classes));
  return new Sequential(...layers);
}
