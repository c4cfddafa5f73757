/**
 * report.html: one self-contained page — inline CSS, inline SVG, no script, no font, no image
 * file, no link to anything — so it opens offline in any browser and can be mailed around.
 */
import type { DegradationResult } from '../experiments/degradation.js';
import type { GradientFlowResult } from '../experiments/gradient-flow.js';
import type { LongSkipsResult } from '../experiments/long-skips.js';
import type { AdaptiveHybridResult } from '../experiments/adaptive-hybrid.js';
import type { IdentityResult } from '../experiments/identity-construction.js';
import type { RankCollapseResult } from '../experiments/rank-collapse.js';
import type { TrainabilityResult } from '../experiments/trainability.js';
import type { TransformerResult } from '../experiments/transformer.js';
import type { LabResults } from '../run.js';
import { PALETTE, SHADES, escapeXml as esc, greyImage, lineChart } from './svg.js';

const CSS = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; } td, th { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 10px; }
svg.chart { background: #fff; border: 1px solid #eee; font-size: 11px; }
svg.chart .title { font-weight: 600; font-size: 12px; } svg.chart .grid { stroke: #eee; } svg.chart .axis { stroke: #888; }
svg.mask { border: 1px solid #ccc; image-rendering: pixelated; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; } .side > div { background: #f7f7f7; padding: .6em 1em; }
.masks td, .masks th { text-align: center; } .note { color: #555; font-size: .92em; } code { background: #f3f3f3; padding: 0 .2em; }
`;

const pct = (v: number | null): string => (v === null ? 'diverged' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 3): string => (v === null ? 'diverged' : v.toFixed(digits));
const sci = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : v.toExponential(2));
const table = (head: string[], rows: string[][]): string =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
const list = (items: readonly string[]): string => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;

function gradientFlowSection(r: GradientFlowResult): string {
  const charts = r.settings.depths.map((depth) =>
    lineChart({
      title: `depth ${depth}: ‖∂L/∂W‖ per layer`,
      xLabel: 'layer (input → head)',
      yLabel: 'gradient norm',
      logY: true,
      series: r.runs
        .filter((x) => x.depth === depth)
        .map((x) => ({
          name: x.kind,
          color: PALETTE[x.kind] ?? '#000',
          x: x.gradNorms.map((_, i) => i + 1),
          y: x.gradNorms,
        })),
    }),
  );
  const kinds = [...new Set(r.runs.map((x) => x.kind))];
  return `<h2 id="gradient-flow">1. Gradient flow at initialisation</h2>
<p>${r.settings.kinds.join(', ')} MLPs (width ${r.settings.width}, ${r.settings.activation}, PyTorch's default initialisation) at depths
${r.settings.depths.join(', ')}: one forward and backward pass of cross-entropy on the same ${r.settings.batch} digits, then the
Frobenius norm of every layer's weight gradient. Through a plain layer the gradient is multiplied by <code>Wᵀ·diag(act′)</code>;
a skip adds a path whose Jacobian is the identity (residual), the carry gate <code>1 − T</code> (highway) or a copy (dense concat).
A layer at norm 0 is below float32's smallest number: the gradient has vanished entirely. Gaps in a line are such zeros.</p>
<div class="charts">${charts.join('')}</div>
${table(
  ['depth', ...kinds.map((k) => `${k}: first layer`), 'plain / residual'],
  r.settings.depths.map((d) => [
    String(d),
    ...kinds.map((k) => sci(r.runs.find((x) => x.kind === k && x.depth === d)?.gradNorms[0] ?? null)),
    sci(r.plainOverResidualFirstLayer.find((x) => x.depth === d)?.ratio ?? null),
  ]),
)}`;
}

function trainabilitySection(r: TrainabilityResult): string {
  const kinds = [...new Set(r.runs.map((x) => x.kind))];
  const charts = kinds.map((kind) =>
    lineChart({
      title: `${kind}: training loss`,
      xLabel: 'step',
      yLabel: 'cross-entropy',
      logY: true,
      series: r.runs
        .filter((x) => x.kind === kind)
        .map((x, i) => ({
          name: `depth ${x.depth}`,
          color: SHADES[i % SHADES.length]!,
          x: x.loss.step,
          y: x.loss.value,
        })),
    }),
  );
  return `<h2 id="trainability">2. Trainability versus depth (after Srivastava et al., 2015, Fig. 1)</h2>
<p>Plain MLPs (${r.settings.plainWidth} units a layer) and highway MLPs (${r.settings.highwayWidth} units a layer, transform-gate bias ${r.settings.gateBias}, so each layer starts out carrying ${(100 / (1 + Math.exp(r.settings.gateBias))).toFixed(0)}% of its input),
${r.settings.activation}, trained with SGD (momentum ${r.settings.momentum}) for ${r.settings.steps} steps of ${r.settings.batch} digits;
learning rate${r.settings.learningRates.length > 1 ? `s tried: ${r.settings.learningRates.join(', ')} (each network keeps its best)` : ` ${r.settings.learningRates[0]}`}.
Accuracies on ${r.settings.evalCount} training and test digits.</p>
<div class="charts">${charts.join('')}</div>
${table(
  ['network', 'depth', 'parameters', 'lr', 'final loss', 'train accuracy', 'test accuracy'],
  r.runs.map((x) => [
    x.kind,
    String(x.depth),
    String(x.parameters),
    String(x.lr),
    num(x.finalLoss),
    pct(x.trainAccuracy),
    pct(x.testAccuracy),
  ]),
)}
<div class="side"><div><h3>What the paper found</h3><p>${esc(r.paper)}</p></div><div><h3>What this run found</h3>${list(r.findings)}
<p class="note">This run trains for ${r.settings.steps} steps with ${r.settings.learningRates.length === 1 ? 'one learning rate' : `${r.settings.learningRates.length} learning rates`};
the paper trained far longer with a hyperparameter search per network. <code>--full</code> comes closer.</p></div></div>`;
}

function degradationSection(r: DegradationResult): string {
  const charts = [
    lineChart({
      title: 'training error',
      xLabel: 'step',
      yLabel: 'fraction wrong',
      series: r.runs.map((x, i) => ({
        name: `${x.kind === 'plain' ? 'plain' : 'ResNet'}-${x.depth}`,
        color: x.kind === 'plain' ? PALETTE.plain! : PALETTE.residual!,
        dashed: i < 2 && r.settings.depths.length > 1,
        x: x.trainError.step,
        y: x.trainError.value,
      })),
    }),
  ];
  return `<h2 id="degradation">3. Degradation (after He et al., 2015)</h2>
<p>CIFAR-style networks (ResNet-(6n+2) of the paper, first stage ${r.settings.width} channels) and their plain counterparts
(the same layers without the shortcuts), on the digits halved to 14×14, SGD (lr ${r.settings.lr}, momentum ${r.settings.momentum}),
${r.settings.steps} steps of ${r.settings.batch}. Dashed: the shallower pair.</p>
<div class="charts">${charts.join('')}</div>
${table(
  ['network', 'depth', 'parameters', 'final training error', 'test error'],
  r.runs.map((x) => [x.kind, String(x.depth), String(x.parameters), pct(x.finalTrainError), pct(x.testError)]),
)}
<div class="side"><div><h3>What the paper found</h3><p>${esc(r.paper)}</p></div><div><h3>What this run found</h3>${list(r.findings)}</div></div>`;
}

function longSkipsSection(r: LongSkipsResult): string {
  const charts = [
    lineChart({
      title: 'training loss',
      xLabel: 'step',
      yLabel: 'binary cross-entropy',
      logY: true,
      series: r.runs.map((x) => ({
        name: x.skip ? 'with skips' : 'without skips',
        color: x.skip ? PALETTE.residual! : PALETTE.plain!,
        x: x.loss.step,
        y: x.loss.value,
      })),
    }),
  ];
  const side = r.settings.side;
  const withSkips = r.runs.find((x) => x.skip)!;
  const without = r.runs.find((x) => !x.skip)!;
  const rows = withSkips.samples.map(
    (s, i) =>
      `<tr><td>${greyImage(s.input, side, `input ${i + 1}`)}</td><td>${greyImage(s.truth, side, `true mask ${i + 1}`)}</td>` +
      `<td>${greyImage(s.predicted, side, `with skips ${i + 1}`)}</td><td>${greyImage(without.samples[i]!.predicted, side, `without skips ${i + 1}`)}</td></tr>`,
  );
  return `<h2 id="long-skips">4. Long skips: U-Net with and without its skip connections</h2>
<p>A U-Net (${r.settings.depth} poolings, ${r.settings.width} channels at the top level) on generated ${side}×${side} images of
rectangles, discs and thin bars over noise; binary cross-entropy, Adam (lr ${r.settings.lr}), ${r.settings.steps} steps of ${r.settings.batch}.
IoU: predicted ∩ true over predicted ∪ true, pixels with p &gt; 0.5, over ${r.settings.test} held-out images.</p>
<div class="charts">${charts.join('')}</div>
${table(
  ['U-Net', 'parameters', 'IoU', 'pixel accuracy'],
  r.runs.map((x) => [
    x.skip ? 'with skips' : 'without skips',
    String(x.parameters),
    x.iou.toFixed(3),
    pct(x.pixelAccuracy),
  ]),
)}
${list(r.findings)}
<table class="masks"><tr><th>input</th><th>true mask</th><th>with skips</th><th>without skips</th></tr>${rows.join('')}</table>`;
}

const side = (paper: string, findings: readonly string[], note = ''): string =>
  `<div class="side"><div><h3>What the paper found</h3><p>${esc(paper)}</p></div><div><h3>What this run found</h3>${list(findings)}${note}</div></div>`;

function transformerSection(r: TransformerResult): string {
  const variants: string[] = [...new Set(r.runs.map((x) => x.variant))];
  const colour = (v: string): string => SHADES[variants.indexOf(v) % SHADES.length]!;
  const charts = r.settings.depths.flatMap((depth) => {
    const runs = r.runs.filter((x) => x.depth === depth);
    const series = (pick: (x: (typeof runs)[number]) => { x: number[]; y: number[] }) =>
      runs.map((x) => ({
        name: x.variant,
        color: colour(x.variant),
        dashed: x.variant.endsWith('no warmup'),
        ...pick(x),
      }));
    return [
      lineChart({
        title: `depth ${depth}: ‖∂L/∂θ‖ per layer at initialisation`,
        xLabel: 'encoder layer (input → output)',
        yLabel: 'gradient norm',
        logY: true,
        series: series((x) => ({ x: x.initGradNorms.map((_, i) => i + 1), y: x.initGradNorms })),
      }),
      lineChart({
        title: `depth ${depth}: training loss`,
        xLabel: 'step',
        yLabel: 'cross-entropy',
        logY: true,
        series: series((x) => ({ x: x.loss.step, y: x.loss.value })),
      }),
    ];
  });
  const s = r.settings;
  return `<h2 id="transformer">5. The transformer's residual stream (after Xiong et al., 2020)</h2>
<p>A Vision Transformer on the digits: ${s.patch}×${s.patch} patches (${(28 / s.patch) ** 2} tokens and a class token), width ${s.dim}, ${s.heads} heads,
feed-forward ${s.mlpDim}, depths ${s.depths.join(' and ')}; AdamW (lr ${s.lr}, weight decay 0.01) for ${s.steps} steps of ${s.batch}, with a linear
warmup over ${s.warmupSteps} steps unless marked "no warmup" (dashed). Post-LN: <code>x ← LN(x + f(x))</code>; pre-LN: <code>x ← x + f(LN(x))</code>;
"no residual": pre-LN without the <code>x +</code>; ReZero: <code>x + α·f(x)</code>, α from 0, no norms; LayerScale: <code>x + γ ⊙ f(LN(x))</code>, γ from 0.1.
Gradient norms: over each layer's parameters, one batch, at initialisation. Test accuracy on ${s.evalCount} digits.</p>
<div class="charts">${charts.join('')}</div>
${table(
  ['variant', 'depth', 'parameters', 'grad norm last / first layer', 'final loss', 'test accuracy'],
  r.runs.map((x) => [
    x.variant,
    String(x.depth),
    String(x.parameters),
    (x.initGradNorms.at(-1)! / x.initGradNorms[0]!).toFixed(2),
    num(x.finalLoss),
    pct(x.testAccuracy),
  ]),
)}
${side(r.paper, r.findings, `<p class="note">${s.steps} steps on ${s.dim}-wide models; the paper trained 6- to 12-layer translation models for days.</p>`)}`;
}

function rankCollapseSection(r: RankCollapseResult): string {
  const chart = lineChart({
    title: 'distance from rank 1, layer by layer',
    xLabel: 'layer (0 = the embedded patches)',
    yLabel: '‖X − 1x̄ᵀ‖ / ‖X‖',
    logY: true,
    series: r.runs.map((x, i) => ({
      name: x.stack,
      color: SHADES[i % SHADES.length]!,
      x: x.residual.map((_, l) => l),
      y: x.residual,
    })),
  });
  const d = r.settings.depth;
  return `<h2 id="rank-collapse">6. Rank collapse in pure attention (after Dong et al., 2021)</h2>
<p>${r.settings.batch} digits cut into ${r.settings.patch}×${r.settings.patch} patches, embedded to width ${r.settings.dim} by a random linear map, then
${d} freshly initialised layers (${r.settings.heads}-head self-attention, PyTorch's initialisation; the MLP is ${r.settings.dim}→${2 * r.settings.dim}→${r.settings.dim}
with ReLU; no layer norms). After each layer: how far the tokens are from all being one vector, <code>‖X − 1x̄ᵀ‖_F / ‖X‖_F</code> with x̄ the mean token,
averaged over the digits; float64 (a line that stops has reached exactly 0).</p>
<div class="charts">${chart}</div>
${table(
  ['stack', 'input', 'after layer 1', `after layer ${d}`],
  r.runs.map((x) => [x.stack, sci(x.residual[0]!), sci(x.residual[1]!), sci(x.residual[d]!)]),
)}
${side(r.paper, r.findings)}`;
}

function identitySection(r: IdentityResult): string {
  const colours = {
    shallow: '#7f7f7f',
    constructed: PALETTE.highway!,
    plain: PALETTE.plain!,
    residual: PALETTE.residual!,
  };
  const chart = lineChart({
    title: 'training loss',
    xLabel: 'step (the constructed network starts where the shallow one stopped)',
    yLabel: 'cross-entropy',
    logY: true,
    series: r.runs.map((x) => ({
      name: `${x.network} (depth ${x.depth})`,
      color: colours[x.network],
      x: x.loss.step.map((t) => t + x.startStep),
      y: x.loss.value,
    })),
  });
  const s = r.settings;
  return `<h2 id="identity-construction">7. The identity construction (He et al., 2015, §1)</h2>
<p>ReLU MLPs of width ${s.width}, SGD (lr ${s.lr}, momentum ${s.momentum}, gradients clipped to norm ${s.clipNorm ?? '∞'}), batches of ${s.batch};
${s.init} initialisation for the plain networks, ${s.residualInit} for the residual one (Kaiming inside every residual branch doubles the stream's variance per block). A depth-${s.shallowDepth} plain network is
trained ${s.steps} steps; a depth-${s.deepDepth} network is built from its layers and ${s.deepDepth - s.shallowDepth} layers <code>ReLU(I·h + 0)</code> (the identity on a
ReLU's output) and trained ${s.steps} more. Its loss at construction on ${s.evalCount} training digits: ${r.atConstruction.constructed} (the shallow network's:
${r.atConstruction.shallow}). Beside it, plain and residual depth-${s.deepDepth} networks trained from scratch for all ${2 * s.steps} steps.</p>
<div class="charts">${chart}</div>
${table(
  ['network', 'depth', 'steps trained', `training loss (${s.evalCount} digits)`, 'test accuracy'],
  r.runs.map((x) => [
    x.network,
    String(x.depth),
    String(x.startStep + (x.loss.step.at(-1) ?? 0)),
    num(x.trainLoss),
    pct(x.testAccuracy),
  ]),
)}
${side(r.paper, r.findings)}`;
}

function adaptiveHybridSection(r: AdaptiveHybridResult): string {
  const s = r.settings;
  const scaleCharts = r.scaleRuns
    .filter((x) => x.scales.length > 0)
    .map((x) => {
      const picks = [
        ...new Set([
          0,
          Math.floor((x.scales.length - 1) / 3),
          Math.floor((2 * (x.scales.length - 1)) / 3),
          x.scales.length - 1,
        ]),
      ];
      return lineChart({
        title: `${x.kind}: learned scale per block`,
        xLabel: 'block (input → head)',
        yLabel: x.kind === 'layerscale' ? 'mean γ' : 'α',
        series: picks.map((p, i) => ({
          name: `step ${x.scaleSteps[p]}`,
          color: SHADES[i]!,
          x: x.scales[p]!.map((_, b) => b + 1),
          y: x.scales[p]!,
        })),
      });
    });
  const lossChart = (
    title: string,
    runs: readonly { kind: string; loss: { step: number[]; value: number[] } }[],
  ): string =>
    lineChart({
      title,
      xLabel: 'step',
      yLabel: 'cross-entropy',
      logY: true,
      series: runs.map((x, i) => ({
        name: x.kind,
        color: SHADES[i % SHADES.length]!,
        x: x.loss.step,
        y: x.loss.value,
      })),
    });
  return `<h2 id="adaptive-hybrid">8. Adaptive residual scales and the hybrid dual-path block</h2>
<p>(a) A residual ReLU MLP of ${s.depth} blocks <code>x + s·ReLU(Wx + b)</code>, width ${s.width}, Adam (lr ${s.lr}), ${s.steps} steps of ${s.batch}: s fixed at 1,
or learned — ReZero (a scalar from 0), SkipInit (a scalar from 1/√${s.depth}), LayerScale (a vector from 0.1). (b) ${s.blocks} blocks that add (ResNet),
concatenate (DenseNet) or both (Dual Path: <code>[r + f_r, d, f_d]</code>), each sized to the parameter count of the ResNet stack of width ${s.budgetWidth}.</p>
<div class="charts">${[lossChart('residual scales: training loss', r.scaleRuns), ...scaleCharts, lossChart('add / concatenate / both: training loss', r.hybridRuns)].join('')}</div>
${table(
  ['network', 'widths', 'parameters', 'final loss', 'test accuracy'],
  [
    ...r.scaleRuns.map((x) => [`scale: ${x.kind}`, `${s.width}`, '', num(x.finalLoss), pct(x.testAccuracy)]),
    ...r.hybridRuns.map((x) => [
      x.kind,
      x.kind === 'resnet'
        ? `${x.widths.residual}`
        : x.kind === 'densenet'
          ? `${x.widths.dense} + k=${x.widths.growth}`
          : `r=${x.widths.residual}, d=${x.widths.dense}, k=${x.widths.growth}`,
      String(x.parameters),
      num(x.finalLoss),
      pct(x.testAccuracy),
    ]),
  ],
)}
${side(r.paper, r.findings)}`;
}

export function renderReport(r: LabResults): string {
  const sections = [
    r.results['gradient-flow'] && gradientFlowSection(r.results['gradient-flow']),
    r.results.trainability && trainabilitySection(r.results.trainability),
    r.results.degradation && degradationSection(r.results.degradation),
    r.results['long-skips'] && longSkipsSection(r.results['long-skips']),
    r.results.transformer && transformerSection(r.results.transformer),
    r.results['rank-collapse'] && rankCollapseSection(r.results['rank-collapse']),
    r.results['identity-construction'] && identitySection(r.results['identity-construction']),
    r.results['adaptive-hybrid'] && adaptiveHybridSection(r.results['adaptive-hybrid']),
  ].filter((s): s is string => typeof s === 'string');
  const data = r.data
    ? `${r.data.train} training and ${r.data.test} test digits of the ${r.data.total} in the ${esc(r.data.source)}`
    : 'no digits (generated data only)';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>skipgrad lab — what skip connections do</title><style>${CSS}</style></head>
<body>
<h1>skipgrad lab: what skip connections do to gradients and training</h1>
<p>Seed ${r.seed}, preset <code>${esc(r.preset)}</code>, backend <code>${esc(r.backend.name)}${r.backend.mode ? ` (${esc(r.backend.mode)})` : ''}</code>; ${data}.
Ran ${esc(r.run.startedAt)} on ${esc(r.run.platform)} (${r.run.cpus} cores, Node ${esc(r.run.node)}) in ${r.run.totalSeconds.toFixed(1)} s.
The same seed and settings give the same numbers; <code>results.json</code> beside this page holds them all.</p>
${sections.join('\n')}
</body></html>
`;
}
