#!/usr/bin/env node
// Makes a fresh clone ready with nothing but Node 20 and npm: installs the workspace with a
// pinned pnpm (through npx, so no global pnpm or corepack is needed) when node_modules is
// missing or older than the lockfile, then compiles the WebAssembly kernels (AssemblyScript, in
// packages/kernels/assembly/) and builds each package's dist/ (ESM + .d.ts).
// Both steps are skipped quickly when already done. Plain Node: it runs before any install.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@10.34.8';
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lockfile).mtimeMs
  || !existsSync(join(root, 'node_modules', '.bin', 'vitest'));
if (stale) {
  console.log(`[setup] installing dependencies with ${PNPM} (first run only)…`);
  run('npx', ['-y', PNPM, 'install', '--frozen-lockfile']);
}
run(process.execPath, [join(root, 'packages', 'kernels', 'scripts', 'build-wasm.mjs')]);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/tensor', 'packages/kernels', 'packages/autograd', 'packages/nn', 'packages/lab']);
