/**
 * Experiment 6 — rank collapse, after Dong, Cordonnier and Loukas, "Attention is not all you
 * need: pure attention loses rank doubly exponentially with depth" (2021).
 *
 * A stack of freshly initialised self-attention layers applied to a batch of token sets: the
 * digits cut into 7×7 patches (16 tokens each), embedded by a random linear map. After each
 * layer, how far the tokens are from all being the same vector — the relative residual
 *
 *   res(X) = ‖X − 1 x̄ᵀ‖_F / ‖X‖_F,   x̄ the mean token (the rank-1 matrix 1xᵀ nearest X)
 *
 * averaged over the batch, for four stacks: pure attention X ← SA(X); attention with a skip
 * X ← X + SA(X); attention and an MLP without skips X ← MLP(SA(X)); and attention + MLP with
 * skips (a transformer layer without its norms). Computed in float64: the pure-attention
 * residual falls far below float32's resolution.
 */
import { Generator, type Tensor, noGrad, tensor } from '@skipgrad/autograd';
import { Linear, MultiheadAttention } from '@skipgrad/nn';
import { Progress } from '../progress.js';
import { seedFor } from '../train.js';
import type { LabContext } from './context.js';

export const RANK_STACKS = ['attention', 'attention + skip', 'attention + MLP', 'attention + MLP + skip'] as const;
export type RankStack = (typeof RANK_STACKS)[number];

export interface RankCollapseRun {
  stack: RankStack;
  /** res(X) at the input (index 0) and after each layer. */
  residual: number[];
}

export interface RankCollapseResult {
  settings: LabContext['settings']['rankCollapse'];
  paper: string;
  runs: RankCollapseRun[];
  findings: string[];
}

export const PAPER_RANK_COLLAPSE =
  'Dong et al. (2021): the output of a stack of pure self-attention layers converges to a rank-1 ' +
  'matrix (every token the same) doubly exponentially fast in depth; skip connections prevent the collapse, and MLPs slow it down.';

/** res(X) for X [N, T, D]: ‖X − mean token‖ / ‖X‖ per sample, averaged. */
export function relativeResidual(x: Tensor): number {
  const centred = x.sub(x.mean(1, true));
  const ratio = centred
    .mul(centred)
    .sum([1, 2])
    .div(x.mul(x).sum([1, 2]))
    .sqrt();
  return ratio.mean().item();
}

export function rankCollapse(ctx: LabContext): RankCollapseResult {
  const s = ctx.settings.rankCollapse;
  const { train } = ctx.digits();
  const dtype = 'float64' as const;
  const p = s.patch;
  const g = train.side / p;
  const pixels = Float64Array.from(train.images.subarray(0, s.batch * train.side * train.side));
  const images = tensor(pixels, { shape: [s.batch, 1, train.side, train.side], dtype });
  const patches = images
    .reshape([s.batch, 1, g, p, g, p])
    .permute([0, 2, 4, 1, 3, 5])
    .reshape([s.batch, g * g, p * p]);
  const runs: RankCollapseRun[] = [];
  const bar = new Progress('rank collapse   ', RANK_STACKS.length, ctx.progress);
  noGrad(() => {
    for (const stack of RANK_STACKS) {
      const gen = new Generator(seedFor(ctx.seed, 'rank-collapse'));
      let x = new Linear(p * p, s.dim, { generator: gen, dtype }).forward(patches);
      const residual = [relativeResidual(x)];
      for (let l = 0; l < s.depth; l++) {
        const attention = new MultiheadAttention(s.dim, s.heads, { generator: gen, dtype });
        const [up, down] = [
          new Linear(s.dim, 2 * s.dim, { generator: gen, dtype }),
          new Linear(2 * s.dim, s.dim, { generator: gen, dtype }),
        ];
        const mlp = (h: Tensor): Tensor => down.forward(up.forward(h).relu());
        const skip = stack.endsWith('skip');
        x = skip ? x.add(attention.forward(x)) : attention.forward(x);
        if (stack.includes('MLP')) x = skip ? x.add(mlp(x)) : mlp(x);
        residual.push(relativeResidual(x));
      }
      runs.push({ stack, residual });
      bar.tick(1, stack);
    }
  });
  bar.finish();
  return { settings: s, paper: PAPER_RANK_COLLAPSE, runs, findings: rankFindings(runs) };
}

export function rankFindings(runs: readonly RankCollapseRun[]): string[] {
  const at = (stack: RankStack): RankCollapseRun | undefined => runs.find((r) => r.stack === stack);
  const out: string[] = [];
  const depth = (runs[0]?.residual.length ?? 1) - 1;
  for (const r of runs)
    out.push(
      `${r.stack}: res(X) ${r.residual[0]!.toExponential(2)} at the input, ${r.residual[1]!.toExponential(2)} after one layer, ${r.residual[depth]!.toExponential(2)} after ${depth}.`,
    );
  const [pure, skip] = [at('attention'), at('attention + skip')];
  if (pure && skip) {
    out.push(
      pure.residual[depth]! < skip.residual[depth]! * 1e-3
        ? `As in the paper, pure attention collapses toward rank 1 (${pure.residual[depth]!.toExponential(1)}) while the skip keeps the tokens apart (${skip.residual[depth]!.toExponential(1)}).`
        : `Unlike the paper, pure attention did not collapse far below the skip stack here (${pure.residual[depth]!.toExponential(1)} vs ${skip.residual[depth]!.toExponential(1)}).`,
    );
  }
  const mlpOnly = at('attention + MLP');
  if (pure && mlpOnly) {
    // Compared at the deepest layer where both are still above float64's floor (~1e-15 relative).
    let l = 1;
    while (l < depth && pure.residual[l + 1]! > 1e-13 && mlpOnly.residual[l + 1]! > 1e-13) l++;
    const [m, p] = [mlpOnly.residual[l]!, pure.residual[l]!];
    out.push(
      m > p
        ? `The MLP slows the collapse: after ${l} layer${l > 1 ? 's' : ''}, ${m.toExponential(1)} with it and ${p.toExponential(1)} without, as the paper says.`
        : `The MLP did not slow the collapse here: after ${l} layer${l > 1 ? 's' : ''}, ${m.toExponential(1)} with it and ${p.toExponential(1)} without (the paper's bound allows MLPs with large Lipschitz constants to slow it; PyTorch's initialisation gives small ones).`,
    );
  }
  return out;
}
