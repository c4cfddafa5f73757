#!/usr/bin/env node
// Runs the whole suite with 20x the property cases and a random seed (or SKIPGRAD_SEED).
// The seed is printed first; a failure also prints fast-check's { seed, path } to replay it.
import { spawnSync } from 'node:child_process';

const seed = process.env.SKIPGRAD_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const scale = process.env.SKIPGRAD_PROPS_SCALE ?? '20';
console.log(`[props] seed ${seed}, ${scale}x cases — replay with SKIPGRAD_SEED=${seed} npm run test:props`);
const result = spawnSync('vitest', ['run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, SKIPGRAD_SEED: seed, SKIPGRAD_PROPS_SCALE: scale },
});
console.log(`[props] seed was ${seed}`);
process.exit(result.status ?? 1);
