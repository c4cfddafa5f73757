/**
 * layerNorm — layer normalisation over the last axes (PyTorch's F.layer_norm). Over each row of
 * the normalised axes (n elements):
 *
 *   μ = mean(x)      σ² = mean((x − μ)²)      r = 1/√(σ² + ε)
 *   x̂ = (x − μ)·r    y = x̂·w + b              (w and b: the normalised shape, optional)
 *
 *   g = dy·w         dx = r·(g − mean(g) − x̂·mean(g·x̂))
 *   dw = Σ dy·x̂      db = Σ dy                (summed over the leading axes)
 *
 * dx has three terms because x̂ depends on x directly, through μ (every x̂ moves by the same
 * −r·dμ: the mean of g) and through r (x̂ scales with r, which shrinks as x spreads: the mean of
 * g·x̂, along x̂).
 *
 * NOTE: a composite with a backward of its own. Built from primitives (mean, sub, mul, sqrt,
 * div …), a layer norm and its gradient are ~36 kernel calls and as many arrays; a transformer
 * has two per block, and they were 40% of a small ViT's training step. Here the backend does the
 * forward in one call (Backend.layerNorm) and, when the backward records no graph, the gradient
 * in one more (Backend.layerNormGrad). When it records one (createGraph), the gradient is the
 * formula above written with differentiable ops — x̂ and r recomputed from x — so grad of grad
 * works; a backend without the two methods gets the same ops throughout.
 */
import { SkipgradError, checkList, checkOptions, describe, formatShape, sizeOf } from '@skipgrad/tensor';
import type { LayerNormResult } from '@skipgrad/kernels';
import { getBackend } from '../current-backend.js';
import { type ExportForm } from '../export-form.js';
import { fromOp } from '../from-op.js';
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
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p === null) continue;
    checkSameDtype('layerNorm', name, checkTensor('layerNorm', name, p), 'x', a);
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i]))
      throw new SkipgradError('layerNorm', name, `shape ${formatShape(shape)}`, formatShape(p.shape));
  }
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps))
    throw new SkipgradError('layerNorm', 'eps', 'a finite number >= 0', describe(eps));

  const axes = shape.map((_, i) => a.rank - shape.length + i);
  const n = sizeOf(shape);
  const backend = getBackend();
  const fused: LayerNormResult | null =
    backend.layerNorm && backend.layerNormGrad
      ? backend.layerNorm(a.data, n, eps, weight?.data ?? null, bias?.data ?? null)
      : null;
  const y = fused?.y ?? noGrad(() => scaleAndShift(standardise(a, axes, eps).xhat, weight, bias)).data;

  const inputs = [a, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const names = ['x', ...(weight ? ['weight'] : []), ...(bias ? ['bias'] : [])];
  return fromOp(
    'layerNorm',
    inputs,
    names,
    y,
    (dy, needs) => {
      const [needX, needW, needB] = [needs[0], weight ? needs[1] : false, bias ? needs[inputs.length - 1] : false];
      const grads = layerNormGrads(dy, a, weight, fused, { axes, n, eps });
      return [
        needX ? grads.dx() : null,
        ...(weight ? [needW ? grads.dweight() : null] : []),
        ...(bias ? [needB ? grads.dbias() : null] : []),
      ];
    },
    {
      rule: 'dx = r·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·w, dw = Σ dy·x̂, db = Σ dy',
      onnx: layerNormForm(shape, eps, weight !== null, bias !== null),
    },
  );
}

/** x̂ = (x − μ)/√(σ² + ε) over `axes`, and that √(σ² + ε) (keepdim): as differentiable ops. */
function standardise(x: Tensor, axes: number[], eps: number): { xhat: Tensor; spread: Tensor } {
  const centred = x.sub(x.mean(axes, true));
  const spread = centred.mul(centred).mean(axes, true).add(eps).sqrt();
  return { xhat: centred.div(spread), spread };
}

function scaleAndShift(xhat: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  const scaled = weight ? xhat.mul(weight) : xhat;
  return bias ? scaled.add(bias) : scaled;
}

/** The three gradients, each computed when asked for: by the backend in one call, or as ops. */
function layerNormGrads(
  dy: Tensor,
  x: Tensor,
  weight: Tensor | null,
  fused: LayerNormResult | null,
  { axes, n, eps }: { axes: number[]; n: number; eps: number },
): { dx: () => Tensor; dweight: () => Tensor; dbias: () => Tensor } {
  const backend = getBackend();
  if (fused && !isGradEnabled() && backend.layerNormGrad) {
    const g = backend.layerNormGrad(dy.data, x.data, fused, weight?.data ?? null, n);
    const shape = x.shape.slice(x.rank - axes.length);
    return {
      dx: () => new Tensor(g.dx),
      dweight: () => new Tensor(g.dweight.reshape(shape)),
      dbias: () => new Tensor(g.dbias.reshape(shape)),
    };
  }
  // The formula as differentiable ops (recorded when the backward creates a graph).
  const { xhat, spread } = standardise(x, axes, eps);
  const shape = x.shape.slice(x.rank - axes.length);
  return {
    dx: () => {
      const g = weight ? dy.mul(weight) : dy;
      return g
        .sub(g.mean(axes, true))
        .sub(xhat.mul(g.mul(xhat).mean(axes, true)))
        .div(spread);
    },
    dweight: () => unbroadcast(dy.mul(xhat), shape),
    dbias: () => unbroadcast(dy, shape),
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
