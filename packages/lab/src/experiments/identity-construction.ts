/**
 * Experiment 7 — the identity construction, the thought experiment behind ResNets (He et al.,
 * 2015, §1): take a trained shallow network and add layers that compute the identity; the
 * deeper network has exactly the shallow one's training error, so a deeper network need never
 * be worse. Yet a plain deep network trained from scratch is worse: the solver does not find
 * such a solution by itself. Residual networks make the identity the easy thing to learn.
 *
 * Here, ReLU MLPs on the digits: (1) a shallow plain network trained for `steps`; (2) a deep one
 * built from its layers plus extra layers Linear(W = I, b = 0) → ReLU — the identity on the
 * non-negative outputs of a ReLU — checked to give bit for bit the shallow network's loss, then
 * trained `steps` more; against (3) a plain and (4) a residual network of the deep one's depth
 * trained from scratch for the same total, 2·steps. All with SGD, gradients clipped to norm
 * `clipNorm`. The plain networks start from Kaiming's initialisation (He et al.'s own, which
 * keeps a plain ReLU stack's signal at a constant scale); the residual one from PyTorch's default,
 * because Kaiming's inside every branch of x + f(x) doubles the stream's variance at each block
 * (2²⁰ at depth 20) and that network diverges at once.
 */
import { Generator, noGrad, tensor } from '@skipgrad/autograd';
import { Linear, ReLU, SGD, Sequential, crossEntropy, mlp } from '@skipgrad/nn';
import { PIXELS } from '../data/digits.js';
import { Progress } from '../progress.js';
import { type Curve, batchOf, evaluate, seedFor, trainClassifier } from '../train.js';
import type { LabContext } from './context.js';

export interface IdentityRun {
  network: 'shallow' | 'constructed' | 'plain' | 'residual';
  depth: number;
  /** Training steps taken before this network's curve starts (the constructed one inherits the shallow one's). */
  startStep: number;
  loss: Curve;
  divergedAt: number | null;
  /** Loss over the training set's first evalCount digits at the end. */
  trainLoss: number;
  testAccuracy: number;
}

export interface IdentityResult {
  settings: LabContext['settings']['identityConstruction'];
  paper: string;
  /** The shallow network's loss and the constructed deep network's, on the same digits, at the moment of construction. */
  atConstruction: { shallow: number; constructed: number; identical: boolean };
  runs: IdentityRun[];
  findings: string[];
}

export const PAPER_IDENTITY =
  'He et al. (2015, §1): "There exists a solution by construction to the deeper model: the added layers are ' +
  'identity mapping, and the other layers are copied from the learned shallower model" — so a deeper model should produce no higher training ' +
  'error than its shallower counterpart; but plain deep networks trained by SGD are unable to find solutions that are comparably good.';

/** Linear(W = I, b = 0) → ReLU: the identity on a ReLU's (non-negative) output. */
function identityLayers(width: number): [Linear, ReLU] {
  const linear = new Linear(width, width);
  const eye = new Float32Array(width * width);
  for (let i = 0; i < width; i++) eye[i * width + i] = 1;
  linear.weight.assign(tensor(eye, { shape: [width, width] }).data);
  linear.bias!.assign(tensor(new Float32Array(width)).data);
  return [linear, new ReLU()];
}

export function identityConstruction(ctx: LabContext): IdentityResult {
  const s = ctx.settings.identityConstruction;
  const { train, test } = ctx.digits();
  const batches = (label: string): Generator =>
    new Generator(seedFor(ctx.seed, 'identity-construction', 'batches', label));
  const common = {
    data: train,
    layout: 'flat' as const,
    batch: s.batch,
    logEvery: s.logEvery,
    clipNorm: s.clipNorm ?? undefined,
  };
  const sgd = (m: Sequential): SGD => new SGD(m.parameters(), { lr: s.lr, momentum: s.momentum });
  const make = (kind: 'plain' | 'residual', depth: number): Sequential =>
    mlp({
      inFeatures: PIXELS,
      width: s.width,
      depth,
      classes: 10,
      kind,
      activation: 'relu',
      init: kind === 'residual' ? s.residualInit : s.init,
      generator: new Generator(seedFor(ctx.seed, 'identity-construction', kind, depth)),
    });
  const lossOn = (m: Sequential): number => evaluate(m, train, 'flat', s.evalCount).loss;
  const runs: IdentityRun[] = [];
  const record = (
    network: IdentityRun['network'],
    m: Sequential,
    depth: number,
    startStep: number,
    r: ReturnType<typeof trainClassifier>,
  ): void => {
    runs.push({
      network,
      depth,
      startStep,
      loss: r.loss,
      divergedAt: r.divergedAt,
      trainLoss: lossOn(m),
      testAccuracy: evaluate(m, test, 'flat', s.evalCount).accuracy,
    });
  };

  const shallow = make('plain', s.shallowDepth);
  const r1 = trainClassifier({
    ...common,
    model: shallow,
    optimizer: sgd(shallow),
    steps: s.steps,
    generator: batches('phase 1'),
    progress: new Progress(`shallow plain  depth ${String(s.shallowDepth).padStart(2)}`, s.steps, ctx.progress),
  });
  record('shallow', shallow, s.shallowDepth, 0, r1);

  // The deep network: the shallow one's hidden layers, identity layers, the shallow one's head.
  const layers = [...shallow.layers];
  const head = layers.pop()!;
  for (let i = s.shallowDepth; i < s.deepDepth; i++) layers.push(...identityLayers(s.width));
  const constructed = new Sequential(...layers, head);
  const probe = batchOf(
    train,
    Array.from({ length: Math.min(s.evalCount, train.count) }, (_, i) => i),
    'flat',
  );
  const [before, after] = noGrad(() => [
    crossEntropy(shallow.forward(probe.x), probe.y).item(),
    crossEntropy(constructed.forward(probe.x), probe.y).item(),
  ]);
  const r2 = trainClassifier({
    ...common,
    model: constructed,
    optimizer: sgd(constructed),
    steps: s.steps,
    generator: batches('phase 2'),
    progress: new Progress(`constructed    depth ${String(s.deepDepth).padStart(2)}`, s.steps, ctx.progress),
  });
  record('constructed', constructed, s.deepDepth, s.steps, r2);

  for (const kind of ['plain', 'residual'] as const) {
    const m = make(kind, s.deepDepth);
    const r = trainClassifier({
      ...common,
      model: m,
      optimizer: sgd(m),
      steps: 2 * s.steps,
      generator: batches(`scratch ${kind}`),
      progress: new Progress(
        `${kind.padEnd(8)} scratch depth ${String(s.deepDepth).padStart(2)}`,
        2 * s.steps,
        ctx.progress,
      ),
    });
    record(kind, m, s.deepDepth, 0, r);
  }
  const atConstruction = { shallow: before, constructed: after, identical: before === after };
  return { settings: s, paper: PAPER_IDENTITY, atConstruction, runs, findings: identityFindings(atConstruction, runs) };
}

export function identityFindings(c: IdentityResult['atConstruction'], runs: readonly IdentityRun[]): string[] {
  const get = (n: IdentityRun['network']): IdentityRun => runs.find((r) => r.network === n)!;
  const [shallow, constructed, plain, residual] = [get('shallow'), get('constructed'), get('plain'), get('residual')];
  const f = (v: number): string => v.toFixed(3);
  const out = [
    c.identical
      ? `At construction the deep network's loss equals the shallow one's bit for bit (${c.constructed}): the identity layers change nothing.`
      : `At construction the losses differ (${c.shallow} vs ${c.constructed}): the identity layers did change something.`,
  ];
  out.push(
    `After the same ${2 * shallow.loss.step.at(-1)!} training steps in all, training loss: constructed depth ${constructed.depth} ${f(constructed.trainLoss)}, ` +
      `plain depth ${plain.depth} from scratch ${f(plain.trainLoss)}, residual depth ${residual.depth} from scratch ${f(residual.trainLoss)} (shallow after half as many steps: ${f(shallow.trainLoss)}).`,
  );
  out.push(
    constructed.trainLoss > shallow.trainLoss
      ? `Training the constructed network on raised its loss from the shallow one's ${f(shallow.trainLoss)} to ${f(constructed.trainLoss)}: the deep solution exists, but SGD at this learning rate does not stay on it.`
      : `Training the constructed network on lowered its loss further, from ${f(shallow.trainLoss)} to ${f(constructed.trainLoss)}.`,
  );
  out.push(
    plain.trainLoss > constructed.trainLoss
      ? 'As the argument says, the plain deep network trained from scratch ends worse than the deep network that contains the shallow solution.'
      : "Unlike the argument's premise, the plain deep network trained from scratch did not end worse than the constructed one in this run.",
  );
  out.push(
    residual.trainLoss <= plain.trainLoss
      ? `The residual network of the same depth, trained from scratch, ends at or below the plain one (${f(residual.trainLoss)} vs ${f(plain.trainLoss)}).`
      : `The residual network of the same depth did not end below the plain one in this run (${f(residual.trainLoss)} vs ${f(plain.trainLoss)}).`,
  );
  return out;
}
