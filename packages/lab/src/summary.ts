/** The summary tables printed at the end of a run: the headline numbers of each experiment. */
import type { LabResults } from './run.js';

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const sci = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : v.toExponential(2));
const pct = (v: number | null): string => (v === null ? 'diverged' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null): string => (v === null ? 'diverged' : v.toFixed(3));

export function summary(r: LabResults): string {
  const out: string[] = [];
  const gf = r.results['gradient-flow'];
  if (gf) {
    out.push("Gradient flow at initialisation — first hidden layer's gradient norm (‖∂L/∂W₁‖)");
    const kinds = [...new Set(gf.runs.map((x) => x.kind))];
    out.push(
      table(
        ['depth', ...kinds, 'plain / residual'],
        gf.settings.depths.map((d) => [
          String(d),
          ...kinds.map((k) => sci(gf.runs.find((x) => x.kind === k && x.depth === d)?.gradNorms[0] ?? null)),
          sci(gf.plainOverResidualFirstLayer.find((x) => x.depth === d)?.ratio ?? null),
        ]),
      ),
    );
  }
  const tr = r.results.trainability;
  if (tr) {
    out.push('', `Trainability — plain vs highway MLPs, ${tr.settings.steps} SGD steps of ${tr.settings.batch}`);
    out.push(
      table(
        ['network', 'depth', 'lr', 'final loss', 'train acc', 'test acc'],
        tr.runs.map((x) => [
          x.kind,
          String(x.depth),
          String(x.lr),
          num(x.finalLoss),
          pct(x.trainAccuracy),
          pct(x.testAccuracy),
        ]),
      ),
    );
  }
  const dg = r.results.degradation;
  if (dg) {
    out.push('', `Degradation — plain CNN vs ResNet on 14×14 digits, ${dg.settings.steps} steps`);
    out.push(
      table(
        ['network', 'depth', 'params', 'final train error', 'test error'],
        dg.runs.map((x) => [x.kind, String(x.depth), String(x.parameters), pct(x.finalTrainError), pct(x.testError)]),
      ),
    );
  }
  const ls = r.results['long-skips'];
  if (ls) {
    out.push(
      '',
      `Long skips — U-Net on generated ${ls.settings.side}×${ls.settings.side} shapes, ${ls.settings.steps} Adam steps`,
    );
    out.push(
      table(
        ['U-Net', 'params', 'IoU', 'pixel accuracy'],
        ls.runs.map((x) => [
          x.skip ? 'with skips' : 'without skips',
          String(x.parameters),
          x.iou.toFixed(3),
          pct(x.pixelAccuracy),
        ]),
      ),
    );
  }
  const tf = r.results.transformer;
  if (tf) {
    out.push(
      '',
      `Transformer — a ViT on the digits, ${tf.settings.steps} AdamW steps of ${tf.settings.batch} (gradient norms at initialisation: last layer / first)`,
    );
    out.push(
      table(
        ['variant', 'depth', 'params', 'grad last/first', 'final loss', 'test acc'],
        tf.runs.map((x) => [
          x.variant,
          String(x.depth),
          String(x.parameters),
          (x.initGradNorms.at(-1)! / x.initGradNorms[0]!).toFixed(2),
          num(x.finalLoss),
          pct(x.testAccuracy),
        ]),
      ),
    );
  }
  const rc = r.results['rank-collapse'];
  if (rc) {
    const depth = rc.settings.depth;
    out.push('', `Rank collapse — ‖X − 1x̄ᵀ‖/‖X‖ of the tokens through ${depth} freshly initialised layers`);
    out.push(
      table(
        ['stack', 'input', 'layer 1', `layer ${Math.ceil(depth / 2)}`, `layer ${depth}`],
        rc.runs.map((x) => [
          x.stack,
          sci(x.residual[0]!),
          sci(x.residual[1]!),
          sci(x.residual[Math.ceil(depth / 2)]!),
          sci(x.residual[depth]!),
        ]),
      ),
    );
  }
  const ic = r.results['identity-construction'];
  if (ic) {
    out.push(
      '',
      `Identity construction — a trained depth-${ic.settings.shallowDepth} MLP plus identity layers vs depth ${ic.settings.deepDepth} from scratch` +
        ` (loss at construction ${ic.atConstruction.identical ? 'identical' : 'different'})`,
    );
    out.push(
      table(
        ['network', 'depth', 'steps', 'train loss', 'test acc'],
        ic.runs.map((x) => [
          x.network,
          String(x.depth),
          String(x.startStep + (x.loss.step.at(-1) ?? 0)),
          num(x.trainLoss),
          pct(x.testAccuracy),
        ]),
      ),
    );
  }
  const ah = r.results['adaptive-hybrid'];
  if (ah) {
    out.push(
      '',
      `Adaptive scales — depth-${ah.settings.depth} residual MLP, ${ah.settings.steps} Adam steps; hybrid blocks at matched parameters`,
    );
    out.push(
      table(
        ['network', 'params', 'final loss', 'test acc', 'learned scales at the end'],
        [
          ...ah.scaleRuns.map((x) => [
            `scale: ${x.kind}`,
            '',
            num(x.finalLoss),
            pct(x.testAccuracy),
            x.scales.length > 0
              ? `${Math.min(...x.scales.at(-1)!).toFixed(3)} … ${Math.max(...x.scales.at(-1)!).toFixed(3)}`
              : '1 (fixed)',
          ]),
          ...ah.hybridRuns.map((x) => [x.kind, String(x.parameters), num(x.finalLoss), pct(x.testAccuracy), '']),
        ],
      ),
    );
  }
  out.push(
    '',
    `seed ${r.seed}, preset ${r.preset}, backend ${r.backend.name}${r.backend.mode ? ` (${r.backend.mode})` : ''}, ${r.run.totalSeconds.toFixed(1)} s`,
  );
  return out.join('\n');
}
