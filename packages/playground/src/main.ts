/**
 * The playground page: controls on the left, the data and decision boundary, the loss curve and
 * the per-layer gradient norms on the right. Training runs a few steps per animation frame; every
 * change of a control rebuilds the network and writes the configuration into the URL.
 */
import { type Backend, cpuBackend, createGpujsBackend, createWasmBackend } from '@skipgrad/kernels';
import { Generator, getBackend, graphOf, randn, renderSvg, setBackend, traceBackward } from '@skipgrad/autograd';
import { DenseConcat, Highway, Linear, type Module, ReLU, ReZero, Residual, Sequential, Tanh } from '@skipgrad/nn';
import {
  ACTIVATIONS,
  BACKENDS,
  DATASETS,
  DEFAULTS,
  INITS,
  LIMITS,
  type PlaygroundConfig,
  SKIPS,
  parseHash,
  toHash,
} from './config.js';
import { type StepResult, Trainer } from './trainer.js';
import { type DigitSet, decodeDigits } from './digits.js';
import mnistSubset from 'virtual:mnist-subset';

let digitSet: DigitSet | null = null;
const digits = (): DigitSet => (digitSet ??= decodeDigits(mnistSubset));
let testAccuracy: number | null = null;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const parsed = parseHash(location.hash);
let config: PlaygroundConfig = parsed.config;
let trainer: Trainer;
// `?paused` in the address (before the #) opens the page without training: the charts show the network at initialisation.
let running = !new URLSearchParams(location.search).has('paused');
const losses: number[] = [];
let lastNorms: number[] = [];

function controls(): void {
  const select = (id: keyof PlaygroundConfig, options: readonly string[]): void => {
    const el = $<HTMLSelectElement>(id);
    el.innerHTML = options.map((o) => `<option value="${o}">${o}</option>`).join('');
    el.value = String(config[id]);
    el.onchange = () => {
      (config as unknown as Record<string, unknown>)[id] = el.value;
      restart();
    };
  };
  select('skip', SKIPS);
  select('activation', ACTIVATIONS);
  select('init', INITS);
  select('dataset', DATASETS);
  select('backend', BACKENDS);
  for (const id of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const el = $<HTMLInputElement>(id);
    el.value = String(config[id]);
    el.onchange = () => {
      const v = Number(el.value);
      const [lo, hi] = LIMITS[id];
      config = { ...config, [id]: Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : DEFAULTS[id] };
      el.value = String(config[id]);
      restart();
    };
  }
  $('pause').onclick = () => {
    running = !running;
    $('pause').textContent = running ? 'pause' : 'train';
  };
  $('reset').onclick = () => restart();
}

/** Each backend is started once, when first chosen; one that cannot start here says why. */
const backends = new Map<string, Promise<Backend>>([['cpu', Promise.resolve(cpuBackend)]]);
function startBackend(name: PlaygroundConfig['backend']): Promise<Backend> {
  if (!backends.has(name)) {
    // wasm: threads when the page is cross-origin isolated (npm run playground serves it so), else one.
    backends.set(
      name,
      name === 'wasm' ? Promise.resolve().then(() => createWasmBackend()) : createGpujsBackend({ mode: 'gpu' }),
    );
  }
  return backends.get(name)!;
}

function describeBackend(b: Backend): string {
  const { name, mode, gpujsMode } = b as Backend & { mode?: string; gpujsMode?: string };
  return `${name}${mode ? ` (${mode}${gpujsMode ? `: ${gpujsMode}` : ''})` : ''}`;
}

async function useBackend(): Promise<void> {
  try {
    setBackend(await startBackend(config.backend));
    $('backend-error').textContent = '';
  } catch (e) {
    $('backend-error').textContent =
      `${config.backend} cannot start in this browser: ${(e as Error).message} — running on cpu instead`;
    config = { ...config, backend: 'cpu' };
    $<HTMLSelectElement>('backend').value = 'cpu';
    history.replaceState(null, '', toHash(config));
    setBackend(cpuBackend);
  }
}

/** The latest rebuild (a backend may take a moment to start): the page is settled when it ends. */
let settled: Promise<void> = Promise.resolve();
function restart(): Promise<void> {
  settled = settled.catch(() => undefined).then(rebuild);
  return settled;
}

async function rebuild(): Promise<void> {
  history.replaceState(null, '', toHash(config));
  await useBackend();
  trainer = new Trainer(config, config.dataset === 'digits' ? digits() : null);
  losses.length = 0;
  testAccuracy = null;
  evaluatedAt = -1;
  $('boundary').style.display = config.dataset === 'digits' ? 'none' : '';
  $('digits').style.display = config.dataset === 'digits' ? '' : 'none';
  $('plane-caption').textContent =
    config.dataset === 'digits'
      ? 'held-out digits and what the network calls them (red: wrong)'
      : 'the data and P(blue) over the plane';
  $('backend-info').textContent = describeBackend(getBackend());
  // The gradients at initialisation, before any step: what the skip kind does to them.
  const probe = trainer.probe();
  losses.push(probe.loss);
  lastNorms = probe.gradNorms;
  draw();
  if (document.getElementById('trace')?.innerHTML) drawGraph();
}

function drawBoundary(): void {
  const canvas = $<HTMLCanvasElement>('boundary');
  const ctx = canvas.getContext('2d')!;
  const side = 40;
  const p = trainer.boundary(side);
  const cell = canvas.width / side;
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const v = p[i * side + j]!;
      ctx.fillStyle = `rgb(${Math.round(255 - 80 * v)}, ${Math.round(200 + 20 * (1 - Math.abs(v - 0.5)))}, ${Math.round(175 + 80 * v)})`;
      ctx.fillRect(j * cell, i * cell, cell + 1, cell + 1);
    }
  }
  const { x, labels } = trainer.data;
  for (let k = 0; k < labels.length; k++) {
    const px = ((x[2 * k]! + 1.2) / 2.4) * canvas.width;
    const py = ((1.2 - x[2 * k + 1]!) / 2.4) * canvas.height;
    ctx.fillStyle = labels[k] ? '#1f5fbf' : '#d9541e';
    ctx.beginPath();
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** 32 held-out digits with the network's label for each (red where it is wrong), every 25 steps. */
let evaluatedAt = -1;
function drawDigits(): void {
  if (testAccuracy !== null && trainer.steps - evaluatedAt < 25) return;
  const { predicted, accuracy } = trainer.evaluate();
  testAccuracy = accuracy;
  evaluatedAt = trainer.steps;
  const d = trainer.digits!;
  const canvas = $<HTMLCanvasElement>('digits');
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const cell = 4;
  const size = d.side * cell;
  for (let k = 0; k < 32; k++) {
    const [ox, oy] = [(k % 8) * (size + 12) + 6, Math.floor(k / 8) * (size + 20) + 6];
    const at = (d.train + k) * d.side * d.side;
    for (let p = 0; p < d.side * d.side; p++) {
      const v = Math.round(255 * (1 - d.images[at + p]!));
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect(ox + (p % d.side) * cell, oy + Math.floor(p / d.side) * cell, cell, cell);
    }
    ctx.fillStyle = predicted[k] === d.labels[d.train + k] ? '#222' : '#d62728';
    ctx.fillText(String(predicted[k]), ox + size / 2 - 3, oy + size + 12);
  }
}

function drawLine(id: string, values: readonly number[], log: boolean, bars = false): void {
  const canvas = $<HTMLCanvasElement>(id);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const ys = values.map((v) => (log ? Math.log10(Math.max(v, 1e-30)) : v));
  if (ys.length === 0) return;
  const [top, bottom] = [Math.max(...ys), Math.min(...ys)];
  // Bars start a little below the smallest value, so that even the smallest one shows.
  const [lo, hi] = [bars ? bottom - 0.1 * (top - bottom || 1) : bottom, top];
  const span = hi - lo || 1;
  const y = (v: number): number => canvas.height - 4 - ((v - lo) / span) * (canvas.height - 8);
  ctx.strokeStyle = '#1f77b4';
  ctx.fillStyle = '#1f77b4';
  if (bars) {
    const w = canvas.width / ys.length;
    ys.forEach((v, i) => ctx.fillRect(i * w + 1, y(v), Math.max(1, w - 2), canvas.height - y(v)));
  } else {
    ctx.beginPath();
    ys.forEach((v, i) => {
      const px = (i / Math.max(1, ys.length - 1)) * canvas.width;
      if (i === 0) ctx.moveTo(px, y(v));
      else ctx.lineTo(px, y(v));
    });
    ctx.stroke();
  }
  ctx.fillStyle = '#555';
  ctx.fillText(log ? `1e${hi.toFixed(1)}` : hi.toFixed(3), 4, 12);
  ctx.fillText(log ? `1e${lo.toFixed(1)}` : lo.toFixed(3), 4, canvas.height - 4);
}

/** Redraws the status line, the plane (or the digits), the loss curve and the gradient norms. */
function draw(last: StepResult | null = null): void {
  if (last) {
    const test = testAccuracy === null ? '' : ` · test accuracy ${(100 * testAccuracy).toFixed(0)}%`;
    $('status').textContent =
      `step ${trainer.steps} · loss ${last.loss.toFixed(3)} · batch accuracy ${(100 * last.accuracy).toFixed(0)}%${test} · ${last.ms.toFixed(1)} ms a step`;
  } else {
    $('status').textContent = `step 0 · loss ${losses[0]!.toFixed(3)} (the first 256 examples, at initialisation)`;
  }
  if (config.dataset === 'digits') drawDigits();
  else drawBoundary();
  drawLine('loss', losses, true);
  drawLine('norms', lastNorms, true, true);
  $('norms-caption').textContent =
    `‖∂L/∂W‖ of each of the ${lastNorms.length} layers, input (left) → output (right), log scale; first / last = ${(lastNorms[0]! / lastNorms[lastNorms.length - 1]!).toExponential(1)}`;
}

/** Trains n steps now (5 per animation frame while running); returns the last step's result. */
function train(n: number): StepResult | null {
  let last: StepResult | null = null;
  for (let i = 0; i < n; i++) last = trainer.step();
  if (last) {
    losses.push(last.loss);
    lastNorms = last.gradNorms;
    draw(last);
  }
  return last;
}

function frame(): void {
  if (running && trainer) train(5);
  requestAnimationFrame(frame);
}

/** One block of the chosen skip kind, width 3, on two random inputs. */
function oneBlock(): Module {
  const g = new Generator(config.seed);
  const act = (): Module => (config.activation === 'relu' ? new ReLU() : new Tanh());
  const f = (out = 3): Sequential => new Sequential(new Linear(3, out, { generator: g }), act());
  switch (config.skip) {
    case 'residual':
      return new Residual(f());
    case 'highway':
      return new Highway(3, { activation: config.activation, generator: g });
    case 'dense':
      return new DenseConcat(f(2), -1);
    case 'rezero':
      return new ReZero(f());
    default:
      return f();
  }
}

/**
 * The graph of one block, drawn after a traced backward: its skip edges in red, each edge with the
 * gradient norm that flowed along it. A click on an op shows its backward rule and the gradients
 * it received and sent (the whole trace is listed below it, outputs first).
 */
function drawGraph(): void {
  const block = oneBlock();
  const x = randn([2, 3], { requiresGrad: true, generator: new Generator(config.seed + 9) });
  const y = block.forward(x).sum();
  const trace = traceBackward(() => y.backward());
  const names = [...block.namedParameters()];
  const opNodes = graphOf(y, { names }).nodes.filter((n) => n.kind === 'op');
  const steps = [...trace.steps].reverse(); // the trace runs outputs first; the graph inputs first
  const sent = (s: (typeof steps)[number]): string =>
    s.sent.map((g) => (g ? `${g.input}: ‖${g.norm.toPrecision(3)}‖` : '—')).join(', ');
  const row = (s: (typeof steps)[number]): string =>
    `<tr><td>${s.op}</td><td><code>${s.rule}</code></td><td>[${s.upstream.shape.join(', ')}] ‖dy‖ = ${s.upstream.norm.toPrecision(3)}</td><td>${sent(s)}</td></tr>`;
  // The trace at once; the drawing when Graphviz (WebAssembly, built in) has rendered it.
  $('trace').innerHTML =
    `<table><tr><th>op</th><th>backward rule</th><th>gradient in</th><th>gradients out</th></tr>${trace.steps.map(row).join('')}</table>`;
  void renderSvg(y, { names, trace }).then((svg) => {
    $('graph').innerHTML = svg;
    for (const el of Array.from($('graph').querySelectorAll('g.node'))) {
      const id = el.querySelector('title')?.textContent ?? '';
      const at = opNodes.findIndex((n) => n.id === id);
      (el as SVGGElement).style.cursor = at >= 0 ? 'pointer' : 'default';
      el.addEventListener('click', () => {
        const step = steps[at];
        $('rule').innerHTML = step
          ? `<b>${step.op}</b>: <code>${step.rule}</code> — received ‖dy‖ = ${step.upstream.norm.toPrecision(3)}, sent ${sent(step)}`
          : 'a leaf: it receives its gradient, it sends none';
      });
    }
  });
}

controls();
if (!running) $('pause').textContent = 'train';
if (parsed.problems.length > 0)
  $('notice').textContent =
    `This link asked for settings the playground does not have, so it uses defaults for them: ${parsed.problems.join('; ')}.`;
// The block's trace first (cheap and synchronous), then the training loop.
void restart().then(() => {
  drawGraph();
  requestAnimationFrame(frame);
});

/**
 * For tests and the curious, in the console: pause, train a given number of steps, read what the
 * charts show, and run one step of the current configuration on another backend.
 */
(window as unknown as { skipgradPlayground: unknown }).skipgradPlayground = {
  /** Resolves when the page has built the network the controls ask for. */
  get ready() {
    return settled;
  },
  get trainer() {
    return trainer;
  },
  get config() {
    return config;
  },
  get shownNorms() {
    return [...lastNorms];
  },
  get backend() {
    return describeBackend(getBackend());
  },
  pause() {
    running = false;
    $('pause').textContent = 'train';
  },
  train,
  probe: () => trainer.probe(),
  /**
   * A matmul and a reduction split over every thread however small (splitAlways), against the
   * reference: proof that the page's Web Workers compute their shares. Returns the threads and
   * the largest difference.
   */
  async checkThreads(): Promise<{ mode: string; difference: number; workerChunks: number }> {
    const previous = getBackend();
    const split = createWasmBackend({ splitAlways: true });
    const g = new Generator(5);
    const [a, b] = [randn([96, 80], { generator: g }), randn([80, 72], { generator: g })];
    const run = (backend: Backend): Float32Array => {
      setBackend(backend);
      try {
        const y = a.matmul(b);
        return Float32Array.from([...y.data.toTypedArray(), y.sum().item()]);
      } finally {
        setBackend(previous);
      }
    };
    const reference = run(cpuBackend);
    // A Web Worker starts only once this thread yields: until then this thread runs every share.
    let difference = 0;
    for (let i = 0; i < 100 && (i === 0 || split.stats().workerChunks === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const threaded = run(split);
      difference = Math.max(
        difference,
        ...threaded.map((v, k) => Math.abs(v - reference[k]!) / Math.max(1, Math.abs(reference[k]!))),
      );
    }
    const result = { mode: split.mode, difference, workerChunks: split.stats().workerChunks };
    split.close();
    return result;
  },
  /** One step of a fresh network of this configuration on `name` (the page's backend is kept). */
  async stepOn(name: PlaygroundConfig['backend']): Promise<StepResult & { backend: string }> {
    const previous = getBackend();
    const backend = await startBackend(name);
    setBackend(backend);
    try {
      return {
        ...new Trainer(config, config.dataset === 'digits' ? digits() : null).step(),
        backend: describeBackend(backend),
      };
    } finally {
      setBackend(previous);
    }
  },
};
