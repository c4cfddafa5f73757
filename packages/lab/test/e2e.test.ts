// A tiny end-to-end run of every experiment (seconds), checked against the published JSON
// schema; the HTML report's plots and self-containment; determinism of the results.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { setBackend } from '@skipgrad/autograd';
import { cpuBackend, createGpujsBackend } from '@skipgrad/kernels';
import { parseLabArgs } from '../src/args.js';
import { renderReport } from '../src/report/html.js';
import { toJson } from '../src/report/json.js';
import { type LabResults, runLab } from '../src/run.js';
import { EXPERIMENTS } from '../src/settings.js';
import { summary } from '../src/summary.js';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../results.schema.json', import.meta.url)), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const tiny = (...argv: string[]): LabResults => runLab(parseLabArgs(['--tiny', '--no-progress', ...argv]));
/** The results as they are written to disk and read back: what a user's script sees. */
const written = (r: LabResults): Record<string, unknown> => JSON.parse(toJson(r));
const withoutRun = (r: LabResults): unknown => ({ ...written(r), run: null });

const all = tiny();

describe('the lab, end to end (tiny preset)', () => {
  test('results.json matches its schema', () => {
    const ok = validate(written(all));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(Object.keys(all.results)).toEqual([...EXPERIMENTS]);
  });

  test('the schema rejects what it must', () => {
    const broken = written(all) as { results: { trainability: { runs: { testAccuracy: number }[] } }; schema: string };
    broken.results.trainability.runs[0]!.testAccuracy = 1.5;
    expect(validate(broken)).toBe(false);
    expect(validate({ ...written(all), schema: 'skipgrad-lab/0' })).toBe(false);
    expect(validate({ ...written(all), extra: 1 })).toBe(false);
  });

  test.each(EXPERIMENTS.map((e) => [e]))('%s runs alone and reports only itself', (name) => {
    const r = tiny(name);
    expect(validate(written(r))).toBe(true);
    expect(Object.keys(r.results)).toEqual([name]);
    expect(r.experiments).toEqual([name]);
    expect(Object.keys(r.run.seconds)).toEqual([name]);
    // Running an experiment alone gives the numbers it gives in the full run.
    expect(written(r).results).toEqual({ [name]: (written(all).results as Record<string, unknown>)[name] });
  });

  test('what each experiment measured is there and has the right shape', () => {
    const gf = all.results['gradient-flow']!;
    expect(gf.runs.map((x) => `${x.kind}@${x.depth}`)).toEqual([
      'plain@3',
      'residual@3',
      'highway@3',
      'dense@3',
      'plain@6',
      'residual@6',
      'highway@6',
      'dense@6',
    ]);
    for (const run of gf.runs) {
      // input projection, hidden layers, head
      expect(run.gradNorms).toHaveLength(run.depth + 1);
      expect(run.layers).toHaveLength(run.depth + 1);
      expect(run.gradNorms.every((g) => g > 0)).toBe(true);
    }
    const plain6 = gf.runs.find((x) => x.kind === 'plain' && x.depth === 6)!;
    const residual6 = gf.runs.find((x) => x.kind === 'residual' && x.depth === 6)!;
    expect(gf.plainOverResidualFirstLayer.find((x) => x.depth === 6)!.ratio).toBeCloseTo(
      plain6.gradNorms[0]! / residual6.gradNorms[0]!,
      12,
    );
    const tr = all.results.trainability!;
    expect(tr.runs.map((x) => x.kind)).toEqual(['plain', 'highway']);
    expect(tr.runs[0]!.loss.step).toEqual([2, 4, 6]);
    expect(tr.findings.length).toBeGreaterThan(0);
    expect(tr.paper).toContain('Srivastava');
    const dg = all.results.degradation!;
    expect(dg.runs.map((x) => x.kind)).toEqual(['plain', 'residual']);
    expect(dg.runs[0]!.parameters).toBeLessThan(dg.runs[1]!.parameters); // the shortcut projections
    const ls = all.results['long-skips']!;
    expect(ls.runs.map((x) => x.skip)).toEqual([true, false]);
    expect(ls.runs[0]!.samples).toHaveLength(2);
    expect(ls.runs[0]!.samples[0]!.input).toHaveLength(64);
    const tf = all.results.transformer!;
    expect(tf.runs).toHaveLength(7 * 2); // seven variants at two depths
    for (const run of tf.runs) expect(run.initGradNorms).toHaveLength(run.depth);
    expect(tf.runs.filter((x) => x.variant === 'no residual').every((x) => x.initGradNorms.every((g) => g > 0))).toBe(
      true,
    );
    const rc = all.results['rank-collapse']!;
    expect(rc.runs.map((x) => x.stack)).toEqual([
      'attention',
      'attention + skip',
      'attention + MLP',
      'attention + MLP + skip',
    ]);
    for (const run of rc.runs) expect(run.residual).toHaveLength(rc.settings.depth + 1);
    // Every stack starts from the same embedded tokens; pure attention ends nearer rank 1 than with its skip.
    expect(new Set(rc.runs.map((x) => x.residual[0])).size).toBe(1);
    expect(rc.runs[0]!.residual.at(-1)!).toBeLessThan(rc.runs[1]!.residual.at(-1)!);
    const ic = all.results['identity-construction']!;
    expect(ic.atConstruction.identical).toBe(true); // the identity layers change the loss by not one bit
    expect(ic.runs.map((x) => [x.network, x.depth, x.startStep])).toEqual([
      ['shallow', 2, 0],
      ['constructed', 4, 4],
      ['plain', 4, 0],
      ['residual', 4, 0],
    ]);
    const ah = all.results['adaptive-hybrid']!;
    expect(ah.scaleRuns.map((x) => x.kind)).toEqual(['fixed', 'rezero', 'skipinit', 'layerscale']);
    expect(ah.scaleRuns[0]!.scales).toEqual([]);
    const rezero = ah.scaleRuns[1]!;
    expect(rezero.scales[0]).toEqual(Array(ah.settings.depth).fill(0)); // ReZero starts every block at α = 0…
    expect(rezero.scales.at(-1)!.some((a) => a !== 0)).toBe(true); // …and learns
    expect(rezero.scaleSteps).toEqual([0, 2, 4]);
    expect(ah.hybridRuns.map((x) => x.kind)).toEqual(['resnet', 'densenet', 'dual-path']);
    const [resnet, ...others] = ah.hybridRuns;
    for (const run of others)
      expect(Math.abs(run.parameters - resnet!.parameters) / resnet!.parameters).toBeLessThan(0.25);
  });

  test('the summary prints a table per experiment', () => {
    const text = summary(all);
    for (const heading of [
      'Gradient flow at initialisation',
      'Trainability',
      'Degradation',
      'Long skips',
      'Transformer',
      'Rank collapse',
      'Identity construction',
      'Adaptive scales',
    ]) {
      expect(text).toContain(heading);
    }
    // The default backend: wasm, or the reference when the suite runs with SKIPGRAD_BACKEND=cpu.
    expect(text).toMatch(
      process.env.SKIPGRAD_BACKEND === 'cpu'
        ? /seed 2026, preset tiny, backend cpu, /
        : /seed 2026, preset tiny, backend wasm \(128-bit SIMD, \d+ threads?\)/,
    );
  });
});

describe('the HTML report', () => {
  const html = renderReport(all);

  test('holds every plot as inline SVG and the predicted masks', () => {
    // 2 gradient-flow depths + 2 trainability kinds + degradation + long-skips loss + 2 transformer depths × (gradients, loss)
    // + rank collapse + identity construction + adaptive-hybrid (scales' loss, 3 learned-scale charts, hybrid loss)
    expect(html.match(/<svg[^>]*class="chart"/g)).toHaveLength(6 + 4 + 1 + 1 + 5);
    // 2 samples × (input, truth, with, without)
    expect(html.match(/<svg[^>]*class="mask"/g)).toHaveLength(8);
    for (const id of EXPERIMENTS) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('What the paper found');
    expect(html).toContain('What this run found');
  });

  test('loads nothing from anywhere: no script, no link, no external URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // The only URL is the SVG namespace, which is a name, not a request.
    const urls = (html.match(/(https?:)?\/\/[^\s"'<>)]+/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg');
    expect(urls).toEqual([]);
    expect(html).toMatch(/^<!DOCTYPE html>/);
  });

  test('text from the results is escaped', () => {
    const hostile = { ...all, backend: { name: '<script>alert(1)</script>', mode: null } };
    expect(renderReport(hostile)).not.toContain('<script>');
  });
});

describe('determinism', () => {
  test('the same seed gives identical results (all but the run section)', () => {
    expect(withoutRun(tiny())).toEqual(withoutRun(all));
  });
  test('another seed gives other numbers', () => {
    const other = tiny('--seed', '7');
    expect(other.seed).toBe(7);
    expect(withoutRun(other)).not.toEqual({ ...(withoutRun(all) as object), seed: 7 });
    expect(other.results['gradient-flow']!.runs[0]!.gradNorms).not.toEqual(
      all.results['gradient-flow']!.runs[0]!.gradNorms,
    );
  });
});

describe('the lab on the gpujs backend', () => {
  test('measures the same gradient norms as on the CPU (float32 tolerance)', async () => {
    setBackend(await createGpujsBackend({ mode: 'webasm' }));
    let r: LabResults;
    try {
      r = tiny('gradient-flow');
    } finally {
      setBackend(cpuBackend);
    }
    expect(r.backend).toEqual({ name: 'gpujs', mode: 'webasm' });
    const cpuRuns = all.results['gradient-flow']!.runs;
    r.results['gradient-flow']!.runs.forEach((run, i) => {
      run.gradNorms.forEach((g, l) =>
        expect(Math.abs(g - cpuRuns[i]!.gradNorms[l]!)).toBeLessThanOrEqual(1e-3 * cpuRuns[i]!.gradNorms[l]!),
      );
    });
  });
});
