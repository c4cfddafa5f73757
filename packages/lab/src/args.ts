/**
 * The lab's command line, parsed with node:util's parseArgs, then checked: every bad flag is
 * an error that names the flag, what it accepts and what it got.
 */
import { parseArgs } from 'node:util';
import { EXPERIMENTS, type ExperimentName, type Preset } from './settings.js';

export interface LabArgs {
  experiments: ExperimentName[];
  preset: Preset;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu' | 'gpujs';
  mode: 'auto' | 'gpu' | 'webasm' | 'cpu';
  /** wasm threads (null: the available cores). */
  threads: number | null;
  depths: number[] | null;
  steps: number | null;
  progress: boolean;
  quiet: boolean;
  /** Write the trained models as ONNX files next to the report (degradation's). */
  exportOnnx: boolean;
  help: boolean;
  version: boolean;
}

export class LabUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabUsageError';
  }
}

export const HELP = `skipgrad-lab — what skip connections do to gradients and training, measured on real MNIST digits

Usage: skipgrad-lab [experiment ...] [options]        (in this repository: npm run lab -- [...])

Experiments (default: all eight, in this order):
  gradient-flow   gradient norm of every layer at initialisation: plain, residual, highway, dense MLPs
  trainability    plain vs highway MLPs trained at growing depth (after Srivastava et al., 2015, Fig. 1)
  degradation     plain CNN vs its ResNet at two depths: training error (after He et al., 2015)
  long-skips      a small U-Net with and without its long skips on generated shapes: IoU and masks
  transformer     a small ViT on the digits: post-LN vs pre-LN (± warmup), no residual, ReZero, LayerScale (after Xiong et al., 2020)
  rank-collapse   how fast tokens collapse to one vector through attention, with and without skips and MLPs (after Dong et al., 2021)
  identity-construction  a trained shallow net plus identity layers vs deep plain and residual nets from scratch (He et al.'s argument)
  adaptive-hybrid learned residual scales (ReZero, SkipInit, LayerScale) on a deep MLP; dual-path vs ResNet vs DenseNet blocks

Options:
  --seed <n>          seed for data split, initialisation and batches (default 2026); same seed, same numbers
  --full              the papers' depths (MLPs to 100 layers, ResNet-56), longer training, a learning-rate search; 7–20 min on 2 cores
  --tiny              every experiment in seconds (a smoke test; the numbers mean little)
  --depths <list>     depths for gradient-flow and trainability, e.g. 10,20,50
  --steps <n>         training steps per model (every experiment that trains)
  --out <dir>         where results.json and report.html go (default ./lab-report)
  --backend <name>    wasm (default: WebAssembly SIMD on every core), cpu (the plain-JS reference) or gpujs
  --threads <n>       wasm threads (default: the cores available)
  --mode <mode>       gpujs mode: auto (default), gpu, webasm or cpu
  --export-onnx       write degradation's trained models as ONNX files next to the report
  --no-progress       no progress bars (the summary still prints)
  --quiet             print only the report's path
  -h, --help          this help
  -v, --version       the version

The default run takes 1 to 1.5 minutes on a 2-core machine (wasm backend) and writes
lab-report/results.json and lab-report/report.html (open it in any browser, offline).`;

const positiveInt = (flag: string, text: string): number => {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < 1)
    throw new LabUsageError(`--${flag}: expected a positive integer, got '${text}'`);
  return v;
};

export function parseLabArgs(argv: readonly string[]): LabArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        seed: { type: 'string' },
        full: { type: 'boolean' },
        tiny: { type: 'boolean' },
        depths: { type: 'string' },
        steps: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        mode: { type: 'string' },
        threads: { type: 'string' },
        'no-progress': { type: 'boolean' },
        'export-onnx': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new LabUsageError(`${(e as Error).message.replace(/\. To specify.*$/s, '')} (see --help)`);
  }
  const { values: v, positionals } = parsed;
  for (const name of positionals) {
    if (!(EXPERIMENTS as readonly string[]).includes(name)) {
      throw new LabUsageError(`unknown experiment '${name}': expected one of ${EXPERIMENTS.join(', ')}`);
    }
  }
  if (v.full && v.tiny) throw new LabUsageError('--full and --tiny: expected at most one of them, got both');
  let seed = 2026;
  if (v.seed !== undefined) {
    seed = Number(v.seed);
    if (!/^\d+$/.test(v.seed.trim()) || !Number.isSafeInteger(seed) || seed > 0xffffffff) {
      throw new LabUsageError(`--seed: expected an integer from 0 to 4294967295, got '${v.seed}'`);
    }
  }
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu' && backend !== 'gpujs')
    throw new LabUsageError(`--backend: expected wasm, cpu or gpujs, got '${backend}'`);
  const mode = v.mode ?? 'auto';
  if (!['auto', 'gpu', 'webasm', 'cpu'].includes(mode))
    throw new LabUsageError(`--mode: expected auto, gpu, webasm or cpu, got '${mode}'`);
  if (v.mode !== undefined && backend !== 'gpujs')
    throw new LabUsageError(`--mode: only applies to --backend gpujs, got --backend ${backend}`);
  const threads = v.threads === undefined ? null : positiveInt('threads', v.threads);
  if (threads !== null && backend !== 'wasm')
    throw new LabUsageError(`--threads: only applies to --backend wasm, got --backend ${backend}`);
  if (threads !== null && threads > 64) throw new LabUsageError(`--threads: expected at most 64, got '${v.threads}'`);
  const depths = v.depths === undefined ? null : v.depths.split(',').map((d) => positiveInt('depths', d));
  const order = EXPERIMENTS as readonly string[];
  if (v['export-onnx'] && positionals.length > 0 && !positionals.includes('degradation')) {
    throw new LabUsageError(
      `--export-onnx: applies to degradation (the experiment whose trained models are written), got ${positionals.join(', ')}`,
    );
  }
  return {
    experiments:
      positionals.length === 0
        ? [...EXPERIMENTS]
        : [...new Set(positionals as ExperimentName[])].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
    preset: v.full ? 'full' : v.tiny ? 'tiny' : 'default',
    seed,
    out: v.out ?? 'lab-report',
    backend,
    mode: mode as LabArgs['mode'],
    threads,
    depths,
    steps: v.steps === undefined ? null : positiveInt('steps', v.steps),
    progress: !v['no-progress'] && !v.quiet,
    quiet: v.quiet ?? false,
    exportOnnx: v['export-onnx'] ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}
