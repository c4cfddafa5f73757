/**
 * Experiment 1 — gradient flow at initialisation.
 *
 * For plain, residual, highway and dense MLPs of several depths, one forward and backward pass
 * on the same batch of real digits, then the gradient norm ‖∂L/∂W_l‖ of every layer's weight
 * matrix, input projection to head. In a plain tanh network each layer multiplies the gradient
 * by W_lᵀ·diag(tanh′), whose norm is below 1 at PyTorch's default initialisation, so it
 * shrinks geometrically with depth; an identity path (residual, highway's carry, dense's
 * concat) adds a term that does not shrink.
 */
import { Generator } from '@skipgrad/autograd';
import { type MLPKind, crossEntropy, mlp } from '@skipgrad/nn';
import { Progress } from '../progress.js';
import { batchOf, seedFor } from '../train.js';
import type { LabContext } from './context.js';

export interface GradientFlowRun {
  kind: MLPKind;
  depth: number;
  /** The weight matrices, in network order (highway layers: the transform H; gates left out). */
  layers: string[];
  /** ‖∂L/∂W‖ (Frobenius) per layer, same order. */
  gradNorms: number[];
  /** First hidden layer's norm over the last hidden layer's. */
  firstOverLast: number;
}

export interface GradientFlowResult {
  settings: LabContext['settings']['gradientFlow'];
  runs: GradientFlowRun[];
  /** plain's first-layer gradient norm over residual's, per depth: how much the skip saves. */
  plainOverResidualFirstLayer: { depth: number; ratio: number }[];
}

export function gradientFlow(ctx: LabContext): GradientFlowResult {
  const s = ctx.settings.gradientFlow;
  const { train } = ctx.digits();
  const g = new Generator(seedFor(ctx.seed, 'gradient-flow', 'batch'));
  const batch = Array.from({ length: Math.min(s.batch, train.count) }, () => Math.floor(g.uniform() * train.count));
  const { x, y } = batchOf(train, batch, 'flat');
  const runs: GradientFlowRun[] = [];
  const bar = new Progress('gradient flow   ', s.depths.length * s.kinds.length, ctx.progress);
  for (const depth of s.depths) {
    for (const kind of s.kinds) {
      const model = mlp({
        inFeatures: x.shape[1]!,
        width: s.width,
        depth,
        classes: 10,
        kind,
        activation: s.activation,
        generator: new Generator(seedFor(ctx.seed, 'gradient-flow', kind, depth)),
      });
      crossEntropy(model.forward(x), y).backward();
      const layers: string[] = [];
      const gradNorms: number[] = [];
      for (const [name, p] of model.namedParameters()) {
        if (!name.endsWith('weight') || name.endsWith('gate.weight')) continue;
        layers.push(name);
        gradNorms.push(Math.sqrt(p.grad!.mul(p.grad!).sum().item()));
      }
      // Hidden layers: all but the head (the last weight); the first is the input projection.
      const firstOverLast = gradNorms[0]! / gradNorms[gradNorms.length - 2]!;
      runs.push({ kind, depth, layers, gradNorms, firstOverLast });
      bar.tick(1, `${kind} depth ${depth}`);
    }
  }
  bar.finish();
  const plainOverResidualFirstLayer = s.depths.flatMap((depth) => {
    const plain = runs.find((r) => r.kind === 'plain' && r.depth === depth);
    const residual = runs.find((r) => r.kind === 'residual' && r.depth === depth);
    return plain && residual ? [{ depth, ratio: plain.gradNorms[0]! / residual.gradNorms[0]! }] : [];
  });
  return { settings: s, runs, plainOverResidualFirstLayer };
}
