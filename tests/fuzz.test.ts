// The fuzz suite in CI: a fixed seed and a short budget (npm run fuzz runs it long, with random
// seeds). Every public function and class of @skipgrad/autograd and @skipgrad/nn is called with
// arbitrary arguments in a child process with a watchdog; every call must end in a well-formed
// result or a SkipgradError naming the function — no runtime TypeError, no hang, no crash.
import { describe, expect, it } from 'vitest';
import { fuzz, summarise } from './fuzz/harness.js';
import { targets } from './fuzz/runner.js';
import { PROPS_SCALE } from './support.js';

const SEED = Number(process.env.SKIPGRAD_SEED ?? 20261201);

describe('fuzz: the whole public API under arbitrary arguments', () => {
  it('covers every export of both packages but the few its contracts skip', () => {
    const names = targets().map((t) => t.name);
    for (const name of [
      'add',
      'conv2d',
      'scaledDotProductAttention',
      'Linear',
      'TransformerEncoderLayer',
      'crossEntropy',
      'Adam',
      'parseSafetensors',
    ])
      expect(names).toContain(name);
    expect(names).not.toContain('setBackend');
    expect(names.length).toBeGreaterThan(150);
  });

  it(`${Math.round(6000 * PROPS_SCALE)} calls (seed ${SEED}): results or named errors only`, async () => {
    const results = await fuzz(SEED, Math.round(6000 * PROPS_SCALE));
    const { counts, failures } = summarise(results);
    console.log(`[fuzz] seed ${SEED}: ${JSON.stringify(counts)}`);
    expect(failures.map((f) => `#${f.index} ${f.name}: ${f.outcome} ${f.detail}`)).toEqual([]);
    expect(counts.ok).toBeGreaterThan(300); // enough calls get past the checks to test the results too
  }, 120_000);

  it('the watchdog reports a call that hangs and one that crashes the process, and goes on', async () => {
    process.env.SKIPGRAD_FUZZ_HANG_AT = '3';
    process.env.SKIPGRAD_FUZZ_CRASH_AT = '6';
    try {
      const results = await fuzz(1, 10, 3000);
      expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(results[3]!.outcome).toBe('hang');
      expect(results[6]!.outcome).toBe('crash');
    } finally {
      delete process.env.SKIPGRAD_FUZZ_HANG_AT;
      delete process.env.SKIPGRAD_FUZZ_CRASH_AT;
    }
  }, 60_000);
});
