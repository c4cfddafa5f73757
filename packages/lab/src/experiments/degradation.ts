/**
 * Experiment 3 — degradation, after He et al., "Deep Residual Learning for Image Recognition"
 * (2015), §4.2 / Figure 6: a plain CNN and its ResNet counterpart (the same layers plus
 * identity shortcuts) at two depths. The paper found the deeper plain network has a *higher
 * training error* than the shallower one — not overfitting, an optimisation difficulty — and
 * that with shortcuts the deeper network trains better instead.
 *
 * The networks are the CIFAR-style ResNet-(6n+2) of the paper at a reduced width, on the
 * digits halved to 14×14 so that they train in seconds on a CPU.
 */
import { Generator } from '@skipgrad/autograd';
import { SGD, resnetCifar } from '@skipgrad/nn';
import { halve } from '../data/digits.js';
import { Progress } from '../progress.js';
import { type Curve, batchOf, evaluate, seedFor, trainClassifier } from '../train.js';
import type { LabContext } from './context.js';

export interface DegradationRun {
  kind: 'plain' | 'residual';
  depth: number;
  parameters: number;
  /** Training error (fraction of wrong training examples) over training. */
  trainError: Curve;
  loss: Curve;
  divergedAt: number | null;
  finalTrainError: number | null;
  testError: number;
}

export interface DegradationResult {
  settings: LabContext['settings']['degradation'];
  paper: string;
  runs: DegradationRun[];
  findings: string[];
}

export const PAPER_DEGRADATION =
  'He et al. (2015, Fig. 6, CIFAR-10): the 56-layer plain network has a higher training error ' +
  'than the 20-layer one throughout training, while ResNet-56 trains to a lower error than ResNet-20.';

export function degradation(ctx: LabContext): DegradationResult {
  const s = ctx.settings.degradation;
  const digits = ctx.digits();
  const train = halve(digits.train);
  const test = halve(digits.test);
  const runs: DegradationRun[] = [];
  for (const depth of s.depths) {
    for (const kind of ['plain', 'residual'] as const) {
      const model = resnetCifar({
        depth,
        width: s.width,
        inChannels: 1,
        classes: 10,
        plain: kind === 'plain',
        generator: new Generator(seedFor(ctx.seed, 'degradation', kind, depth)),
      });
      const progress = new Progress(
        `${kind === 'plain' ? 'plain CNN' : 'ResNet   '} depth ${String(depth).padStart(2)}`,
        s.steps,
        ctx.progress,
      );
      const r = trainClassifier({
        model,
        optimizer: new SGD(model.parameters(), { lr: s.lr, momentum: s.momentum }),
        data: train,
        layout: 'image',
        steps: s.steps,
        batch: s.batch,
        logEvery: s.logEvery,
        generator: new Generator(seedFor(ctx.seed, 'degradation', 'batches')),
        progress,
      });
      runs.push({
        kind,
        depth,
        parameters: model.parameterCount(),
        trainError: r.error,
        loss: r.loss,
        divergedAt: r.divergedAt,
        finalTrainError: r.divergedAt === null ? (r.error.value.at(-1) ?? null) : null,
        testError: 1 - evaluate(model, test, 'image', s.evalCount).accuracy,
      });
      ctx.keep?.(`degradation-${kind === 'plain' ? 'plain' : 'resnet'}-${depth}`, model, batchOf(test, [0], 'image').x);
    }
  }
  return { settings: s, paper: PAPER_DEGRADATION, runs, findings: degradationFindings(runs) };
}

const pct = (v: number | null): string => (v === null ? 'diverged' : `${(v * 100).toFixed(1)}%`);

export function degradationFindings(runs: readonly DegradationRun[]): string[] {
  const depths = [...new Set(runs.map((r) => r.depth))].sort((a, b) => a - b);
  const out = ['plain', 'residual'].map(
    (kind) =>
      `${kind}: final training error ${depths
        .map((d) => {
          const r = runs.find((x) => x.kind === kind && x.depth === d);
          return `${pct(r?.finalTrainError ?? null)} at depth ${d}`;
        })
        .join(', ')}.`,
  );
  if (depths.length >= 2) {
    const [lo, hi] = [depths[0]!, depths.at(-1)!];
    const e = (kind: string, d: number): number =>
      runs.find((x) => x.kind === kind && x.depth === d)?.finalTrainError ?? Infinity;
    out.push(
      e('plain', hi) > e('plain', lo)
        ? `As in the paper, the deeper plain network ends with the higher training error (depth ${hi} vs ${lo}).`
        : `Unlike the paper, the deeper plain network did not end with a higher training error in this short run (depth ${hi} vs ${lo}).`,
    );
    out.push(
      e('residual', hi) < e('residual', lo)
        ? `As in the paper, the deeper ResNet ends with the lower training error (${pct(e('residual', hi))} at depth ${hi} vs ${pct(e('residual', lo))} at ${lo}).`
        : `Unlike the paper, the deeper ResNet did not end below the shallower one (${pct(e('residual', hi))} at depth ${hi} vs ${pct(e('residual', lo))} at ${lo}).`,
    );
    out.push(
      e('residual', hi) < e('plain', hi)
        ? `At depth ${hi} the shortcuts lower the training error (${pct(e('residual', hi))} vs ${pct(e('plain', hi))} plain).`
        : `At depth ${hi} the shortcuts did not lower the training error in this run (${pct(e('residual', hi))} vs ${pct(e('plain', hi))} plain).`,
    );
  }
  return out;
}
