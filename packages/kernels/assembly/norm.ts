/**
 * Layer normalisation (Backend.layerNorm / layerNormGrad), over rows of n contiguous floats:
 *
 *   μ = (1/n) Σ_j x_j      σ² = (1/n) Σ_j (x_j − μ)²      r = 1/√(σ² + ε)
 *   x̂_j = (x_j − μ)·r      y_j = x̂_j·w_j + b_j
 *
 *   g_j = dy_j·w_j      dx_j = r·(g_j − mean(g) − x̂_j·mean(g·x̂))
 *   dw_j = Σ_rows dy_j·x̂_j      db_j = Σ_rows dy_j
 *
 * The arithmetic is float64, each element's in the order of the reference (src/cpu/norm.ts): μ
 * and r are rounded to float32 and then used as they are, and the sums run in order, so the
 * results are the reference's bit for bit.
 * `w` and `b` are 0 when absent (then 1 and 0).
 */

/*
 * Speed without changing a bit: a row's sums are chains of dependent float64 adds (each waits
 * for the one before), so two rows go through them together, one in each lane of an f64x2;
 * each lane adds its own row's values in the same order as before. The per-element arithmetic
 * after the sums runs two elements to a vector, the same operations each. The parameter
 * gradients take two columns to a vector the same way. (1 row or column left over: one lane.)
 */
import { pairAt, roundedToF32, storeTwo, twoAt } from './lanes';

/** y, μ and r of rows [r0, r1). */
export function layerNormRows(y: usize, mean: usize, rstd: usize, x: usize, w: usize, b: usize, n: i32, eps: f64, r0: i32, r1: i32): void {
  const rowBytes = <usize>n * 4;
  const count = f64x2.splat(<f64>n);
  let row = r0;
  for (; row + 2 <= r1; row += 2) {
    const at = x + <usize>row * rowBytes;
    let sum = f64x2.splat(0);
    for (let j = 0; j < n; j++) sum = f64x2.add(sum, pairAt(at + <usize>j * 4, at + rowBytes + <usize>j * 4));
    const mu = roundedToF32(f64x2.div(sum, count));
    let squares = f64x2.splat(0);
    for (let j = 0; j < n; j++) {
      const d = f64x2.sub(pairAt(at + <usize>j * 4, at + rowBytes + <usize>j * 4), mu);
      squares = f64x2.add(squares, f64x2.mul(d, d));
    }
    const r = roundedToF32(f64x2.div(f64x2.splat(1), f64x2.sqrt(f64x2.add(f64x2.div(squares, count), f64x2.splat(eps)))));
    for (let lane = 0; lane < 2; lane++) {
      const m = lane ? f64x2.extract_lane(mu, 1) : f64x2.extract_lane(mu, 0);
      const rs = lane ? f64x2.extract_lane(r, 1) : f64x2.extract_lane(r, 0);
      normalizeRow(y + <usize>(row + lane) * rowBytes, at + <usize>lane * rowBytes, m, rs, w, b, n);
      store<f32>(mean + <usize>(row + lane) * 4, <f32>m);
      store<f32>(rstd + <usize>(row + lane) * 4, <f32>rs);
    }
  }
  if (row < r1) {
    const at = x + <usize>row * rowBytes;
    let sum: f64 = 0;
    for (let j = 0; j < n; j++) sum += <f64>load<f32>(at + <usize>j * 4);
    const mu = <f64><f32>(sum / <f64>n);
    let squares: f64 = 0;
    for (let j = 0; j < n; j++) {
      const d = <f64>load<f32>(at + <usize>j * 4) - mu;
      squares += d * d;
    }
    const r = <f64><f32>(1 / Math.sqrt(squares / <f64>n + eps));
    normalizeRow(y + <usize>row * rowBytes, at, mu, r, w, b, n);
    store<f32>(mean + <usize>row * 4, <f32>mu);
    store<f32>(rstd + <usize>row * 4, <f32>r);
  }
}

/** y_j = x̂_j·w_j + b_j of one row, x̂_j = (x_j − μ)·r, two elements at a time. */
@inline function normalizeRow(out: usize, at: usize, mu: f64, r: f64, w: usize, b: usize, n: i32): void {
  const mus = f64x2.splat(mu);
  const rs = f64x2.splat(r);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const xhat = f64x2.mul(f64x2.sub(twoAt(at + <usize>j * 4), mus), rs);
    const scale = w ? twoAt(w + <usize>j * 4) : f64x2.splat(1);
    const shift = b ? twoAt(b + <usize>j * 4) : f64x2.splat(0);
    storeTwo(out + <usize>j * 4, f64x2.add(f64x2.mul(xhat, scale), shift));
  }
  for (; j < n; j++) {
    const xhat = (<f64>load<f32>(at + <usize>j * 4) - mu) * r;
    const scale: f64 = w ? <f64>load<f32>(w + <usize>j * 4) : 1;
    const shift: f64 = b ? <f64>load<f32>(b + <usize>j * 4) : 0;
    store<f32>(out + <usize>j * 4, <f32>(xhat * scale + shift));
  }
}

/** dx of rows [r0, r1). */
export function layerNormGradRows(dx: usize, dy: usize, x: usize, mean: usize, rstd: usize, w: usize, n: i32, r0: i32, r1: i32): void {
  const rowBytes = <usize>n * 4;
  const count = f64x2.splat(<f64>n);
  let row = r0;
  for (; row + 2 <= r1; row += 2) {
    const offset = <usize>row * rowBytes;
    const mu = twoAt(mean + <usize>row * 4);
    const r = twoAt(rstd + <usize>row * 4);
    let sumG = f64x2.splat(0);
    let sumGXhat = f64x2.splat(0);
    for (let j = 0; j < n; j++) {
      const at = offset + <usize>j * 4;
      const xhat = f64x2.mul(f64x2.sub(pairAt(x + at, x + at + rowBytes), mu), r);
      const g = f64x2.mul(pairAt(dy + at, dy + at + rowBytes), f64x2.splat(w ? <f64>load<f32>(w + <usize>j * 4) : 1));
      sumG = f64x2.add(sumG, g);
      sumGXhat = f64x2.add(sumGXhat, f64x2.mul(g, xhat));
    }
    const meanG = f64x2.div(sumG, count);
    const meanGXhat = f64x2.div(sumGXhat, count);
    for (let lane = 0; lane < 2; lane++) {
      const o = offset + <usize>lane * rowBytes;
      if (lane) gradRow(dx + o, dy + o, x + o, f64x2.extract_lane(mu, 1), f64x2.extract_lane(r, 1), f64x2.extract_lane(meanG, 1), f64x2.extract_lane(meanGXhat, 1), w, n);
      else gradRow(dx + o, dy + o, x + o, f64x2.extract_lane(mu, 0), f64x2.extract_lane(r, 0), f64x2.extract_lane(meanG, 0), f64x2.extract_lane(meanGXhat, 0), w, n);
    }
  }
  if (row < r1) {
    const offset = <usize>row * rowBytes;
    const mu = <f64>load<f32>(mean + <usize>row * 4);
    const r = <f64>load<f32>(rstd + <usize>row * 4);
    let sumG: f64 = 0;
    let sumGXhat: f64 = 0;
    for (let j = 0; j < n; j++) {
      const at = offset + <usize>j * 4;
      const xhat = (<f64>load<f32>(x + at) - mu) * r;
      const g = <f64>load<f32>(dy + at) * (w ? <f64>load<f32>(w + <usize>j * 4) : 1);
      sumG += g;
      sumGXhat += g * xhat;
    }
    gradRow(dx + offset, dy + offset, x + offset, mu, r, sumG / <f64>n, sumGXhat / <f64>n, w, n);
  }
}

/** dx_j = r·(g_j − mean(g) − x̂_j·mean(g·x̂)) of one row, two elements at a time. */
@inline function gradRow(dx: usize, dy: usize, x: usize, mu: f64, r: f64, meanG: f64, meanGXhat: f64, w: usize, n: i32): void {
  const mus = f64x2.splat(mu);
  const rs = f64x2.splat(r);
  const mg = f64x2.splat(meanG);
  const mgx = f64x2.splat(meanGXhat);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const at = <usize>j * 4;
    const xhat = f64x2.mul(f64x2.sub(twoAt(x + at), mus), rs);
    const g = f64x2.mul(twoAt(dy + at), w ? twoAt(w + at) : f64x2.splat(1));
    storeTwo(dx + at, f64x2.mul(rs, f64x2.sub(f64x2.sub(g, mg), f64x2.mul(xhat, mgx))));
  }
  for (; j < n; j++) {
    const at = <usize>j * 4;
    const xhat = (<f64>load<f32>(x + at) - mu) * r;
    const g = <f64>load<f32>(dy + at) * (w ? <f64>load<f32>(w + at) : 1);
    store<f32>(dx + at, <f32>(r * (g - meanG - xhat * meanGXhat)));
  }
}

/** dw and db of columns [c0, c1), summed over all `rows` rows in order (float64, rounded once). */
export function layerNormParamGrads(dw: usize, db: usize, dy: usize, x: usize, mean: usize, rstd: usize, rows: i32, n: i32, c0: i32, c1: i32): void {
  let j = c0;
  for (; j + 2 <= c1; j += 2) {
    let sumW = f64x2.splat(0);
    let sumB = f64x2.splat(0);
    for (let row = 0; row < rows; row++) {
      const at = (<usize>row * <usize>n + <usize>j) * 4;
      const mu = f64x2.splat(<f64>load<f32>(mean + <usize>row * 4));
      const r = f64x2.splat(<f64>load<f32>(rstd + <usize>row * 4));
      const g = twoAt(dy + at);
      sumW = f64x2.add(sumW, f64x2.mul(g, f64x2.mul(f64x2.sub(twoAt(x + at), mu), r)));
      sumB = f64x2.add(sumB, g);
    }
    storeTwo(dw + <usize>j * 4, sumW);
    storeTwo(db + <usize>j * 4, sumB);
  }
  for (; j < c1; j++) {
    let sumW: f64 = 0;
    let sumB: f64 = 0;
    for (let row = 0; row < rows; row++) {
      const at = (<usize>row * <usize>n + <usize>j) * 4;
      const mu = <f64>load<f32>(mean + <usize>row * 4);
      const r = <f64>load<f32>(rstd + <usize>row * 4);
      const g = <f64>load<f32>(dy + at);
      sumW += g * ((<f64>load<f32>(x + at) - mu) * r);
      sumB += g;
    }
    store<f32>(dw + <usize>j * 4, <f32>sumW);
    store<f32>(db + <usize>j * 4, <f32>sumB);
  }
}

/**
 * Batch normalisation with the batch's statistics (Backend.batchNorm / batchNormGrad): x is
 * [N, C, S] and channel c's group is its N runs of S floats, one per sample, at (n·C + c)·S.
 * The arithmetic of the layer norm above per group, with the weight and bias per channel; sums
 * sample by sample, then along the run, as the reference's. Threads share the channels.
 */

/** y, μ, r and σ² of channels [c0, c1). */
export function batchNormChannels(y: usize, mean: usize, rstd: usize, variance: usize, x: usize, w: usize, b: usize, N: i32, C: i32, S: i32, eps: f64, c0: i32, c1: i32): void {
  const count = <f64>N * <f64>S;
  for (let c = c0; c < c1; c++) {
    let sum: f64 = 0;
    for (let n = 0; n < N; n++) {
      const run = x + (<usize>(n * C + c) * <usize>S) * 4;
      for (let s = 0; s < S; s++) sum += <f64>load<f32>(run + <usize>s * 4);
    }
    const mu = <f64><f32>(sum / count);
    let squares: f64 = 0;
    for (let n = 0; n < N; n++) {
      const run = x + (<usize>(n * C + c) * <usize>S) * 4;
      for (let s = 0; s < S; s++) {
        const d = <f64>load<f32>(run + <usize>s * 4) - mu;
        squares += d * d;
      }
    }
    const r = <f64><f32>(1 / Math.sqrt(squares / count + eps));
    store<f32>(variance + <usize>c * 4, <f32>(squares / count));
    const scale: f64 = w ? <f64>load<f32>(w + <usize>c * 4) : 1;
    const shift: f64 = b ? <f64>load<f32>(b + <usize>c * 4) : 0;
    for (let n = 0; n < N; n++) {
      const offset = (<usize>(n * C + c) * <usize>S) * 4;
      for (let s = 0; s < S; s++) {
        const at = offset + <usize>s * 4;
        store<f32>(y + at, <f32>((<f64>load<f32>(x + at) - mu) * r * scale + shift));
      }
    }
    store<f32>(mean + <usize>c * 4, <f32>mu);
    store<f32>(rstd + <usize>c * 4, <f32>r);
  }
}

/** dx, dw and db of channels [c0, c1). */
export function batchNormGradChannels(dx: usize, dw: usize, db: usize, dy: usize, x: usize, mean: usize, rstd: usize, w: usize, N: i32, C: i32, S: i32, c0: i32, c1: i32): void {
  const count = <f64>N * <f64>S;
  for (let c = c0; c < c1; c++) {
    const mu = <f64>load<f32>(mean + <usize>c * 4);
    const r = <f64>load<f32>(rstd + <usize>c * 4);
    const scale: f64 = w ? <f64>load<f32>(w + <usize>c * 4) : 1;
    let sumDy: f64 = 0;
    let sumDyXhat: f64 = 0;
    for (let n = 0; n < N; n++) {
      const offset = (<usize>(n * C + c) * <usize>S) * 4;
      for (let s = 0; s < S; s++) {
        const at = offset + <usize>s * 4;
        const g = <f64>load<f32>(dy + at);
        sumDy += g;
        sumDyXhat += g * ((<f64>load<f32>(x + at) - mu) * r);
      }
    }
    const meanG = (sumDy * scale) / count;
    const meanGXhat = (sumDyXhat * scale) / count;
    for (let n = 0; n < N; n++) {
      const offset = (<usize>(n * C + c) * <usize>S) * 4;
      for (let s = 0; s < S; s++) {
        const at = offset + <usize>s * 4;
        const xhat = (<f64>load<f32>(x + at) - mu) * r;
        store<f32>(dx + at, <f32>(r * (<f64>load<f32>(dy + at) * scale - meanG - xhat * meanGXhat)));
      }
    }
    store<f32>(dw + <usize>c * 4, <f32>sumDyXhat);
    store<f32>(db + <usize>c * 4, <f32>sumDy);
  }
}
