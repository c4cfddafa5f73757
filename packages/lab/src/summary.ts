/** The summary tables printed at the end of a run: the headline numbers of each experiment. */
import type { LabResults } from './run.js';

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const sci = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : v.toExponential(2));
const pct = (v: number | null): string => (v === null ? 'diverged' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null): string => (v === null ? 'diverged' : v.toFixed(3));

export function summary(r: LabResults): string {
  const out: string[] = [];
  const gf = r.results['gradient-flow'];
  if (gf) {
    out.push('Gradient flow at initialisation — first hidden layer\'s gradient norm (‖∂L/∂W₁‖)');
    const kinds = [...new Set(gf.runs.map((x) => x.kind))];
    out.push(table(['depth', ...kinds, 'plain / residual'], gf.settings.depths.map((d) => [
      String(d), ...kinds.map((k) => sci(gf.runs.find((x) => x.kind === k && x.depth === d)?.gradNorms[0] ?? null)),
      sci(gf.plainOverResidualFirstLayer.find((x) => x.depth === d)?.ratio ?? null),
    ])));
  }
  const tr = r.results.trainability;
  if (tr) {
    out.push('', `Trainability — plain vs highway MLPs, ${tr.settings.steps} SGD steps of ${tr.settings.batch}`);
    out.push(table(['network', 'depth', 'lr', 'final loss', 'train acc', 'test acc'], tr.runs.map((x) => [
      x.kind, String(x.depth), String(x.lr), num(x.finalLoss), pct(x.trainAccuracy), pct(x.testAccuracy),
    ])));
  }
  const dg = r.results.degradation;
  if (dg) {
    out.push('', `Degradation — plain CNN vs ResNet on 14×14 digits, ${dg.settings.steps} steps`);
    out.push(table(['network', 'depth', 'params', 'final train error', 'test error'], dg.runs.map((x) => [
      x.kind, String(x.depth), String(x.parameters), pct(x.finalTrainError), pct(x.testError),
    ])));
  }
  const ls = r.results['long-skips'];
  if (ls) {
    out.push('', `Long skips — U-Net on generated ${ls.settings.side}×${ls.settings.side} shapes, ${ls.settings.steps} Adam steps`);
    out.push(table(['U-Net', 'params', 'IoU', 'pixel accuracy'], ls.runs.map((x) => [
      x.skip ? 'with skips' : 'without skips', String(x.parameters), x.iou.toFixed(3), pct(x.pixelAccuracy),
    ])));
  }
  out.push('', `seed ${r.seed}, preset ${r.preset}, backend ${r.backend.name}${r.backend.mode ? ` (${r.backend.mode})` : ''}, ${r.run.totalSeconds.toFixed(1)} s`);
  return out.join('\n');
}
