#!/usr/bin/env node
// npm run fuzz [-- <calls> [<seed>]]: the fuzz suite, long — every public function of
// @skipgrad/autograd and @skipgrad/nn called with arbitrary arguments (default 200,000 calls) from
// a random seed (printed first, to replay: npm run fuzz -- <calls> <seed>). Prints the count per
// outcome and every failure; exits 1 if there is any.
import { spawnSync } from 'node:child_process';

const calls = process.argv[2] ?? '200000';
const seed = process.argv[3] ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(`[fuzz] seed ${seed}, ${calls} calls — replay with: npm run fuzz -- ${calls} ${seed}`);
const script = `
import { fuzz, summarise } from './tests/fuzz/harness.ts';
const results = await fuzz(${Number(seed)}, ${Number(calls)});
const { counts, failures } = summarise(results);
console.log('[fuzz] outcomes', JSON.stringify(counts));
for (const f of failures) console.log('[fuzz] #' + f.index + ' ' + f.name + ': ' + f.outcome + ' ' + f.detail);
process.exit(failures.length > 0 ? 1 : 0);
`;
const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
  stdio: 'inherit',
});
console.log(`[fuzz] seed was ${seed}`);
process.exit(r.status ?? 1);
