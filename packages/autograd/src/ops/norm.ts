/**
 * layerNorm and batchNorm — normalisation over groups of elements (PyTorch's F.layer_norm, and
 * F.batch_norm with the batch's statistics). Over each group (layerNorm: a row of the last axes;
 * batchNorm: a channel, axis 1, over every other axis), of n elements:
 *
 *   μ = mean(x)      σ² = mean((x − μ)²)      r = 1/√(σ² + ε)
 *   x̂ = (x − μ)·r    y = x̂·w + b              (w, b: layerNorm's per element of the normalised
 *                                             shape, batchNorm's per channel; optional)
 *
 *   g = dy·w         dx = r·(g − mean(g) − x̂·mean(g·x̂))
 *   dw = Σ dy·x̂      db = Σ dy                (summed over what w is broadcast across)
 *
 * dx has three terms because x̂ depends on x directly, through μ (every x̂ moves by the same
 * −r·dμ: the mean of g) and through r (x̂ scales with r, which shrinks as x spreads: the mean of
 * g·x̂, along x̂).
 *
 * NOTE: composites with a backward of their own. Built from primitives (mean, sub, mul, sqrt,
 * div …), a normalisation and its gradient are ~36 kernel calls and as many arrays; a
 * transformer has two layer norms per block, a ResNet a batch norm after every convolution, and
 * they were 40–80% of the arrays of a training step. Here the backend does the forward in one
 * call (Backend.layerNorm / batchNorm) and, when the backward records no graph, the gradient in
 * one more (layerNormGrad / batchNormGrad). When it records one (createGraph), the gradient is
 * the formula above written with differentiable ops — x̂ and r recomputed from x — so grad of
 * grad works; a backend without the methods gets the same ops throughout.
 */
import { SkipgradError, checkList, checkOptions, describe, formatShape, sizeOf } from '@skipgrad/tensor';
import type { NormGrads, NormResult } from '@skipgrad/kernels';
import { getBackend } from '../current-backend.js';
import { type ExportForm } from '../export-form.js';
import { builtinOp } from '../from-op.js';
import { isGradEnabled, noGrad } from '../graph.js';
import { checkSameDtype, checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { unbroadcast } from '../unbroadcast.js';

export interface LayerNormOptions {
  /** w, of the normalised shape (default: none, i.e. 1). */
  weight?: Tensor | null;
  /** b, of the normalised shape (default: none, i.e. 0). */
  bias?: Tensor | null;
  /** ε, added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Normalises x over its last axes, `normalizedShape` (a side or a list of sides), then scales by
 * `weight` and shifts by `bias` when given.
 *
 * @example
 * layerNorm(tensor([[1, 3]], { dtype: 'float64' }), [2], { eps: 0 }).toArray(); // [[-1, 1]]
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  options: LayerNormOptions = {},
): Tensor {
  const {
    weight = null,
    bias = null,
    eps = 1e-5,
  } = checkOptions<LayerNormOptions>('layerNorm', options, ['weight', 'bias', 'eps']);
  const a = checkTensor('layerNorm', 'x', x);
  const shape = checkNormalizedShape(normalizedShape);
  const tail = a.shape.slice(a.rank - shape.length);
  if (a.rank < shape.length || tail.some((s, i) => s !== shape[i])) {
    throw new SkipgradError(
      'layerNorm',
      'x',
      `a tensor of shape [..., ${shape.join(', ')}]`,
      `shape ${formatShape(a.shape)}`,
    );
  }
  checkParams('layerNorm', a, weight, bias, shape);
  checkEps('layerNorm', eps);

  const axes = shape.map((_, i) => a.rank - shape.length + i);
  const n = sizeOf(shape);
  const group: Group = { op: 'layerNorm', axes, eps, perGroup: (p) => p, paramShape: shape, broadcastShape: shape };
  const backend = getBackend();
  const fused =
    backend.layerNorm && backend.layerNormGrad
      ? backend.layerNorm(a.data, n, eps, weight?.data ?? null, bias?.data ?? null)
      : null;
  const grad = (dy: Tensor): NormGrads | null => {
    const now = getBackend();
    return fused && !isGradEnabled() && now.layerNormGrad
      ? now.layerNormGrad(dy.data, a.data, fused, weight?.data ?? null, n)
      : null;
  };
  return normalisation(group, a, weight, bias, fused, grad, layerNormForm(shape, eps, weight !== null, bias !== null));
}

export interface BatchNormOptions {
  /** w, one per channel ([C]; default: none, i.e. 1). */
  weight?: Tensor | null;
  /** b, one per channel ([C]; default: none, i.e. 0). */
  bias?: Tensor | null;
  /** ε, added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation with the batch's own statistics (what a BatchNorm layer does in training):
 * x [N, C, ...] normalised per channel over every other axis, then scaled and shifted per
 * channel. The statistics are not kept; nativeBatchNorm returns them too.
 *
 * @example
 * batchNorm(tensor([[1], [3]], { dtype: 'float64' }), { eps: 0 }).toArray(); // [[-1], [1]]
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  return batchNormWithStats('batchNorm', x, options).output;
}

/**
 * batchNorm, with the statistics it used, as constants ([C], no gradient): each channel's mean,
 * invstd = 1/√(σ² + ε) (as PyTorch's torch.native_batch_norm returns) and σ², the biased
 * variance — nn's BatchNorm updates its running estimates from the mean and σ².
 *
 * @example
 * nativeBatchNorm(tensor([[1], [3]], { dtype: 'float64' }), { eps: 0 }).variance.toArray(); // [1]
 */
export function nativeBatchNorm(
  x: Tensor,
  options: BatchNormOptions = {},
): { output: Tensor; mean: Tensor; invstd: Tensor; variance: Tensor } {
  return batchNormWithStats('nativeBatchNorm', x, options);
}

/** batchNorm and nativeBatchNorm, refusing bad arguments in the name of `op`. */
function batchNormWithStats(
  op: string,
  x: Tensor,
  options: BatchNormOptions,
): { output: Tensor; mean: Tensor; invstd: Tensor; variance: Tensor } {
  const {
    weight = null,
    bias = null,
    eps = 1e-5,
  } = checkOptions<BatchNormOptions>(op, options, ['weight', 'bias', 'eps']);
  const a = checkTensor(op, 'x', x);
  if (a.rank < 2) throw new SkipgradError(op, 'x', 'a tensor [N, C, ...]', `shape ${formatShape(a.shape)}`);
  const C = a.shape[1]!;
  checkParams(op, a, weight, bias, [C]);
  checkEps(op, eps);
  const axes = a.shape.map((_, i) => i).filter((i) => i !== 1);
  const broadcastShape = [C, ...Array<number>(a.rank - 2).fill(1)];
  const group: Group = {
    op: 'batchNorm',
    axes,
    eps,
    perGroup: (p) => p.reshape(broadcastShape),
    paramShape: [C],
    broadcastShape,
  };
  const backend = getBackend();
  const fused =
    backend.batchNorm && backend.batchNormGrad
      ? backend.batchNorm(a.data, eps, weight?.data ?? null, bias?.data ?? null)
      : null;
  const grad = (dy: Tensor): NormGrads | null => {
    const now = getBackend();
    return fused && !isGradEnabled() && now.batchNormGrad
      ? now.batchNormGrad(dy.data, a.data, fused, weight?.data ?? null)
      : null;
  };
  const output = normalisation(group, a, weight, bias, fused, grad);
  if (fused) {
    const [mean, invstd, variance] = [fused.mean, fused.rstd, fused.variance].map((a) => new Tensor(a)) as [
      Tensor,
      Tensor,
      Tensor,
    ];
    return { output, mean, invstd, variance };
  }
  return noGrad(() => {
    const centred = a.sub(a.mean(axes, true));
    const variance = centred.mul(centred).mean(axes).reshape([C]);
    return { output, mean: a.mean(axes).reshape([C]), invstd: variance.add(eps).sqrt().pow(-1), variance };
  });
}

/** What a normalisation normalises over and how its weight and bias line up with x. */
interface Group {
  op: string;
  /** The axes each group spans (keepdim reductions over them give one value per group). */
  axes: number[];
  eps: number;
  /** weight or bias as it broadcasts against x ([C] → [C, 1, …] for batchNorm). */
  perGroup: (p: Tensor) => Tensor;
  /** weight's and bias's shape, and the shape perGroup gives them. */
  paramShape: number[];
  broadcastShape: number[];
}

/**
 * The op: y from the backend's one call (`fused`), or the composite when it has none; its
 * backward from `grad` (the backend's one call) when that gives one, else the formula as ops.
 */
function normalisation(
  group: Group,
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  fused: NormResult | null,
  grad: (dy: Tensor) => NormGrads | null,
  onnx?: ExportForm,
): Tensor {
  const y = fused?.y ?? noGrad(() => scaleAndShift(standardise(x, group).xhat, weight, bias, group)).data;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const names = ['x', ...(weight ? ['weight'] : []), ...(bias ? ['bias'] : [])];
  return builtinOp(
    group.op,
    inputs,
    names,
    y,
    (dy, needs) => {
      const [needX, needW, needB] = [needs[0], weight ? needs[1] : false, bias ? needs[inputs.length - 1] : false];
      const grads = gradients(dy, x, weight, group, grad(dy));
      return [
        needX ? grads.dx() : null,
        ...(weight ? [needW ? grads.dweight() : null] : []),
        ...(bias ? [needB ? grads.dbias() : null] : []),
      ];
    },
    { rule: 'dx = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w, dw = Σ dy·x̂, db = Σ dy', onnx },
  );
}

/** x̂ = (x − μ)/√(σ² + ε) over each group, and that √(σ² + ε) (keepdim): as differentiable ops. */
function standardise(x: Tensor, { axes, eps }: Group): { xhat: Tensor; spread: Tensor } {
  const centred = x.sub(x.mean(axes, true));
  const spread = centred.mul(centred).mean(axes, true).add(eps).sqrt();
  return { xhat: centred.div(spread), spread };
}

function scaleAndShift(xhat: Tensor, weight: Tensor | null, bias: Tensor | null, group: Group): Tensor {
  const scaled = weight ? xhat.mul(group.perGroup(weight)) : xhat;
  return bias ? scaled.add(group.perGroup(bias)) : scaled;
}

/** The three gradients, each computed when asked for: the backend's (`fused`), or as ops. */
function gradients(
  dy: Tensor,
  x: Tensor,
  weight: Tensor | null,
  group: Group,
  fused: NormGrads | null,
): { dx: () => Tensor; dweight: () => Tensor; dbias: () => Tensor } {
  if (fused) {
    return {
      dx: () => new Tensor(fused.dx),
      dweight: () => new Tensor(fused.dweight.reshape(group.paramShape)),
      dbias: () => new Tensor(fused.dbias.reshape(group.paramShape)),
    };
  }
  // The formula as differentiable ops (recorded when the backward creates a graph).
  const { xhat, spread } = standardise(x, group);
  const { axes, paramShape } = group;
  // Summed over everything w is broadcast across, back to w's shape.
  const sumToParams = (t: Tensor): Tensor => unbroadcast(t, group.broadcastShape).reshape(paramShape);
  return {
    dx: () => {
      const g = weight ? dy.mul(group.perGroup(weight)) : dy;
      return g
        .sub(g.mean(axes, true))
        .sub(xhat.mul(g.mul(xhat).mean(axes, true)))
        .div(spread);
    },
    dweight: () => sumToParams(dy.mul(xhat)),
    dbias: () => sumToParams(dy),
  };
}

/** In ONNX, one LayerNormalization node (opset 17) over the last k axes; scale 1 without a weight. */
function layerNormForm(shape: number[], eps: number, weight: boolean, bias: boolean): ExportForm {
  const scale = weight ? 1 : { op: 'Expand', inputs: [{ scalar: 1 }, { ints: shape }] };
  return {
    op: 'LayerNormalization',
    inputs: [0, scale, ...(bias ? [weight ? 2 : 1] : [])],
    attributes: { axis: -shape.length, epsilon: { float: eps } },
  };
}

/** weight and bias, each null or a tensor of x's dtype and of `shape`. */
function checkParams(op: string, x: Tensor, weight: Tensor | null, bias: Tensor | null, shape: number[]): void {
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p === null) continue;
    checkSameDtype(op, name, checkTensor(op, name, p), 'x', x);
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i]))
      throw new SkipgradError(op, name, `shape ${formatShape(shape)}`, formatShape(p.shape));
  }
}

function checkEps(op: string, eps: unknown): void {
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps))
    throw new SkipgradError(op, 'eps', 'a finite number >= 0', describe(eps));
}

function checkNormalizedShape(value: unknown): number[] {
  const shape =
    typeof value === 'number'
      ? [value]
      : checkList('layerNorm', 'normalizedShape', value, (v) => v as number, 'a side or a list of sides');
  shape.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1)
      throw new SkipgradError('layerNorm', `normalizedShape[${i}]`, 'a positive integer', describe(s));
  });
  if (shape.length === 0) throw new SkipgradError('layerNorm', 'normalizedShape', 'at least one side', '[]');
  return shape;
}
