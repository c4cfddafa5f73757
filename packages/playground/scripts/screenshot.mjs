#!/usr/bin/env node
// npm run docs:playground: the README's picture of the playground (docs/playground.png) — a
// 20-layer residual net on the spirals after 1,500 steps, in Debian's headless chromium.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = fileURLToPath(new URL('../../../docs/playground.png', import.meta.url));
const server = spawn(process.execPath, [fileURLToPath(new URL('./serve.mjs', import.meta.url))], {
  env: { ...process.env, PORT: '5178' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) =>
  server.stdout.on('data', (d) => {
    if (String(d).includes('http://')) resolve();
  }),
);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1120, height: 640 } });
  await page.goto('http://localhost:5178/?paused#depth=20&skip=residual&dataset=spirals&width=16&seed=1');
  await page.waitForFunction(() => 'skipgradPlayground' in window);
  await page.evaluate(async () => {
    const api = window.skipgradPlayground;
    await api.ready;
    for (let i = 0; i < 300; i++) api.train(5); // every 5 steps a point of the loss curve
  });
  await page.screenshot({ path: out });
  console.log(`[playground] wrote ${out}`);
} finally {
  await browser.close();
  server.kill();
}
