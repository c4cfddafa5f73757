/**
 * Experiment 5 — the transformer's residual stream, after Xiong et al., "On Layer Normalization
 * in the Transformer Architecture" (2020). A small Vision Transformer on the digits (7×7 patches,
 * 16 tokens and a class token) at two depths, in seven variants: post-LN and pre-LN, each with
 * and without a learning-rate warmup; pre-LN without its residual connections; and two
 * residual scales on the pre-LN stream, ReZero and LayerScale.
 *
 * Measured: the gradient norm of each layer's weights at initialisation (one batch), the
 * training loss, and test accuracy after the same number of AdamW steps.
 */
import { Generator } from '@skipgrad/autograd';
import { AdamW, LRScheduler, type ResidualScale, VisionTransformer, crossEntropy, linearWarmup } from '@skipgrad/nn';
import { Progress } from '../progress.js';
import { type Curve, batchOf, evaluate, gradNorm, seedFor, trainClassifier } from '../train.js';
import type { LabContext } from './context.js';

export const TRANSFORMER_VARIANTS = [
  { name: 'post-LN', normFirst: false, residual: true, residualScale: 'none', warmup: true },
  { name: 'post-LN, no warmup', normFirst: false, residual: true, residualScale: 'none', warmup: false },
  { name: 'pre-LN', normFirst: true, residual: true, residualScale: 'none', warmup: true },
  { name: 'pre-LN, no warmup', normFirst: true, residual: true, residualScale: 'none', warmup: false },
  { name: 'no residual', normFirst: true, residual: false, residualScale: 'none', warmup: true },
  { name: 'ReZero', normFirst: true, residual: true, residualScale: 'rezero', warmup: true },
  { name: 'LayerScale', normFirst: true, residual: true, residualScale: 'layerscale', warmup: true },
] as const satisfies readonly {
  name: string;
  normFirst: boolean;
  residual: boolean;
  residualScale: ResidualScale;
  warmup: boolean;
}[];
export type TransformerVariant = (typeof TRANSFORMER_VARIANTS)[number]['name'];

export interface TransformerRun {
  variant: TransformerVariant;
  depth: number;
  parameters: number;
  /** ‖∂L/∂θ_l‖ over each encoder layer's parameters at initialisation, input → output. */
  initGradNorms: number[];
  loss: Curve;
  divergedAt: number | null;
  finalLoss: number | null;
  testAccuracy: number;
}

export interface TransformerResult {
  settings: LabContext['settings']['transformer'];
  paper: string;
  runs: TransformerRun[];
  findings: string[];
}

export const PAPER_TRANSFORMER =
  "Xiong et al. (2020): at initialisation the post-LN transformer's expected gradients near the output " +
  'layer are large and grow with the layer index, so it needs a learning-rate warmup to train; with the layer norm inside the residual ' +
  'branch (pre-LN) the gradients are well behaved across layers and training works without warmup, and converges faster.';

export function transformer(ctx: LabContext): TransformerResult {
  const s = ctx.settings.transformer;
  const { train, test } = ctx.digits();
  const probe = batchOf(
    train,
    Array.from({ length: Math.min(s.batch, train.count) }, (_, i) => i),
    'image',
  );
  const runs: TransformerRun[] = [];
  for (const depth of s.depths) {
    for (const v of TRANSFORMER_VARIANTS) {
      const model = new VisionTransformer({
        imageSize: train.side,
        patchSize: s.patch,
        classes: 10,
        dim: s.dim,
        depth,
        heads: s.heads,
        mlpDim: s.mlpDim,
        normFirst: v.normFirst,
        residual: v.residual,
        residualScale: v.residualScale,
        generator: new Generator(seedFor(ctx.seed, 'transformer', depth)),
      });
      crossEntropy(model.forward(probe.x), probe.y).backward();
      const initGradNorms = model.layers.map((layer) => gradNorm(layer.parameters()));
      model.zeroGrad();
      const optimizer = new AdamW(model.parameters(), { lr: s.lr, weightDecay: 0.01 });
      const schedule = v.warmup ? new LRScheduler(optimizer, linearWarmup(s.warmupSteps)) : null;
      const r = trainClassifier({
        model,
        optimizer,
        data: train,
        layout: 'image',
        steps: s.steps,
        batch: s.batch,
        logEvery: s.logEvery,
        generator: new Generator(seedFor(ctx.seed, 'transformer', 'batches')),
        afterStep: () => schedule?.step(),
        progress: new Progress(`ViT ${v.name.padEnd(18)} depth ${depth}`, s.steps, ctx.progress),
      });
      runs.push({
        variant: v.name,
        depth,
        parameters: model.parameterCount(),
        initGradNorms,
        loss: r.loss,
        divergedAt: r.divergedAt,
        finalLoss: r.divergedAt === null ? (r.loss.value.at(-1) ?? null) : null,
        testAccuracy: r.divergedAt === null ? evaluate(model, test, 'image', s.evalCount).accuracy : 0,
      });
    }
  }
  return { settings: s, paper: PAPER_TRANSFORMER, runs, findings: transformerFindings(runs) };
}

const loss = (v: number | null): string => (v === null ? 'diverged' : v.toFixed(3));
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function transformerFindings(runs: readonly TransformerRun[]): string[] {
  const out: string[] = [];
  const depths = [...new Set(runs.map((r) => r.depth))];
  const at = (variant: TransformerVariant, depth: number): TransformerRun | undefined =>
    runs.find((r) => r.variant === variant && r.depth === depth);
  const growth = (r: TransformerRun | undefined): number => (r ? r.initGradNorms.at(-1)! / r.initGradNorms[0]! : NaN);
  for (const d of depths) {
    const [post, pre] = [at('post-LN', d), at('pre-LN', d)];
    if (post && pre && d > 1) {
      out.push(
        `Depth ${d}, at initialisation: the last layer's gradient norm over the first's is ${growth(post).toFixed(2)} in post-LN and ${growth(pre).toFixed(2)} in pre-LN` +
          (growth(post) > growth(pre)
            ? " — post-LN's gradients grow toward the output, as the paper found."
            : " — post-LN's do not grow faster toward the output here, unlike the paper."),
      );
    }
    const [postNo, preNo] = [at('post-LN, no warmup', d), at('pre-LN, no warmup', d)];
    if (post && postNo && pre && preNo) {
      const postCost = (postNo.finalLoss ?? Infinity) - (post.finalLoss ?? Infinity);
      const preCost = (preNo.finalLoss ?? Infinity) - (pre.finalLoss ?? Infinity);
      out.push(
        `Depth ${d}, final loss with / without warmup: post-LN ${loss(post.finalLoss)} / ${loss(postNo.finalLoss)}, pre-LN ${loss(pre.finalLoss)} / ${loss(preNo.finalLoss)}. ` +
          (postCost > preCost
            ? 'Dropping the warmup costs post-LN more than pre-LN, as the paper found.'
            : 'Dropping the warmup did not cost post-LN more than pre-LN in this run, unlike the paper.'),
      );
    }
    const none = at('no residual', d);
    if (pre && none) {
      out.push(
        `Depth ${d}: without its residual connections the pre-LN ViT ends at loss ${loss(none.finalLoss)} and ${pct(none.testAccuracy)} test accuracy, against ${loss(pre.finalLoss)} and ${pct(pre.testAccuracy)} with them.`,
      );
    }
    const best = runs
      .filter((r) => r.depth === d && r.finalLoss !== null)
      .sort((a, b) => a.finalLoss! - b.finalLoss!)[0];
    if (best)
      out.push(
        `Depth ${d}: lowest final training loss ${loss(best.finalLoss)} (${best.variant}), test accuracy ${pct(best.testAccuracy)}.`,
      );
  }
  return out;
}
