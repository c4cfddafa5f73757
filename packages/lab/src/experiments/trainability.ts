/**
 * Experiment 2 — trainability versus depth, after Srivastava, Greff & Schmidhuber, "Highway
 * Networks" (2015) / "Training Very Deep Networks" (NeurIPS 2015), Figure 1: thin plain and
 * highway MLPs of growing depth trained on MNIST with SGD and momentum. Widths follow the
 * paper (71 units per plain layer, 50 per highway layer, so a layer of each has about the
 * same parameter count). Where several learning rates are given (--full), each configuration
 * keeps its best, as the paper kept the best of a random hyperparameter search.
 *
 * The transform gates start at bias −4 (T ≈ 0.02, each layer carries 98% of its input). The
 * carry path multiplies the gradient by about 1 − T per layer: at the Highway layer's default
 * −2 that is 0.88⁴⁹ ≈ 0.002 across 50 layers, and in our short default run the 50-layer
 * highway networks did not leave the loss of chance; at −4 it is 0.98⁴⁹ ≈ 0.4 and they train.
 */
import { Generator } from '@skipgrad/autograd';
import { SGD, mlp } from '@skipgrad/nn';
import { Progress } from '../progress.js';
import { type Curve, evaluate, seedFor, trainClassifier } from '../train.js';
import type { LabContext } from './context.js';

export interface TrainabilityRun {
  kind: 'plain' | 'highway';
  depth: number;
  width: number;
  parameters: number;
  /** The learning rate kept (the best final training loss among those tried). */
  lr: number;
  /** Final training loss of every learning rate tried (null: diverged). */
  tried: { lr: number; finalLoss: number | null }[];
  loss: Curve;
  divergedAt: number | null;
  finalLoss: number | null;
  trainAccuracy: number;
  testAccuracy: number;
}

export interface TrainabilityResult {
  settings: LabContext['settings']['trainability'];
  paper: string;
  runs: TrainabilityRun[];
  findings: string[];
}

export const PAPER_FINDING =
  'Srivastava et al. (2015, Fig. 1) trained plain and highway MLPs of depth 10, 20, 50 and 100 on MNIST ' +
  '(71 units per plain layer, 50 per highway layer; SGD with momentum; the best of a random hyperparameter search per network). ' +
  'As we read the figure: plain networks train worse as depth grows and the 50- and 100-layer plain nets barely reduce the loss, ' +
  'while highway networks of every depth reach a low training loss, the deeper ones no slower than the shallow ones.';

export function trainability(ctx: LabContext): TrainabilityResult {
  const s = ctx.settings.trainability;
  const { train, test } = ctx.digits();
  const runs: TrainabilityRun[] = [];
  for (const depth of s.depths) {
    for (const kind of s.kinds) {
      const width = kind === 'plain' ? s.plainWidth : s.highwayWidth;
      let best: (TrainabilityRun & { model: ReturnType<typeof mlp> }) | null = null;
      const tried: TrainabilityRun['tried'] = [];
      for (const lr of s.learningRates) {
        const model = mlp({
          inFeatures: train.side * train.side,
          width,
          depth,
          classes: 10,
          kind,
          activation: s.activation,
          gateBias: s.gateBias,
          init: s.activation === 'relu' ? 'kaiming' : 'xavier',
          generator: new Generator(seedFor(ctx.seed, 'trainability', kind, depth)),
        });
        const progress = new Progress(
          `${kind.padEnd(8)} depth ${String(depth).padStart(3)}${s.learningRates.length > 1 ? ` lr ${lr}` : ''}`,
          s.steps,
          ctx.progress,
        );
        const r = trainClassifier({
          model,
          optimizer: new SGD(model.parameters(), { lr, momentum: s.momentum }),
          data: train,
          layout: 'flat',
          steps: s.steps,
          batch: s.batch,
          logEvery: s.logEvery,
          generator: new Generator(seedFor(ctx.seed, 'trainability', 'batches', depth)),
          progress,
        });
        const finalLoss = r.divergedAt === null ? (r.loss.value.at(-1) ?? null) : null;
        tried.push({ lr, finalLoss });
        const better = best === null || (finalLoss !== null && (best.finalLoss === null || finalLoss < best.finalLoss));
        if (better) {
          best = {
            kind,
            depth,
            width,
            parameters: model.parameterCount(),
            lr,
            tried,
            loss: r.loss,
            divergedAt: r.divergedAt,
            finalLoss,
            trainAccuracy: 0,
            testAccuracy: 0,
            model,
          };
        }
      }
      const { model, ...run } = best!;
      run.trainAccuracy = evaluate(model, train, 'flat', s.evalCount).accuracy;
      run.testAccuracy = evaluate(model, test, 'flat', s.evalCount).accuracy;
      runs.push(run);
    }
  }
  return { settings: s, paper: PAPER_FINDING, runs, findings: findings(runs) };
}

const fmt = (v: number | null): string => (v === null ? 'diverged' : v.toFixed(3));

/** What this run found, in sentences, from the numbers alone (no claim the numbers do not make). */
export function findings(runs: readonly TrainabilityRun[]): string[] {
  const out: string[] = [];
  const depths = [...new Set(runs.map((r) => r.depth))].sort((a, b) => a - b);
  for (const kind of ['plain', 'highway'] as const) {
    const mine = depths.map((d) => runs.find((r) => r.kind === kind && r.depth === d)).filter((r) => r !== undefined);
    if (mine.length === 0) continue;
    out.push(
      `${kind}: final training loss ${mine.map((r) => `${fmt(r.finalLoss)} at depth ${r.depth}`).join(', ')}; ` +
        `test accuracy ${mine.map((r) => `${(r.testAccuracy * 100).toFixed(1)}%`).join(', ')}.`,
    );
  }
  const deepest = depths.at(-1);
  const shallowest = depths[0];
  const at = (kind: string, d: number | undefined): TrainabilityRun | undefined =>
    runs.find((r) => r.kind === kind && r.depth === d);
  const [p0, p1, h1] = [at('plain', shallowest), at('plain', deepest), at('highway', deepest)];
  if (p0 && p1 && h1 && deepest !== shallowest) {
    const plainWorse = p1.finalLoss === null || (p0.finalLoss !== null && p1.finalLoss > p0.finalLoss);
    out.push(
      plainWorse
        ? `As in the paper, the plain network trains worse at depth ${deepest} than at depth ${shallowest}.`
        : `Unlike the paper, the plain network at depth ${deepest} trained as well as at depth ${shallowest} in this run.`,
    );
    const highwayBetter = h1.finalLoss !== null && (p1.finalLoss === null || h1.finalLoss < p1.finalLoss);
    out.push(
      highwayBetter
        ? `As in the paper, at depth ${deepest} the highway network reaches a lower training loss than the plain one (${fmt(h1.finalLoss)} vs ${fmt(p1.finalLoss)}).`
        : `Unlike the paper, at depth ${deepest} the highway network did not beat the plain one (${fmt(h1.finalLoss)} vs ${fmt(p1.finalLoss)}).`,
    );
  }
  return out;
}
