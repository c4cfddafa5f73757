// The playground's logic in Node (its configuration in the URL, the data sets, the trainer), and
// the page itself: the site builds for the browser, and in real Chromium (Debian's, headless,
// driven by playwright-core; required in CI with SKIPGRAD_REQUIRE_BROWSER=1) it shows what the
// Node engine computes, trains, runs gpu.js on WebGL and wasm on threads, and draws the graph.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { tensor } from '@skipgrad/autograd';
import { Generator } from '@skipgrad/tensor';
import { halve, loadDigits, split } from '@skipgrad/lab';
import {
  DEFAULTS,
  type PlaygroundConfig,
  type StepResult,
  Trainer,
  buildNetwork,
  decodeDigits,
  encodeDigits,
  fromHash,
  makeData,
  parseHash,
  toHash,
} from '../src/index.js';

describe('the playground logic', () => {
  it('a configuration survives the URL; bad values fall back to the defaults', () => {
    const c = {
      ...DEFAULTS,
      depth: 37,
      skip: 'highway' as const,
      lr: 0.005,
      dataset: 'xor' as const,
      backend: 'cpu' as const,
    };
    expect(fromHash(toHash(c))).toEqual(c);
    expect(fromHash('#depth=1000&skip=bogus&lr=abc&width=8')).toEqual({ ...DEFAULTS, width: 8 });
    expect(fromHash('')).toEqual(DEFAULTS);
    expect(parseHash('#depth=1000&skip=bogus&lr=abc&width=8&colour=red').problems).toEqual([
      'skip=bogus: expected one of plain, residual, highway, dense, rezero; using residual',
      'depth=1000: expected a number from 1 to 100; using 20',
      'lr=abc: expected a number from 0.0001 to 1; using 0.03',
      'colour: not a setting (the settings are depth, width, skip, activation, init, dataset, noise, lr, batch, seed, backend); ignored',
    ]);
    expect(parseHash(toHash(DEFAULTS)).problems).toEqual([]);
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

  it("every skip kind builds; a residual net learns XOR; a deep plain net's first-layer gradient is far below a residual one's", () => {
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
    expect(() => new Trainer({ ...DEFAULTS, dataset: 'digits' })).toThrow(
      /Trainer: argument 'digits' expected the digit set for the digits task/,
    );
  });
});

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const requireBrowser = process.env.SKIPGRAD_REQUIRE_BROWSER === '1';
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

/** What the page puts on window for tests and the console (src/main.ts). */
interface PageApi {
  ready: Promise<void>;
  config: PlaygroundConfig;
  shownNorms: number[];
  backend: string;
  pause(): void;
  train(n: number): StepResult | null;
  probe(): { loss: number; gradNorms: number[] };
  stepOn(name: PlaygroundConfig['backend']): Promise<StepResult & { backend: string }>;
  checkThreads(): Promise<{ mode: string; difference: number; workerChunks: number }>;
}
declare const window: { skipgradPlayground: PageApi };

/** Relative agreement of two lists of positive numbers, as float32 work on two engines allows. */
function expectClose(page: readonly number[], node: readonly number[], tolerance: number): void {
  expect(page).toHaveLength(node.length);
  page.forEach((v, i) =>
    expect(Math.abs(v - node[i]!), `value ${i}: ${v} vs ${node[i]}`).toBeLessThanOrEqual(
      tolerance * Math.max(1e-12, Math.abs(node[i]!)),
    ),
  );
}

describe.runIf(chromiumPath !== undefined || requireBrowser)('the playground page in headless Chromium', () => {
  let server: ReturnType<typeof spawn>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(chromiumPath, 'Debian chromium (apt-get install chromium)').toBeDefined();
    mkdirSync(OUTPUT, { recursive: true });
    const serve = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
    server = spawn(process.execPath, [serve], {
      env: { ...process.env, PORT: '5179' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      server.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('http://')) resolve();
      }),
    );
    browser = await playwright.launch({
      executablePath: chromiumPath,
      // Root needs --no-sandbox; SwiftShader gives WebGL without a GPU, as a laptop's driver would with one.
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill();
  });

  /** A fresh page at this link, opened paused (so what it shows is what the test asked for). */
  async function open(hash: string, setup?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${hash}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${hash}: ${e.message}`));
    await setup?.(page);
    await page.goto(`http://localhost:5179/?paused${hash}`);
    await page.waitForFunction(() => 'skipgradPlayground' in window);
    await page.evaluate(() => window.skipgradPlayground.ready);
    return page;
  }

  /** Writes a screenshot under test-output/ and fails if it is blank (nearly one colour). */
  async function screenshot(page: Page, name: string): Promise<void> {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(`${OUTPUT}${name}.png`, new Uint8Array(png));
    const colours = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    }, png.toString('base64'));
    expect(colours, `${name}.png is blank`).toBeGreaterThan(50);
  }

  /** Sets a control as a user would (a number field is typed into, then left). */
  async function setControl(page: Page, id: string, value: string): Promise<void> {
    if (await page.locator(`#${id}`).evaluate((el) => el.tagName === 'SELECT'))
      await page.selectOption(`#${id}`, value);
    else {
      await page.fill(`#${id}`, value);
      await page.locator(`#${id}`).dispatchEvent('change');
    }
    await page.waitForFunction(
      ([k, v]) => String(window.skipgradPlayground.config[k as keyof PlaygroundConfig]) === v,
      [id, value],
    );
    await page.evaluate(() => window.skipgradPlayground.ready);
  }

  it('shows the gradient norms the Node engine computes; changing depth and skip kind redraws them; 50 steps lower the loss', async () => {
    const page = await open('#depth=6&skip=plain&dataset=spirals&width=16&seed=4');
    // Cross-origin isolated (the server's COOP/COEP headers): the wasm kernels run on Web Workers, one per core.
    const [isolated, cores] = await page.evaluate(() => [crossOriginIsolated, navigator.hardwareConcurrency] as const);
    expect(isolated).toBe(true);
    expect(await page.textContent('#backend-info')).toBe(
      `wasm (128-bit SIMD, ${cores} thread${cores === 1 ? '' : 's'})`,
    );
    const node = (c: Partial<PlaygroundConfig>): number[] =>
      new Trainer({ ...DEFAULTS, dataset: 'spirals', width: 16, seed: 4, ...c }).probe().gradNorms;
    expectClose(
      await page.evaluate(() => window.skipgradPlayground.shownNorms),
      node({ depth: 6, skip: 'plain' }),
      1e-4,
    );
    await screenshot(page, '1-plain-depth-6');
    const chart = async (): Promise<string> =>
      page.locator('#norms').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const before = await chart();
    await setControl(page, 'depth', '30');
    expectClose(
      await page.evaluate(() => window.skipgradPlayground.shownNorms),
      node({ depth: 30, skip: 'plain' }),
      1e-4,
    );
    await screenshot(page, '2-plain-depth-30');
    await setControl(page, 'skip', 'residual');
    const residual = await page.evaluate(() => window.skipgradPlayground.shownNorms);
    expectClose(residual, node({ depth: 30, skip: 'residual' }), 1e-4);
    expect(await chart()).not.toBe(before);
    expect(fromHash(new URL(page.url()).hash)).toMatchObject({ depth: 30, skip: 'residual', seed: 4 }); // the link shares it
    const lossBefore = await page.evaluate(() => window.skipgradPlayground.probe().loss);
    const last = await page.evaluate(() => window.skipgradPlayground.train(50));
    expect(last!.loss).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.skipgradPlayground.probe().loss)).toBeLessThan(lossBefore * 0.95);
    expect(await page.textContent('#status')).toMatch(/^step 50 · loss/);
    await screenshot(page, '3-residual-depth-30-trained');
    await page.close();
  }, 120_000);

  it("runs gpu.js on WebGL and wasm on its threads in the page: their steps match the CPU's within float32 tolerance", async () => {
    const page = await open('#depth=3&skip=residual&dataset=xor&width=8');
    const gpu = await page.evaluate(() => window.skipgradPlayground.stepOn('gpujs'));
    const cpu = await page.evaluate(() => window.skipgradPlayground.stepOn('cpu'));
    const wasm = await page.evaluate(() => window.skipgradPlayground.stepOn('wasm'));
    expectClose(wasm.gradNorms, cpu.gradNorms, 1e-4);
    // Those shapes are too small to split; here every kernel is split over all the Web Workers.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = await page.evaluate(() => window.skipgradPlayground.checkThreads());
    expect(threads.mode).toBe(`128-bit SIMD, ${cores} thread${cores === 1 ? '' : 's'}`);
    expect(threads.difference).toBeLessThan(1e-5);
    if (cores > 1) expect(threads.workerChunks).toBeGreaterThan(0);
    expect(gpu.backend).toMatch(/^gpujs \(gpu: webgl2?\)$/);
    expectClose([gpu.loss], [cpu.loss], 1e-5);
    expectClose(gpu.gradNorms, cpu.gradNorms, 1e-4);
    await setControl(page, 'backend', 'gpujs');
    expect(await page.textContent('#backend-info')).toBe(gpu.backend);
    expect(await page.textContent('#backend-error')).toBe('');
    await page.evaluate(() => window.skipgradPlayground.train(5));
    await screenshot(page, '4-gpujs-webgl');
    await page.close();
  }, 120_000);

  it('a backend that cannot start says so and the page goes on on the CPU; a bad link says what it ignored', async () => {
    // A browser with WebGL turned off: every canvas refuses a WebGL context.
    const noWebgl = async (page: Page): Promise<void> => {
      await page.addInitScript(() => {
        for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as {
          getContext(kind: string, ...rest: unknown[]): unknown;
        }[]) {
          const getContext = proto.getContext;
          proto.getContext = function (kind: string, ...rest: unknown[]) {
            return kind.includes('webgl') ? null : getContext.call(this, kind, ...rest);
          };
        }
      });
    };
    const page = await open('#backend=gpujs&depth=4&width=8&lr=abc&colour=red', noWebgl);
    expect(await page.textContent('#backend-error')).toMatch(
      /^gpujs cannot start in this browser: createGpujsBackend: .*running on cpu instead$/,
    );
    expect(await page.textContent('#backend-info')).toBe('cpu');
    expect(page.url()).toContain('backend=cpu');
    expect(await page.textContent('#notice')).toContain(
      'lr=abc: expected a number from 0.0001 to 1; using 0.03; colour: not a setting',
    );
    expect((await page.evaluate(() => window.skipgradPlayground.train(5)))!.loss).toBeGreaterThan(0);
    await setControl(page, 'backend', 'wasm');
    expect(await page.textContent('#backend-info')).toMatch(/^wasm/);
    await screenshot(page, '5-no-webgl');
    await page.close();
  }, 60_000);

  it('draws the graph of one block with its skip edge, and a click on an op shows its backward rule', async () => {
    const page = await open('#depth=4&skip=residual&dataset=xor&width=8');
    await page.waitForSelector('#graph svg', { timeout: 30_000 });
    expect(await page.locator('#graph svg g.edge path[stroke="#d62728"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#graph svg g.edge text', { hasText: 'skip' }).count()).toBeGreaterThanOrEqual(1);
    await page.locator('#graph svg g.node', { hasText: 'add' }).first().click();
    expect(await page.textContent('#rule')).toMatch(
      /^add: da = unbroadcast\(dy\), db = unbroadcast\(dy\) — received ‖dy‖ = /,
    );
    expect(await page.textContent('#trace')).toContain('da = dy·(1 − y²)');
    await screenshot(page, '6-graph');
    await page.close();
  }, 60_000);

  it('trains the digits task built into the page and reports a held-out accuracy', async () => {
    const page = await open('#depth=4&skip=residual&dataset=digits&width=32&lr=0.003');
    await page.evaluate(() => {
      for (let i = 0; i < 6; i++) window.skipgradPlayground.train(25);
    });
    const accuracy = /test accuracy (\d+)%/.exec((await page.textContent('#status'))!);
    expect(accuracy).not.toBeNull();
    expect(Number(accuracy![1])).toBeGreaterThan(50);
    await screenshot(page, '7-digits');
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
