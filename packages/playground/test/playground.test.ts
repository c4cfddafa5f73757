// The playground's logic in Node (its configuration in the URL, the data sets, the trainer), and
// the page itself: the site builds for the browser, and — in real Chromium (Debian's, headless;
// required in CI with SKIPGRAD_REQUIRE_BROWSER=1) — it loads, picks the wasm backend and trains.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor } from '@skipgrad/autograd';
import { Generator } from '@skipgrad/tensor';
import { halve, loadDigits, split } from '@skipgrad/lab';
import { DEFAULTS, Trainer, buildNetwork, decodeDigits, encodeDigits, fromHash, makeData, toHash } from '../src/index.js';

describe('the playground logic', () => {
  it('a configuration survives the URL; bad values fall back to the defaults', () => {
    const c = { ...DEFAULTS, depth: 37, skip: 'highway' as const, lr: 0.005, dataset: 'xor' as const, backend: 'cpu' as const };
    expect(fromHash(toHash(c))).toEqual(c);
    expect(fromHash('#depth=1000&skip=bogus&lr=abc&width=8')).toEqual({ ...DEFAULTS, width: 8 });
    expect(fromHash('')).toEqual(DEFAULTS);
  });

  it('data sets: seeded, two balanced classes inside the plane', () => {
    for (const kind of ['spirals', 'circles', 'xor'] as const) {
      const d = makeData(kind, 200, 0.1, 3);
      expect(d.labels).toHaveLength(200);
      expect(new Set(d.labels)).toEqual(new Set([0, 1]));
      expect(Math.max(...Array.from(d.x).map(Math.abs))).toBeLessThan(2);
      expect(makeData(kind, 200, 0.1, 3).x).toEqual(d.x);
    }
  });

  it('every skip kind builds; a residual net learns XOR; a deep plain net\'s first-layer gradient is far below a residual one\'s', () => {
    for (const skip of ['plain', 'residual', 'highway', 'dense', 'rezero'] as const) {
      expect(buildNetwork({ ...DEFAULTS, skip, depth: 4 }).forward(tensor([[0.1, 0.2]])).shape).toEqual([1, 2]);
    }
    const residual = new Trainer({ ...DEFAULTS, dataset: 'xor', depth: 4, width: 16, lr: 0.03 });
    const first = residual.step();
    let last = first;
    for (let i = 0; i < 150; i++) last = residual.step();
    expect(last.loss).toBeLessThan(first.loss * 0.7);
    expect(first.gradNorms).toHaveLength(5); // input layer, 3 hidden, head
    const boundary = residual.boundary(8);
    expect(boundary).toHaveLength(64);
    expect(boundary.every((p) => p >= 0 && p <= 1)).toBe(true);
    const deepPlain = new Trainer({ ...DEFAULTS, skip: 'plain', depth: 30 }).step().gradNorms[0]!;
    const deepResidual = new Trainer({ ...DEFAULTS, skip: 'residual', depth: 30 }).step().gradNorms[0]!;
    expect(deepPlain).toBeLessThan(deepResidual * 1e-3);
  });
});

describe('the digits task', () => {
  it('digits survive their one-byte encoding; a residual net learns them (held-out accuracy)', () => {
    const { train, test } = split(loadDigits(), 600, 200, new Generator(3));
    const [a, b] = [halve(train), halve(test)];
    const images = new Float32Array([...a.images, ...b.images]);
    const encoded = encodeDigits(a.side, images, [...a.labels, ...b.labels], a.count);
    const set = decodeDigits(encoded);
    expect(set.images.every((v, i) => Math.abs(v - images[i]!) <= 0.5 / 255 + 1e-7)).toBe(true);
    expect([set.side, set.train, set.test]).toEqual([14, 600, 200]);
    const trainer = new Trainer({ ...DEFAULTS, dataset: 'digits', depth: 4, width: 32, lr: 0.003 }, set);
    const before = trainer.evaluate().accuracy;
    for (let i = 0; i < 150; i++) trainer.step();
    const after = trainer.evaluate().accuracy;
    expect(after).toBeGreaterThan(0.6);
    expect(after).toBeGreaterThan(before + 0.3);
    expect(() => new Trainer({ ...DEFAULTS, dataset: 'digits' })).toThrow(/Trainer: argument 'digits' expected the digit set for the digits task/);
  });
});

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const requireBrowser = process.env.SKIPGRAD_REQUIRE_BROWSER === '1';

describe('the playground page', () => {
  it('builds into a static folder with no Node built-in in it', async () => {
    const { buildSite } = await import('../scripts/build.mjs' as string) as { buildSite: () => Promise<string> };
    const site = await buildSite();
    const html = readFileSync(`${site}/index.html`, 'utf8');
    expect(html).toContain('<script type="module" src="./playground.js">');
    const js = readFileSync(`${site}/playground.js`, 'utf8');
    expect(js.length).toBeGreaterThan(50_000);
    expect(js).not.toMatch(/from\s*["']node:|import\(\s*["']node:/);
  }, 60_000);

  it.runIf(chromium !== undefined || requireBrowser)('trains in headless Chromium on the wasm backend, from a shared link', async () => {
    expect(chromium, 'Debian chromium (apt-get install chromium)').toBeDefined();
    const serve = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
    const server = spawn(process.execPath, [serve], { env: { ...process.env, PORT: '5179' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => server.stdout!.on('data', (d: Buffer) => { if (String(d).includes('http://')) resolve(); }));
      const dom = spawnSync(chromium!, ['--headless=new', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=20000', '--dump-dom',
        'http://localhost:5179/#depth=6&skip=residual&dataset=xor&width=16'], { encoding: 'utf8', timeout: 60_000 });
      expect(dom.stdout).toMatch(/<b id="backend-info">wasm \(128-bit SIMD, 1 thread\)<\/b>/);
      // How many frames a virtual-time budget buys depends on the machine's load, so the page is
      // only checked to train (the learning itself is checked in Node above, deterministically).
      const status = /id="status">step (\d+) · loss ([\d.]+)/.exec(dom.stdout);
      expect(status, dom.stdout.slice(0, 500)).not.toBeNull();
      expect(Number(status![1])).toBeGreaterThanOrEqual(5);
      expect(Number.isFinite(Number(status![2]))).toBe(true);
      expect(dom.stdout).toMatch(/‖∂L\/∂W‖ of each of the 7 layers/);
      // The traced backward of one residual block, listed before training starts: its rules. (The
      // Graphviz drawing of it comes a moment later; renderSvg has its own tests.)
      expect(dom.stdout).toMatch(/<td>tanh<\/td><td><code>da = dy·\(1 − y²\)/);
      expect(dom.stdout).toMatch(/<td>add<\/td><td><code>da = unbroadcast\(dy\), db = unbroadcast\(dy\)/);
      // The digits task, built into the page: it trains and reports a held-out accuracy.
      const digits = spawnSync(chromium!, ['--headless=new', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=20000', '--dump-dom',
        'http://localhost:5179/#depth=4&skip=residual&dataset=digits&width=32&lr=0.003'], { encoding: 'utf8', timeout: 60_000 });
      const accuracy = /test accuracy (\d+)%/.exec(digits.stdout);
      expect(accuracy, digits.stdout.slice(0, 500)).not.toBeNull();
      expect(Number(accuracy![1])).toBeLessThanOrEqual(100);
    } finally {
      server.kill();
    }
  }, 120_000);
});
