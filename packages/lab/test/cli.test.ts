// The command as a user runs it: a child process, exit codes, stdout/stderr, files written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const lab = (...argv: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['--conditions=source', join(root, 'packages/lab/src/cli.ts'), ...argv],
    { encoding: 'utf8', cwd: root },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('skipgrad-lab, the command', () => {
  test('--help prints the usage and exits 0', () => {
    const r = lab('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: skipgrad-lab [experiment ...] [options]');
  });

  test('a bad flag exits 2 with one line that says what is wrong', () => {
    const r = lab('--seed', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("skipgrad-lab: --seed: expected an integer from 0 to 4294967295, got 'x'");
    expect(r.stdout).toBe('');
  });

  test("--export-onnx writes degradation's trained models; ONNX Runtime runs them with any batch and agrees with the run's test error", async () => {
    const out = mkdtempSync(join(tmpdir(), 'skipgrad-lab-'));
    const r = lab('degradation', '--tiny', '--export-onnx', '--out', out, '--no-progress');
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      results: {
        degradation: { runs: { kind: string; depth: number; testError: number }[]; settings: { evalCount: number } };
      };
    };
    const { runs, settings } = results.results.degradation;
    const ort = await import('onnxruntime-node');
    const { halve, loadDigits, split } = await import('@skipgrad/lab');
    const { Generator } = await import('@skipgrad/tensor');
    const { seedFor } = await import('../src/train.js');
    const { presetSettings } = await import('../src/settings.js');
    const data = presetSettings('tiny').data;
    const test = halve(split(loadDigits(), data.train, data.test, new Generator(seedFor(2026, 'split'))).test);
    for (const run of runs) {
      const path = join(out, `degradation-${run.kind === 'plain' ? 'plain' : 'resnet'}-${run.depth}.onnx`);
      expect(r.stdout).toContain(`onnx:    ${path}`);
      const session = await ort.InferenceSession.create(path);
      const n = settings.evalCount;
      const images = new ort.Tensor('float32', test.images.slice(0, n * test.side * test.side), [
        n,
        1,
        test.side,
        test.side,
      ]);
      const logits = (await session.run({ images })).logits!;
      expect(logits.dims).toEqual([n, 10]);
      const values = logits.data as Float32Array;
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        const row = Array.from(values.subarray(10 * i, 10 * i + 10));
        if (row.indexOf(Math.max(...row)) !== test.labels[i]) wrong++;
      }
      expect(wrong / n).toBeCloseTo(run.testError, 10); // the same predictions as the engine's own evaluation
    }
  }, 60_000);

  test('a run writes results.json and report.html, prints the summary and the report path', () => {
    const out = mkdtempSync(join(tmpdir(), 'skipgrad-lab-'));
    const r = lab('long-skips', '--tiny', '--out', out);
    expect(r.code).toBe(0);
    const report = join(out, 'report.html');
    expect(r.stdout).toContain(`report:  ${report}`);
    expect(r.stdout).toContain('Long skips');
    // Not a terminal: each progress bar prints one line when it finishes, on stderr.
    expect(r.stderr).toMatch(/U-Net with skips +\[█+\] 4\/4 in [\d.]+s {2}IoU/);
    expect(existsSync(report)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiments).toEqual(['long-skips']);
  });

  test('an --out that cannot be a folder is refused before any training', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'skipgrad-lab-')), 'a-file');
    writeFileSync(file, 'x');
    const r = lab('gradient-flow', '--tiny', '--out', join(file, 'report'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `skipgrad-lab: --out: expected a folder that can be created and written, got '${join(file, 'report')}' (ENOTDIR)`,
    );
    expect(r.stdout).toBe('');
  });

  test('--quiet prints only the report path', () => {
    const out = mkdtempSync(join(tmpdir(), 'skipgrad-lab-'));
    const r = lab('gradient-flow', '--tiny', '--quiet', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`report:  ${join(out, 'report.html')}\n`);
    expect(r.stderr).toBe('');
  });
});

describe('skipgrad-lab --backend gpujs', () => {
  test('runs the experiment on gpu.js and records the mode that ran', () => {
    const out = mkdtempSync(join(tmpdir(), 'skipgrad-lab-'));
    const r = lab('gradient-flow', '--tiny', '--backend', 'gpujs', '--mode', 'webasm', '--out', out);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.backend).toEqual({ name: 'gpujs', mode: 'webasm' });
    expect(r.stdout).toContain('backend gpujs (webasm)');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('gpujs (webasm)');
  });
});
