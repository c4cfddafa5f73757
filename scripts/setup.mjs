#!/usr/bin/env node
// Makes a fresh clone ready with nothing but Node 20 and npm: installs the workspace with a
// pinned pnpm (through npx, so no global pnpm or corepack is needed) when node_modules is
// missing or older than the lockfile, then compiles the WebAssembly kernels (AssemblyScript, in
// packages/kernels/assembly/) and builds each package's dist/ (ESM + .d.ts).
// Both steps are skipped quickly when already done. Plain Node: it runs before any install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@10.34.8';
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

/** Runs a command with its output held back: shown in full only when it fails. */
function quietly(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(
      `[setup] ${cmd} ${args.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`}); its whole output is above`,
    );
    process.exit(result.status ?? 1);
  }
}

const stale =
  !existsSync(marker) ||
  statSync(marker).mtimeMs < statSync(lockfile).mtimeMs ||
  !existsSync(join(root, 'node_modules', '.bin', 'vitest'));
if (stale) {
  const started = Date.now();
  console.log(`[setup] installing dependencies with ${PNPM} (first run only; a minute or two, quietly)…`);
  // pnpm and node-gyp (gpu.js's optional native gl) print ~100 lines a user need not read.
  quietly('npx', ['-y', PNPM, 'install', '--frozen-lockfile', '--reporter=append-only']);
  console.log(`[setup] installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
run(process.execPath, [join(root, 'packages', 'kernels', 'scripts', 'build-wasm.mjs')]);
run(join(root, 'node_modules', '.bin', 'tsc'), [
  '-b',
  'packages/tensor',
  'packages/kernels',
  'packages/autograd',
  'packages/nn',
  'packages/onnx',
  'packages/lab',
]);
