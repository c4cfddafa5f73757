/**
 * Layer and batch normalisation, the reference (Backend.layerNorm / layerNormGrad, batchNorm /
 * batchNormGrad). Layer norm first; batch norm, the same arithmetic per channel, at the end.
 *
 * Layer normalisation. `x` is read as rows
 * of its last `n` elements (n: the size of the normalised shape). Each row is standardised,
 * then scaled and shifted:
 *
 *   μ = (1/n) Σ_j x_j      σ² = (1/n) Σ_j (x_j − μ)²      r = 1/√(σ² + ε)
 *   x̂_j = (x_j − μ)·r      y_j = x̂_j·w_j + b_j
 *
 * and its gradient, with g_j = dy_j·w_j (the gradient reaching x̂):
 *
 *   dx_j = r·(g_j − mean(g) − x̂_j·mean(g·x̂))
 *   dw_j = Σ_rows dy_j·x̂_j      db_j = Σ_rows dy_j
 *
 * (dx: x̂ depends on x directly and through μ and r; the two means are those paths.)
 *
 * The arithmetic is float64. μ and r are rounded to the dtype first and then used as they are,
 * by the forward and the backward alike, so both see the same x̂; every output is rounded once.
 * Sums run in order, row after row — the wasm kernels add in the same order, so the two agree
 * bit for bit.
 */
import { NDArray, type Storage, allocate } from '@skipgrad/tensor';
import type { BatchNormResult, NormGrads, NormResult, NormStats } from '../backend.js';

/** The elements of `a` in row-major order, without a copy where its storage already is that. */
function elements(a: NDArray): Storage {
  return a.toTypedArray();
}

/** Rounds a float64 into `dtype` (float32 storage rounds on store; this is for values kept in locals). */
function rounder(storage: Storage): (v: number) => number {
  return storage instanceof Float32Array ? Math.fround : (v) => v;
}

export function layerNorm(
  x: NDArray,
  n: number,
  eps: number,
  weight: NDArray | null,
  bias: NDArray | null,
): NormResult {
  const rows = x.size / n;
  const xs = elements(x);
  const ws = weight && elements(weight);
  const bs = bias && elements(bias);
  const round = rounder(xs);
  const y = allocate(x.dtype, x.size);
  const mean = allocate(x.dtype, rows);
  const rstd = allocate(x.dtype, rows);
  for (let row = 0; row < rows; row++) {
    const at = row * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += xs[at + j]!;
    const mu = round(sum / n);
    let squares = 0;
    for (let j = 0; j < n; j++) {
      const d = xs[at + j]! - mu;
      squares += d * d;
    }
    const r = round(1 / Math.sqrt(squares / n + eps));
    for (let j = 0; j < n; j++) {
      const xhat = (xs[at + j]! - mu) * r;
      y[at + j] = xhat * (ws ? ws[j]! : 1) + (bs ? bs[j]! : 0);
    }
    mean[row] = mu;
    rstd[row] = r;
  }
  return { y: new NDArray(y, [...x.shape]), mean: new NDArray(mean, [rows]), rstd: new NDArray(rstd, [rows]) };
}

export function layerNormGrad(
  dy: NDArray,
  x: NDArray,
  { mean, rstd }: NormStats,
  weight: NDArray | null,
  n: number,
): NormGrads {
  const rows = x.size / n;
  const [gs, xs, mus, rs] = [elements(dy), elements(x), elements(mean), elements(rstd)];
  const ws = weight && elements(weight);
  const dx = allocate(x.dtype, x.size);
  // Column sums over the rows, in float64, rounded once at the end.
  const dw = new Float64Array(n);
  const db = new Float64Array(n);
  for (let row = 0; row < rows; row++) {
    const at = row * n;
    const [mu, r] = [mus[row]!, rs[row]!];
    let sumG = 0;
    let sumGXhat = 0;
    for (let j = 0; j < n; j++) {
      const xhat = (xs[at + j]! - mu) * r;
      const g = gs[at + j]! * (ws ? ws[j]! : 1);
      sumG += g;
      sumGXhat += g * xhat;
      dw[j]! += gs[at + j]! * xhat;
      db[j]! += gs[at + j]!;
    }
    const [meanG, meanGXhat] = [sumG / n, sumGXhat / n];
    for (let j = 0; j < n; j++) {
      const xhat = (xs[at + j]! - mu) * r;
      const g = gs[at + j]! * (ws ? ws[j]! : 1);
      dx[at + j] = r * (g - meanG - xhat * meanGXhat);
    }
  }
  const rounded = (sums: Float64Array): NDArray => {
    const out = allocate(x.dtype, n);
    out.set(sums);
    return new NDArray(out, [n]);
  };
  return { dx: new NDArray(dx, [...x.shape]), dweight: rounded(dw), dbias: rounded(db) };
}

/**
 * Batch normalisation with the batch's statistics: x [N, C, ...] seen as [N, C, S] (S the
 * product of the other axes); channel c's group is its N runs of S elements, one per sample.
 * Per group the arithmetic of layerNorm above, with the weight and bias per channel:
 *
 *   y = x̂·w_c + b_c                                  x̂ = (x − μ_c)·r_c
 *   dx = r_c·(g − mean(g) − x̂·mean(g·x̂))             g = dy·w_c
 *   dw_c = Σ dy·x̂      db_c = Σ dy                    over the group
 *
 * Sums run sample by sample, then along the run, as the wasm kernel's do.
 */
export function batchNorm(x: NDArray, eps: number, weight: NDArray | null, bias: NDArray | null): BatchNormResult {
  const { N, C, S } = channels(x.shape);
  const xs = elements(x);
  const [ws, bs] = [weight && elements(weight), bias && elements(bias)];
  const round = rounder(xs);
  const [y, mean, rstd, variance] = [x.size, C, C, C].map((size) => allocate(x.dtype, size)) as [
    Storage,
    Storage,
    Storage,
    Storage,
  ];
  const count = N * S;
  for (let c = 0; c < C; c++) {
    const at = (n: number, s: number): number => (n * C + c) * S + s;
    let sum = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += xs[at(n, s)]!;
    const mu = round(sum / count);
    let squares = 0;
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const d = xs[at(n, s)]! - mu;
        squares += d * d;
      }
    }
    const r = round(1 / Math.sqrt(squares / count + eps));
    variance[c] = squares / count;
    const [scale, shift] = [ws ? ws[c]! : 1, bs ? bs[c]! : 0];
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) y[at(n, s)] = (xs[at(n, s)]! - mu) * r * scale + shift;
    mean[c] = mu;
    rstd[c] = r;
  }
  return {
    y: new NDArray(y, [...x.shape]),
    mean: new NDArray(mean, [C]),
    rstd: new NDArray(rstd, [C]),
    variance: new NDArray(variance, [C]),
  };
}

export function batchNormGrad(dy: NDArray, x: NDArray, { mean, rstd }: NormStats, weight: NDArray | null): NormGrads {
  const { N, C, S } = channels(x.shape);
  const [gs, xs, mus, rs] = [elements(dy), elements(x), elements(mean), elements(rstd)];
  const ws = weight && elements(weight);
  const [dx, dw, db] = [allocate(x.dtype, x.size), allocate(x.dtype, C), allocate(x.dtype, C)];
  const count = N * S;
  for (let c = 0; c < C; c++) {
    const at = (n: number, s: number): number => (n * C + c) * S + s;
    const [mu, r, scale] = [mus[c]!, rs[c]!, ws ? ws[c]! : 1];
    let [sumDy, sumDyXhat] = [0, 0];
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        sumDy += gs[at(n, s)]!;
        sumDyXhat += gs[at(n, s)]! * ((xs[at(n, s)]! - mu) * r);
      }
    }
    // g = dy·w_c, so mean(g) and mean(g·x̂) are w_c times dy's.
    const [meanG, meanGXhat] = [(sumDy * scale) / count, (sumDyXhat * scale) / count];
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const xhat = (xs[at(n, s)]! - mu) * r;
        dx[at(n, s)] = r * (gs[at(n, s)]! * scale - meanG - xhat * meanGXhat);
      }
    }
    dw[c] = sumDyXhat;
    db[c] = sumDy;
  }
  return { dx: new NDArray(dx, [...x.shape]), dweight: new NDArray(dw, [C]), dbias: new NDArray(db, [C]) };
}

/** x [N, C, ...] as [N, C, S]. */
function channels(shape: readonly number[]): { N: number; C: number; S: number } {
  return { N: shape[0]!, C: shape[1]!, S: shape.slice(2).reduce((p, q) => p * q, 1) };
}
