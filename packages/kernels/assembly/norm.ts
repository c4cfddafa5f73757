/**
 * Layer normalisation (Backend.layerNorm / layerNormGrad), over rows of n contiguous floats:
 *
 *   μ = (1/n) Σ_j x_j      σ² = (1/n) Σ_j (x_j − μ)²      r = 1/√(σ² + ε)
 *   x̂_j = (x_j − μ)·r      y_j = x̂_j·w_j + b_j
 *
 *   g_j = dy_j·w_j      dx_j = r·(g_j − mean(g) − x̂_j·mean(g·x̂))
 *   dw_j = Σ_rows dy_j·x̂_j      db_j = Σ_rows dy_j
 *
 * The arithmetic is float64, one element at a time, in the order of the reference
 * (src/cpu/norm.ts): μ and r are rounded to float32 and then used as they are, and the sums run
 * in order, so the results are the reference's bit for bit. A layer norm's rows are short (a
 * transformer's width) and its cost is in the calls it saves, not in the lanes.
 * `w` and `b` are 0 when absent (then 1 and 0).
 */

/** y, μ and r of rows [r0, r1). */
export function layerNormRows(y: usize, mean: usize, rstd: usize, x: usize, w: usize, b: usize, n: i32, eps: f64, r0: i32, r1: i32): void {
  for (let row = r0; row < r1; row++) {
    const at = x + <usize>row * <usize>n * 4;
    let sum: f64 = 0;
    for (let j = 0; j < n; j++) sum += <f64>load<f32>(at + <usize>j * 4);
    const mu = <f64><f32>(sum / <f64>n);
    let squares: f64 = 0;
    for (let j = 0; j < n; j++) {
      const d = <f64>load<f32>(at + <usize>j * 4) - mu;
      squares += d * d;
    }
    const r = <f64><f32>(1 / Math.sqrt(squares / <f64>n + eps));
    const out = y + <usize>row * <usize>n * 4;
    for (let j = 0; j < n; j++) {
      const xhat = (<f64>load<f32>(at + <usize>j * 4) - mu) * r;
      const scale: f64 = w ? <f64>load<f32>(w + <usize>j * 4) : 1;
      const shift: f64 = b ? <f64>load<f32>(b + <usize>j * 4) : 0;
      store<f32>(out + <usize>j * 4, <f32>(xhat * scale + shift));
    }
    store<f32>(mean + <usize>row * 4, <f32>mu);
    store<f32>(rstd + <usize>row * 4, <f32>r);
  }
}

/** dx of rows [r0, r1). */
export function layerNormGradRows(dx: usize, dy: usize, x: usize, mean: usize, rstd: usize, w: usize, n: i32, r0: i32, r1: i32): void {
  for (let row = r0; row < r1; row++) {
    const offset = <usize>row * <usize>n * 4;
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
    const meanG = sumG / <f64>n;
    const meanGXhat = sumGXhat / <f64>n;
    for (let j = 0; j < n; j++) {
      const at = offset + <usize>j * 4;
      const xhat = (<f64>load<f32>(x + at) - mu) * r;
      const g = <f64>load<f32>(dy + at) * (w ? <f64>load<f32>(w + <usize>j * 4) : 1);
      store<f32>(dx + at, <f32>(r * (g - meanG - xhat * meanGXhat)));
    }
  }
}

/** dw and db of columns [c0, c1), summed over all `rows` rows in order (float64, rounded once). */
export function layerNormParamGrads(dw: usize, db: usize, dy: usize, x: usize, mean: usize, rstd: usize, rows: i32, n: i32, c0: i32, c1: i32): void {
  for (let j = c0; j < c1; j++) {
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
