#!/usr/bin/env node
// npm run build:playground: bundles the page (esbuild, for the browser, from the workspace's
// TypeScript sources) into packages/playground/site/ — index.html and playground.js, a static
// folder any host can serve. Nothing is fetched at run time, so it works offline once loaded.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SITE = join(here, 'site');

export async function buildSite() {
  mkdirSync(SITE, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')], outfile: join(SITE, 'playground.js'),
    bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, sourcemap: true,
    conditions: ['source', 'browser'], logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(SITE, 'index.html'));
  return SITE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`[playground] built ${await buildSite()}`);
}
