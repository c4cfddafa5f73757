/**
 * Experiment 8 — adaptive and hybrid skips.
 *
 * (a) Adaptive residual pathways: a deep residual ReLU MLP whose blocks are x + s·f(x) with the
 *     residual scale s fixed at 1 (a plain residual), or learned: ReZero (a scalar from 0),
 *     SkipInit (a scalar from 1/√depth) and LayerScale (a vector from 0.1). Trained alike with
 *     Adam; every logged step records each block's learned scale (LayerScale: the mean of γ),
 *     which is what shows how much of each branch the network chose to let into the stream.
 * (b) The hybrid: blocks that add (ResNet), that concatenate (DenseNet) and that do both (Dual
 *     Path Networks), each stack sized to the same parameter count, trained alike.
 */
import { Generator } from '@skipgrad/autograd';
import {
  Adam,
  DenseConcat,
  DualPath,
  LayerScale,
  Linear,
  type Module,
  ReLU,
  ReZero,
  Residual,
  Sequential,
  SkipInit,
} from '@skipgrad/nn';
import { PIXELS } from '../data/digits.js';
import { Progress } from '../progress.js';
import { type Curve, evaluate, seedFor, trainClassifier } from '../train.js';
import type { LabContext } from './context.js';

export const SCALE_KINDS = ['fixed', 'rezero', 'skipinit', 'layerscale'] as const;
export type ScaleKind = (typeof SCALE_KINDS)[number];
export const HYBRID_KINDS = ['resnet', 'densenet', 'dual-path'] as const;
export type HybridKind = (typeof HYBRID_KINDS)[number];

export interface ScaleRun {
  kind: ScaleKind;
  loss: Curve;
  divergedAt: number | null;
  finalLoss: number | null;
  testAccuracy: number;
  /** The learned scale of each block (rows: logged steps, starting with step 0; columns: blocks); empty for 'fixed'. */
  scaleSteps: number[];
  scales: number[][];
}

export interface HybridRun {
  kind: HybridKind;
  /** The widths chosen to meet the parameter budget. */
  widths: { residual: number; dense: number; growth: number };
  parameters: number;
  loss: Curve;
  divergedAt: number | null;
  finalLoss: number | null;
  testAccuracy: number;
}

export interface AdaptiveHybridResult {
  settings: LabContext['settings']['adaptiveHybrid'];
  paper: string;
  scaleRuns: ScaleRun[];
  hybridRuns: HybridRun[];
  findings: string[];
}

export const PAPER_ADAPTIVE_HYBRID =
  'Bachlechner et al. (2020, ReZero) and De & Smith (2020, SkipInit): starting each residual branch at ' +
  'scale 0 makes a deep network the identity at initialisation and trains it faster, without normalisation; Touvron et al. (2021, ' +
  'LayerScale): a per-channel scale from a small value lets deeper transformers train. Chen et al. (2017, Dual Path Networks): sharing ' +
  'a residual path (feature re-use) and a dense path (new features) beats ResNet and DenseNet at a smaller parameter count.';

const scaleOf = (block: Module): number | null => {
  if (block instanceof ReZero || block instanceof SkipInit) return block.alpha.item();
  if (block instanceof LayerScale) return block.gamma.mean().item();
  return null;
};

function scaledMlp(
  kind: ScaleKind,
  depth: number,
  width: number,
  g: Generator,
): { model: Sequential; blocks: Module[] } {
  const branch = (): Sequential =>
    new Sequential(new Linear(width, width, { init: 'kaiming', generator: g }), new ReLU());
  const blocks = Array.from({ length: depth }, (): Module => {
    if (kind === 'rezero') return new ReZero(branch());
    if (kind === 'skipinit') return new SkipInit(branch(), { init: 1 / Math.sqrt(depth) });
    if (kind === 'layerscale') return new LayerScale(branch(), width, { init: 0.1 });
    return new Residual(branch());
  });
  const model = new Sequential(
    new Linear(PIXELS, width, { generator: g }),
    new ReLU(),
    ...blocks,
    new Linear(width, 10, { generator: g }),
  );
  return { model, blocks };
}

/** A stack of `blocks` blocks of one hybrid kind on flat digits, with the given widths. */
function hybridMlp(kind: HybridKind, blocks: number, w: HybridRun['widths'], g: Generator): Sequential {
  const linear = (i: number, o: number): Linear => new Linear(i, o, { init: 'kaiming', generator: g });
  const layers: Module[] = [];
  let features: number;
  if (kind === 'resnet') {
    features = w.residual;
    layers.push(linear(PIXELS, features), new ReLU());
    for (let b = 0; b < blocks; b++) layers.push(new Residual(new Sequential(linear(features, features), new ReLU())));
  } else if (kind === 'densenet') {
    features = w.dense;
    layers.push(linear(PIXELS, features), new ReLU());
    for (let b = 0; b < blocks; b++, features += w.growth)
      layers.push(new DenseConcat(new Sequential(linear(features, w.growth), new ReLU()), -1));
  } else {
    features = w.residual + w.dense;
    layers.push(linear(PIXELS, features), new ReLU());
    for (let b = 0; b < blocks; b++, features += w.growth)
      layers.push(new DualPath(new Sequential(linear(features, w.residual + w.growth), new ReLU()), w.residual, -1));
  }
  return new Sequential(...layers, linear(features, 10));
}

/** The parameter count of hybridMlp(kind, blocks, w), counted from the widths (weights + biases of every Linear). */
export function hybridParameters(kind: HybridKind, blocks: number, w: HybridRun['widths']): number {
  const linear = (i: number, o: number): number => i * o + o;
  if (kind === 'resnet')
    return linear(PIXELS, w.residual) + blocks * linear(w.residual, w.residual) + linear(w.residual, 10);
  const start = kind === 'densenet' ? w.dense : w.residual + w.dense;
  const out = kind === 'densenet' ? w.growth : w.residual + w.growth;
  let n = linear(PIXELS, start);
  for (let b = 0; b < blocks; b++) n += linear(start + b * w.growth, out);
  return n + linear(start + blocks * w.growth, 10);
}

/** The widths of `kind` whose parameter count is nearest `budget` (one width k searched, the others tied to it). */
function widthsFor(kind: HybridKind, blocks: number, budget: number): HybridRun['widths'] {
  const tied = (k: number): HybridRun['widths'] =>
    kind === 'resnet'
      ? { residual: k, dense: 0, growth: 0 }
      : kind === 'densenet'
        ? { residual: 0, dense: 2 * k, growth: k }
        : { residual: 2 * k, dense: k, growth: Math.max(1, Math.round(k / 2)) };
  let best = tied(1);
  for (let k = 2; k <= 512; k++) {
    if (
      Math.abs(hybridParameters(kind, blocks, tied(k)) - budget) <
      Math.abs(hybridParameters(kind, blocks, best) - budget)
    )
      best = tied(k);
  }
  return best;
}

export function adaptiveHybrid(ctx: LabContext): AdaptiveHybridResult {
  const s = ctx.settings.adaptiveHybrid;
  const { train, test } = ctx.digits();
  const common = { data: train, layout: 'flat' as const, steps: s.steps, batch: s.batch, logEvery: s.logEvery };
  const batches = (): Generator => new Generator(seedFor(ctx.seed, 'adaptive-hybrid', 'batches'));
  const scaleRuns: ScaleRun[] = [];
  for (const kind of SCALE_KINDS) {
    const { model, blocks } = scaledMlp(
      kind,
      s.depth,
      s.width,
      new Generator(seedFor(ctx.seed, 'adaptive-hybrid', 'scales')),
    );
    const learned = kind !== 'fixed';
    const scales: number[][] = learned ? [blocks.map((b) => scaleOf(b)!)] : [];
    const scaleSteps = learned ? [0] : [];
    const r = trainClassifier({
      ...common,
      model,
      optimizer: new Adam(model.parameters(), { lr: s.lr }),
      generator: batches(),
      afterStep: (step) => {
        if (learned && (step % s.logEvery === 0 || step === s.steps)) {
          scaleSteps.push(step);
          scales.push(blocks.map((b) => scaleOf(b)!));
        }
      },
      progress: new Progress(`residual scale ${kind.padEnd(10)} depth ${s.depth}`, s.steps, ctx.progress),
    });
    scaleRuns.push({
      kind,
      loss: r.loss,
      divergedAt: r.divergedAt,
      finalLoss: r.divergedAt === null ? (r.loss.value.at(-1) ?? null) : null,
      testAccuracy: evaluate(model, test, 'flat', s.evalCount).accuracy,
      scaleSteps,
      scales,
    });
  }
  const budget = hybridParameters('resnet', s.blocks, { residual: s.budgetWidth, dense: 0, growth: 0 });
  const hybridRuns: HybridRun[] = [];
  for (const kind of HYBRID_KINDS) {
    const widths = widthsFor(kind, s.blocks, budget);
    const model = hybridMlp(kind, s.blocks, widths, new Generator(seedFor(ctx.seed, 'adaptive-hybrid', kind)));
    const r = trainClassifier({
      ...common,
      model,
      optimizer: new Adam(model.parameters(), { lr: s.lr }),
      generator: batches(),
      progress: new Progress(`${kind.padEnd(9)} ${s.blocks} blocks`, s.steps, ctx.progress),
    });
    hybridRuns.push({
      kind,
      widths,
      parameters: model.parameterCount(),
      loss: r.loss,
      divergedAt: r.divergedAt,
      finalLoss: r.divergedAt === null ? (r.loss.value.at(-1) ?? null) : null,
      testAccuracy: evaluate(model, test, 'flat', s.evalCount).accuracy,
    });
  }
  return {
    settings: s,
    paper: PAPER_ADAPTIVE_HYBRID,
    scaleRuns,
    hybridRuns,
    findings: adaptiveHybridFindings(scaleRuns, hybridRuns),
  };
}

const loss = (v: number | null): string => (v === null ? 'diverged' : v.toFixed(3));
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function adaptiveHybridFindings(scaleRuns: readonly ScaleRun[], hybridRuns: readonly HybridRun[]): string[] {
  const out = [
    `Residual scales: final loss ${scaleRuns.map((r) => `${r.kind} ${loss(r.finalLoss)}`).join(', ')}; ` +
      `test accuracy ${scaleRuns.map((r) => `${r.kind} ${pct(r.testAccuracy)}`).join(', ')}.`,
  ];
  for (const r of scaleRuns.filter((x) => x.scales.length > 1)) {
    const last = r.scales.at(-1)!;
    const first = r.scales[0]!;
    const moved = last.map((v, i) => Math.abs(v - first[i]!));
    const most = moved.indexOf(Math.max(...moved));
    out.push(
      `${r.kind}: the learned scales went from ${first[0]!.toFixed(3)} to between ${Math.min(...last).toFixed(3)} and ${Math.max(...last).toFixed(3)}; block ${most + 1} moved most.`,
    );
  }
  const byLoss = [...hybridRuns].sort((a, b) => (a.finalLoss ?? Infinity) - (b.finalLoss ?? Infinity));
  out.push(
    `Hybrid at ~${hybridRuns[0]?.parameters.toLocaleString('en-US')} parameters: final loss ${hybridRuns.map((r) => `${r.kind} ${loss(r.finalLoss)} (${r.parameters.toLocaleString('en-US')} params, ${pct(r.testAccuracy)} test)`).join(', ')}.`,
  );
  if (byLoss[0]) {
    out.push(
      byLoss[0].kind === 'dual-path'
        ? 'The dual-path stack trains to the lowest loss, as Chen et al. found on ImageNet.'
        : `The ${byLoss[0].kind} stack trains to the lowest loss here, not the dual-path one Chen et al. found best on ImageNet.`,
    );
  }
  return out;
}
