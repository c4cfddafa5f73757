/**
 * The lab's three presets. `default` was sized to finish in about two minutes on a 2-core
 * machine on the plain-JS reference backend (9–11 s on the wasm backend on a fast day, 23–29 s on a
 * slow one) for its first four experiments, and the four after them (transformer, rank collapse,
 * identity construction, adaptive-hybrid) add ~20 s on the wasm backend (~70 s on a slow day), the
 * transformer ~13 s of it; `full` runs the papers'
 * depths (MLPs of 10 to 100 layers, ResNet-20 against ResNet-56 as in He et al.'s Fig. 6) with
 * five times the training and a small learning-rate search per configuration, as the Highway
 * paper did — about an hour on 2 cores on the reference (measured per step there: the 100-layer
 * highway MLP 0.32 s at batch 64, ResNet-56 ~1 s at batch 32); still far shorter than the
 * papers' training; `tiny`
 * runs every experiment in seconds (the tests use it; it measures nothing worth reading).
 */
import type { MLPKind } from '@skipgrad/nn';

export type Preset = 'tiny' | 'default' | 'full';
export const EXPERIMENTS = [
  'gradient-flow',
  'trainability',
  'degradation',
  'long-skips',
  'transformer',
  'rank-collapse',
  'identity-construction',
  'adaptive-hybrid',
] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export interface LabSettings {
  preset: Preset;
  data: { train: number; test: number };
  gradientFlow: { depths: number[]; kinds: MLPKind[]; width: number; batch: number; activation: 'tanh' | 'relu' };
  trainability: {
    depths: number[];
    kinds: ('plain' | 'highway')[];
    plainWidth: number;
    highwayWidth: number;
    gateBias: number;
    steps: number;
    batch: number;
    learningRates: number[];
    momentum: number;
    activation: 'tanh' | 'relu';
    evalCount: number;
    logEvery: number;
  };
  degradation: {
    depths: number[];
    width: number;
    steps: number;
    batch: number;
    lr: number;
    momentum: number;
    evalCount: number;
    logEvery: number;
  };
  longSkips: {
    side: number;
    train: number;
    test: number;
    steps: number;
    batch: number;
    lr: number;
    depth: number;
    width: number;
    masksShown: number;
    logEvery: number;
  };
  transformer: {
    depths: number[];
    patch: number;
    dim: number;
    heads: number;
    mlpDim: number;
    steps: number;
    batch: number;
    lr: number;
    warmupSteps: number;
    evalCount: number;
    logEvery: number;
  };
  rankCollapse: { depth: number; patch: number; dim: number; heads: number; batch: number };
  identityConstruction: {
    shallowDepth: number;
    deepDepth: number;
    width: number;
    init: 'default' | 'kaiming';
    residualInit: 'default' | 'kaiming';
    clipNorm: number | null;
    steps: number;
    batch: number;
    lr: number;
    momentum: number;
    evalCount: number;
    logEvery: number;
  };
  adaptiveHybrid: {
    depth: number;
    width: number;
    blocks: number;
    budgetWidth: number;
    steps: number;
    batch: number;
    lr: number;
    evalCount: number;
    logEvery: number;
  };
}

export function presetSettings(preset: Preset): LabSettings {
  if (preset === 'tiny') {
    return {
      preset,
      data: { train: 600, test: 200 },
      gradientFlow: {
        depths: [3, 6],
        kinds: ['plain', 'residual', 'highway', 'dense'],
        width: 16,
        batch: 16,
        activation: 'tanh',
      },
      trainability: {
        depths: [3],
        kinds: ['plain', 'highway'],
        plainWidth: 14,
        highwayWidth: 10,
        gateBias: -4,
        steps: 6,
        batch: 16,
        learningRates: [0.02],
        momentum: 0.9,
        activation: 'relu',
        evalCount: 64,
        logEvery: 2,
      },
      degradation: { depths: [8], width: 2, steps: 4, batch: 8, lr: 0.05, momentum: 0.9, evalCount: 32, logEvery: 2 },
      longSkips: {
        side: 8,
        train: 32,
        test: 8,
        steps: 4,
        batch: 8,
        lr: 0.01,
        depth: 1,
        width: 2,
        masksShown: 2,
        logEvery: 2,
      },
      transformer: {
        depths: [1, 2],
        patch: 14,
        dim: 8,
        heads: 2,
        mlpDim: 8,
        steps: 4,
        batch: 8,
        lr: 0.003,
        warmupSteps: 2,
        evalCount: 32,
        logEvery: 2,
      },
      rankCollapse: { depth: 3, patch: 14, dim: 8, heads: 2, batch: 4 },
      identityConstruction: {
        shallowDepth: 2,
        deepDepth: 4,
        width: 8,
        init: 'kaiming',
        residualInit: 'default',
        clipNorm: 5,
        steps: 4,
        batch: 8,
        lr: 0.05,
        momentum: 0.9,
        evalCount: 32,
        logEvery: 2,
      },
      adaptiveHybrid: {
        depth: 3,
        width: 8,
        blocks: 2,
        budgetWidth: 8,
        steps: 4,
        batch: 8,
        lr: 0.001,
        evalCount: 32,
        logEvery: 2,
      },
    };
  }
  const full = preset === 'full';
  return {
    preset,
    data: { train: full ? 8000 : 6000, test: 2000 },
    gradientFlow: {
      depths: [10, 20, 50, 100],
      kinds: ['plain', 'residual', 'highway', 'dense'],
      width: 64,
      batch: 128,
      activation: 'tanh',
    },
    trainability: {
      depths: full ? [10, 20, 50, 100] : [10, 20, 50],
      kinds: ['plain', 'highway'],
      plainWidth: 71,
      highwayWidth: 50,
      gateBias: -4,
      steps: full ? 600 : 120,
      batch: full ? 64 : 32,
      learningRates: full ? [0.01, 0.03, 0.1] : [0.03],
      momentum: 0.9,
      activation: 'relu',
      evalCount: full ? 2000 : 1000,
      logEvery: full ? 50 : 10,
    },
    degradation: {
      depths: full ? [20, 56] : [8, 20],
      width: 4,
      steps: full ? 400 : 80,
      batch: 32,
      lr: 0.05,
      momentum: 0.9,
      evalCount: full ? 2000 : 500,
      logEvery: full ? 50 : 10,
    },
    longSkips: {
      side: 16,
      train: full ? 2000 : 400,
      test: full ? 400 : 100,
      steps: full ? 800 : 80,
      batch: 16,
      lr: 0.01,
      depth: 2,
      width: full ? 8 : 4,
      masksShown: 4,
      logEvery: full ? 40 : 8,
    },
    transformer: {
      depths: full ? [2, 4, 8] : [2, 4],
      patch: 7,
      dim: 32,
      heads: 4,
      mlpDim: 64,
      steps: full ? 400 : 100,
      batch: 32,
      lr: 0.003,
      warmupSteps: full ? 100 : 20,
      evalCount: full ? 2000 : 500,
      logEvery: full ? 25 : 10,
    },
    rankCollapse: { depth: full ? 24 : 12, patch: 7, dim: 32, heads: 4, batch: 16 },
    identityConstruction: {
      shallowDepth: 4,
      deepDepth: full ? 40 : 20,
      width: 64,
      init: 'kaiming',
      residualInit: 'default',
      clipNorm: 5,
      steps: full ? 600 : 150,
      batch: 32,
      lr: 0.01,
      momentum: 0.9,
      evalCount: full ? 2000 : 1000,
      logEvery: full ? 25 : 10,
    },
    adaptiveHybrid: {
      depth: full ? 50 : 20,
      width: 64,
      blocks: 6,
      budgetWidth: 64,
      steps: full ? 600 : 150,
      batch: 32,
      lr: 0.001,
      evalCount: full ? 2000 : 1000,
      logEvery: full ? 25 : 10,
    },
  };
}
