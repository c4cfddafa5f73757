import { describe, expect, test } from 'vitest';
import { HELP, LabUsageError, parseLabArgs } from '../src/args.js';
import { settingsFor } from '../src/run.js';
import { EXPERIMENTS } from '../src/settings.js';

const fails = (argv: string[], message: RegExp): void => {
  expect(() => parseLabArgs(argv)).toThrow(LabUsageError);
  expect(() => parseLabArgs(argv)).toThrow(message);
};

describe('lab command line', () => {
  test('defaults: all experiments, default preset, seed 2026, cpu, ./lab-report, progress on', () => {
    expect(parseLabArgs([])).toEqual({
      experiments: [...EXPERIMENTS],
      preset: 'default',
      seed: 2026,
      out: 'lab-report',
      backend: 'wasm',
      mode: 'auto',
      threads: null,
      depths: null,
      steps: null,
      progress: true,
      quiet: false,
      exportOnnx: false,
      help: false,
      version: false,
    });
  });

  test('experiments by name run in the lab order, each once', () => {
    expect(parseLabArgs(['long-skips', 'gradient-flow', 'long-skips']).experiments).toEqual([
      'gradient-flow',
      'long-skips',
    ]);
    expect(parseLabArgs(['trainability']).experiments).toEqual(['trainability']);
  });

  test('flags', () => {
    const a = parseLabArgs([
      '--seed',
      '7',
      '--full',
      '--out',
      'x/y',
      '--depths',
      '10,20',
      '--steps',
      '30',
      '--no-progress',
    ]);
    expect(a).toMatchObject({ seed: 7, preset: 'full', out: 'x/y', depths: [10, 20], steps: 30, progress: false });
    expect(parseLabArgs(['--tiny']).preset).toBe('tiny');
    expect(parseLabArgs(['degradation', '--export-onnx']).exportOnnx).toBe(true);
    fails(
      ['gradient-flow', '--export-onnx'],
      /^--export-onnx: applies to degradation \(the experiment whose trained models are written\), got gradient-flow$/,
    );
    expect(parseLabArgs(['--quiet'])).toMatchObject({ quiet: true, progress: false });
    expect(parseLabArgs(['--backend', 'gpujs', '--mode', 'webasm'])).toMatchObject({
      backend: 'gpujs',
      mode: 'webasm',
    });
    expect(parseLabArgs(['--threads', '1'])).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(parseLabArgs(['--backend', 'cpu'])).toMatchObject({ backend: 'cpu', threads: null });
    expect(parseLabArgs(['-h']).help).toBe(true);
    expect(parseLabArgs(['--version']).version).toBe(true);
  });

  test('bad input names the flag, what it takes and what it got', () => {
    fails(
      ['gradient-flo'],
      /unknown experiment 'gradient-flo': expected one of gradient-flow, trainability, degradation, long-skips/,
    );
    fails(['--seed', 'abc'], /--seed: expected an integer from 0 to 4294967295, got 'abc'/);
    fails(['--seed', '-3'], /--seed/);
    fails(['--seed', '1.5'], /--seed: expected an integer/);
    fails(['--depths', '10,x'], /--depths: expected a positive integer, got 'x'/);
    fails(['--depths', '0'], /--depths: expected a positive integer, got '0'/);
    fails(['--steps', '2.5'], /--steps: expected a positive integer, got '2.5'/);
    fails(['--backend', 'cuda'], /--backend: expected wasm, cpu or gpujs, got 'cuda'/);
    fails(['--threads', '0'], /--threads: expected a positive integer, got '0'/);
    fails(['--threads', '99'], /--threads: expected at most 64, got '99'/);
    fails(['--backend', 'cpu', '--threads', '2'], /--threads: only applies to --backend wasm, got --backend cpu/);
    fails(['--backend', 'gpujs', '--mode', 'fast'], /--mode: expected auto, gpu, webasm or cpu, got 'fast'/);
    fails(['--mode', 'gpu'], /--mode: only applies to --backend gpujs/);
    fails(['--full', '--tiny'], /--full and --tiny: expected at most one of them, got both/);
    fails(['--epochs', '3'], /Unknown option '--epochs'.*see --help/);
    fails(['--seed'], /--seed.*argument missing|argument/);
  });

  test('--depths and --steps override the preset where they apply', () => {
    const s = settingsFor({ preset: 'tiny', depths: [4, 5], steps: 3 });
    expect(s.gradientFlow.depths).toEqual([4, 5]);
    expect(s.trainability.depths).toEqual([4, 5]);
    expect([s.trainability.steps, s.degradation.steps, s.longSkips.steps]).toEqual([3, 3, 3]);
    expect(settingsFor({ preset: 'default', depths: null, steps: null }).gradientFlow.depths).toEqual([
      10, 20, 50, 100,
    ]);
  });

  test('the help lists every experiment and flag', () => {
    for (const name of [
      ...EXPERIMENTS,
      '--seed',
      '--full',
      '--tiny',
      '--depths',
      '--steps',
      '--out',
      '--backend',
      '--threads',
      '--mode',
      '--no-progress',
      '--quiet',
      '--help',
    ]) {
      expect(HELP).toContain(name);
    }
  });
});
