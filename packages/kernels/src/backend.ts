/**
 * The Backend interface: every compute kernel the engine calls. A backend implements all of
 * it, so a missing kernel is a compile error, not a runtime surprise. The CPU backend
 * (cpu/index.ts) is the reference every other backend is tested against.
 *
 * Conventions every implementation follows:
 * - Inputs may be any strided view (transposed, expanded with stride 0, sliced, offset);
 *   a kernel reads them through their strides or makes them contiguous explicitly.
 * - Outputs are fresh, contiguous arrays of the inputs' dtype; inputs are never written.
 * - Kernels do not check arguments: the autograd ops check them and name the op first.
 */
import { type DType, type NDArray, broadcastShapes, full } from '@skipgrad/tensor';

/**
 * Elementwise functions of one input. `step` is the 0/1 mask x > 0 (relu's derivative);
 * `sign` is −1, 0 or 1 (abs's derivative, 0 at 0); `erf` is the error function.
 */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'relu' | 'step' | 'abs' | 'sign' | 'erf';
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg',
  'exp',
  'log',
  'tanh',
  'sigmoid',
  'relu',
  'step',
  'abs',
  'sign',
  'erf',
];

/** Elementwise functions of two inputs, broadcast NumPy-style. `eq` is the 0/1 mask a == b. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'eq';
export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'eq'];

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'max';

/**
 * The geometry of a 2-D sliding window (convolution, pooling): kernel size, stride, zero
 * padding and dilation, each [along height, along width].
 */
export interface Window2d {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
}

/** Output side of a window: ⌊(in + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1. */
export function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * A batched matmul's sizes, and both operands viewed (copy-free) at the broadcast batch shape:
 * a as [...batch, n, k], b as [...batch, k, m]. Every backend's matmul starts here.
 */
export function matmulOperands(
  a: NDArray,
  b: NDArray,
): { n: number; k: number; m: number; batch: number[]; a: NDArray; b: NDArray } {
  const n = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const m = b.shape[b.rank - 1]!;
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { n, k, m, batch, a: a.expand([...batch, n, k]), b: b.expand([...batch, k, m]) };
}

/**
 * What a fused matmul does to its product, in this order: multiply by `scale` (attention's
 * 1/√d; default 1), add `bias` ([m], to every row), take max(·, 0) when `relu`.
 */
export interface MatmulEpilogue {
  scale?: number;
  bias?: NDArray | null;
  relu?: boolean;
}

/**
 * The statistics of Backend.layerNorm (per row, [rows]) and batchNorm (per channel, [C]): each
 * group's μ and r = 1/√(σ² + ε) — what their gradients read.
 */
export interface NormStats {
  mean: NDArray;
  rstd: NDArray;
}

/** Backend.layerNorm's and batchNorm's results: y (x's shape), and the statistics. */
export interface NormResult extends NormStats {
  y: NDArray;
}

/** Backend.batchNorm's results: NormResult, and each channel's biased variance σ² (for running estimates). */
export interface BatchNormResult extends NormResult {
  variance: NDArray;
}

/** Backend.layerNormGrad's and batchNormGrad's results: dx (x's shape), and dw, db (weight's and bias's shape, flat). */
export interface NormGrads {
  dx: NDArray;
  dweight: NDArray;
  dbias: NDArray;
}

/**
 * The numbers of one Adam or AdamW update (Backend.adam), as nn's Adam uses them:
 *
 *   g ← g + λ·p  (L2, Adam)     or     p ← p·(1 − lr·λ)  (decoupled, AdamW)
 *   m ← β₁·m + (1 − β₁)·g       v ← β₂·v + (1 − β₂)·g²      (m = (1 − β₁)·g, v = (1 − β₂)·g² the first time)
 *   p ← p − lr · (m / c₁) / (√(v / c₂) + eps),   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ
 */
export interface AdamScalars {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** λ; 0 for none. */
  weightDecay: number;
  /** True: AdamW's decoupled decay; false: Adam's L2 term in the gradient. */
  decoupled: boolean;
  /** The bias corrections of this update, 1 − β₁ᵗ and 1 − β₂ᵗ. */
  correction1: number;
  correction2: number;
}

/** Backend.adam's results: the new parameter values and moments, each of p's shape. */
export interface AdamResult {
  p: NDArray;
  m: NDArray;
  v: NDArray;
}

/**
 * The numbers of one SGD update (Backend.sgd), as nn's SGD uses them:
 *
 *   g ← g + λ·p                                (weight decay λ; 0 for none)
 *   b ← μ·b + (1 − dampening)·g                (b = g at the first update; no b when μ = 0)
 *   g ← g + μ·b (Nesterov)  or  g ← b          (with momentum)
 *   p ← p − lr·g
 */
export interface SGDScalars {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/** Backend.sgd's results: the new parameter values and momentum buffer (null without momentum). */
export interface SGDResult {
  p: NDArray;
  buf: NDArray | null;
}

/**
 * fusedMatmul by its definition — matmul, then multiply by the scale (a scalar of the product's
 * dtype, as autograd's mul(t, number) makes it), add the bias, take the ReLU, each a call of its
 * own: what the reference does (a backend may do all of it in one kernel, with the same values).
 */
export function matmulThenEpilogue(
  backend: Pick<Backend, 'matmul' | 'binary' | 'unary'>,
  a: NDArray,
  b: NDArray,
  { scale = 1, bias = null, relu = false }: MatmulEpilogue,
): NDArray {
  const product = backend.matmul(a, b);
  const scaled = scale === 1 ? product : backend.binary('mul', product, full([], scale, { dtype: product.dtype }));
  const shifted = bias ? backend.binary('add', scaled, bias) : scaled;
  return relu ? backend.unary('relu', shifted) : shifted;
}

/** conv2d through the Backend's own unfold and matmul: the definition, and the reference's implementation. */
export function conv2dByColumns(
  backend: Pick<Backend, 'unfold' | 'matmul'>,
  x: NDArray,
  w: NDArray,
  window: Window2d,
): NDArray {
  const [N] = x.shape as [number];
  const [O, C, kh, kw] = w.shape as [number, number, number, number];
  const cols = backend.unfold(x, window); // [N, C·kh·kw, L]
  const y = backend.matmul(w.reshape([O, C * kh * kw]), cols); // [N, O, L]
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  return y.reshape([
    N,
    O,
    windowOutputSize(H, kh, window.stride[0], window.padding[0], window.dilation[0]),
    windowOutputSize(W, kw, window.stride[1], window.padding[1], window.dilation[1]),
  ]);
}

/**
 * conv2d's input gradient by its definition, fold(Wᵀ · dy): w as [O, C·kh·kw], dy as
 * [N, O, L] (copied by the backend when its strides cannot say that). What Backend.conv2dInputGrad
 * computes, on a backend's own matmul and fold.
 */
export function conv2dInputGradByColumns(
  backend: Pick<Backend, 'matmul' | 'fold' | 'copy'>,
  dy: NDArray,
  w: NDArray,
  imageSize: readonly [number, number],
  window: Window2d,
): NDArray {
  const [N, O] = dy.shape as [number, number];
  const copy = (a: NDArray): NDArray => backend.copy(a);
  const columns = backend.matmul(w.reshape([O, -1], copy).transpose(0, 1), dy.reshape([N, O, -1], copy));
  return backend.fold(columns, imageSize, window); // [N, C, H, W]
}

/**
 * conv2d's weight gradient by its definition, Σₙ dy[n] · unfold(x)[n]ᵀ: the per-image products
 * [N, O, C·kh·kw] summed over the batch, as [O, C, kh, kw]. What Backend.conv2dWeightGrad
 * computes, on a backend's own unfold, matmul and sum.
 */
export function conv2dWeightGradByColumns(
  backend: Pick<Backend, 'unfold' | 'matmul' | 'reduce' | 'copy'>,
  dy: NDArray,
  x: NDArray,
  window: Window2d,
): NDArray {
  const [N, O] = dy.shape as [number, number];
  const columns = backend.unfold(x, window).transpose(1, 2); // [N, L, C·kh·kw]
  const products = backend.matmul(
    dy.reshape([N, O, -1], (a) => backend.copy(a)),
    columns,
  );
  return backend.reduce('sum', products, [0], false).reshape([O, x.shape[1]!, ...window.kernel]);
}

export interface Backend {
  /** A short name for messages and reports, e.g. 'cpu'. */
  readonly name: string;
  /** out[i] = op(a[i]). */
  unary(op: UnaryOp, a: NDArray): NDArray;
  /** out = op(a, b) with both broadcast to `broadcastShapes(a.shape, b.shape)`. Same dtype. */
  binary(op: BinaryOp, a: NDArray, b: NDArray): NDArray;
  /** Sum or max over `axes` (sorted, distinct, in range); keepdim keeps them as sides of 1. */
  reduce(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): NDArray;
  /** Batched matrix product: [...batchA, n, k] × [...batchB, k, m] → [...broadcast, n, m]. */
  matmul(a: NDArray, b: NDArray): NDArray;
  /**
   * A Linear layer's forward in one call: matmul(a, b), plus `bias` [m] on every row, then
   * max(·, 0) when `relu` — by definition `matmulThenEpilogue` (what the reference does); the
   * wasm backend applies the bias and the ReLU inside its matmul kernel (the epilogue).
   */
  fusedMatmul(a: NDArray, b: NDArray, epilogue: MatmulEpilogue): NDArray;
  /** Joins arrays along `axis` (all other sides equal, same dtype). */
  concat(arrays: readonly NDArray[], axis: number): NDArray;
  /** Pads each axis with `pads[axis] = [before, after]` copies of `value`. */
  pad(a: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray;
  /** A contiguous copy (row-major), optionally converting the dtype. */
  copy(a: NDArray, dtype?: DType): NDArray;
  /** A contiguous array of `shape` filled with `value`. */
  full(shape: readonly number[], value: number, dtype: DType): NDArray;
  /** out = cond != 0 ? a : b, all three broadcast together (cond has a's dtype). */
  where(cond: NDArray, a: NDArray, b: NDArray): NDArray;
  /** out[..., i, ...] = a[..., index[..., i, ...], ...] along `axis`; index has a's rank. */
  gather(a: NDArray, axis: number, index: NDArray): NDArray;
  /** The adjoint of gather: zeros of `shape`, then out[..., index[i], ...] += src[i] along `axis`. */
  scatterAdd(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray;
  /**
   * im2col: every window of x [N, C, H, W] as a column → [N, C·kh·kw, Ho·Wo]. Row
   * (c·kh + i)·kw + j holds input channel c at kernel offset (i, j); out-of-bounds reads are 0.
   */
  unfold(x: NDArray, window: Window2d): NDArray;
  /** col2im, unfold's adjoint: sums the columns [N, C·kh·kw, L] back into [N, C, H, W]. */
  fold(cols: NDArray, outputSize: readonly [number, number], window: Window2d): NDArray;
  /**
   * 2-D convolution, one group: x [N, C, H, W] and filters w [O, C, kh, kw] give
   * y [N, O, Ho, Wo] with y[n] = w (as [O, C·kh·kw]) · unfold(x)[n] — by definition exactly
   * unfold then matmul (what the reference does); a backend may skip writing the columns.
   */
  conv2d(x: NDArray, w: NDArray, window: Window2d): NDArray;
  /**
   * Optional: conv2d's input gradient, by definition fold(w (as [O, C·kh·kw])ᵀ · dy (as
   * [N, O, L]), imageSize, window) (conv2dInputGradByColumns) — for a backend that can keep the [N, C·kh·kw, L] columns
   * between the two to itself (the wasm backend runs the same two kernels without copying the
   * columns out). Autograd calls it in a backward that records no graph.
   */
  conv2dInputGrad?(dy: NDArray, w: NDArray, imageSize: readonly [number, number], window: Window2d): NDArray;
  /**
   * Optional: conv2d's weight gradient [O, C, kh, kw], by definition Σₙ dy[n] (as [O, L]) ·
   * unfold(x)[n]ᵀ, summed over the batch (conv2dWeightGradByColumns) — the columns, and the per-image products, kept to the
   * backend. Autograd calls it in a backward that records no graph.
   */
  conv2dWeightGrad?(dy: NDArray, x: NDArray, window: Window2d): NDArray;
  /**
   * Optional (both or neither): softmax along `axis` (in range), y = e^(x − m)/Σ e^(x − m) with m
   * each row's largest element. The reference is cpu/softmax.ts; a backend without it gets
   * autograd's composite (max, sub, exp, sum, div: 5 calls forward, ~8 backward).
   */
  softmax?(x: NDArray, axis: number): NDArray;
  /** Optional, with softmax: the gradient through it from its output y, dx = y·(dy − Σ dy·y) along `axis`. */
  softmaxGrad?(dy: NDArray, y: NDArray, axis: number): NDArray;
  /**
   * Optional (both or neither): GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)), elementwise. The reference
   * is cpu/gelu.ts; a backend without it gets autograd's composite (5 calls forward, ~11 backward).
   */
  gelu?(x: NDArray): NDArray;
  /** Optional, with gelu: dy·gelu'(x) = dy·(Φ(x) + x·φ(x)), φ the normal density; dy and x of one shape. */
  geluGrad?(dy: NDArray, x: NDArray): NDArray;
  /**
   * Optional (both or neither): layer normalisation of `x` read as rows of its last `n`
   * elements — per row μ = mean(x), r = 1/√(mean((x − μ)²) + eps), then
   * y = (x − μ)·r·weight + bias (weight and bias: n elements each, or null for 1 and 0) —
   * returning y and each row's μ and r. The reference is cpu/norm.ts; a backend without it
   * gets autograd's composite (mean, sub, mul, … : ~11 calls forward, ~25 backward).
   */
  layerNorm?(x: NDArray, n: number, eps: number, weight: NDArray | null, bias: NDArray | null): NormResult;
  /**
   * Optional, with layerNorm: its gradients from the upstream dy, the forward's x and the
   * statistics it returned (μ and r):
   * dx = r·(g − mean(g) − x̂·mean(g·x̂)) per row, with x̂ = (x − μ)·r and g = dy·weight, and the
   * column sums dweight = Σ dy·x̂, dbias = Σ dy over the rows. Autograd calls it in a backward
   * that records no graph.
   */
  layerNormGrad?(dy: NDArray, x: NDArray, stats: NormStats, weight: NDArray | null, n: number): NormGrads;
  /**
   * Optional (both or neither): batch normalisation with the batch's statistics, x [N, C, ...]
   * normalised per channel over every other axis — μ_c, r_c = 1/√(σ²_c + eps), then
   * y = (x − μ_c)·r_c·weight_c + bias_c (weight and bias: [C], or null). Returns y and each
   * channel's μ, r and σ². The reference is cpu/norm.ts; without it nn's BatchNorm is a composite.
   */
  batchNorm?(x: NDArray, eps: number, weight: NDArray | null, bias: NDArray | null): BatchNormResult;
  /**
   * Optional, with batchNorm: per channel, with g = dy·weight_c and x̂ = (x − μ_c)·r_c,
   * dx = r_c·(g − mean(g) − x̂·mean(g·x̂)), dweight_c = Σ dy·x̂, dbias_c = Σ dy.
   */
  batchNormGrad?(dy: NDArray, x: NDArray, stats: NormStats, weight: NDArray | null): NormGrads;
  /**
   * Optional: one Adam or AdamW update (see AdamScalars) of p from its gradient g and its
   * moments m and v (null before the first update), all contiguous arrays of one shape and
   * dtype. Each step rounds as the composite's ops do — every scalar a float of the arrays'
   * dtype, every operation rounded to it — so the values are those of nn's composite update
   * bit for bit (the reference is cpu/adam.ts). Without it nn runs the composite (~13 calls).
   */
  adam?(p: NDArray, g: NDArray, m: NDArray | null, v: NDArray | null, scalars: AdamScalars): AdamResult;
  /**
   * Optional: one SGD update (see SGDScalars) of p from its gradient g and its momentum buffer
   * (null before the first update, or without momentum), contiguous arrays of one shape and
   * dtype, rounded as nn's composite update rounds: its values bit for bit (the reference is
   * cpu/sgd.ts). Without it nn runs the composite (2 to 7 calls).
   */
  sgd?(p: NDArray, g: NDArray, buf: NDArray | null, scalars: SGDScalars): SGDResult;
  /**
   * Optional, for backends with device memory: runs `fn`, then frees every result it created
   * except those `keep(result)` names. Backends whose results are host arrays leave it out.
   */
  scope?<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
  /**
   * Optional, for backends that keep copies of arrays in memory of their own (wasm): runs `fn`
   * and then drops the backend's copies of the results it created, except those `keep(result)`
   * names — a hint that they will not be read again soon. Nothing is freed that anyone can
   * see: every array stays valid. The engine uses it around backward passes and optimizer steps.
   */
  forgetScope?<T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T;
  /** Optional, with forgetScope: drops the backend's copies of these arrays (they stay valid). */
  forget?(arrays: Iterable<NDArray>): void;
  /**
   * Optional, for backends whose results could stay in memory of their own (wasm): forgetScope
   * for a `fn` that runs only the engine's own code and whose results nobody reads afterwards
   * except those `keep(result)` names — the engine's backward pass through built-in ops. The
   * backend may keep the other results in its memory only (host code that reads one inside fn
   * gets a copy), hand out the kept ones as usual at the end, and free the rest: reading one of
   * those afterwards is an error naming this.
   */
  sealedScope?<T>(fn: () => T, keep: (result: T) => Iterable<NDArray>): T;
}
