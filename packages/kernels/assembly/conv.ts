/**
 * 2-D convolution without the columns: y[n] = W · unfold(x)[n] computed as the matrix product
 * of matmul.ts, with the B panels packed straight from the image instead of from a materialised
 * unfold. Column l of unfold(x)[n] is the window at output position (oy, ox) = (l / ow, l % ow);
 * row k = (c·kh + i)·kw + j of it is the pixel
 *
 *   x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]     (0 in the padding)
 *
 * so packing a panel of 8 columns for k steps reads, per step, 8 pixels of one input row —
 * one contiguous run when the stride is 1 and the 8 windows lie on one output row (two vector
 * loads); pixel by pixel otherwise. Each share first copies the input rows its windows read into
 * a band with the padding written out as zeros (padBand: a bulk copy, C·rows·(W + 2·pw) floats),
 * so no read needs a bounds check and the windows at the image's edges are vector runs too. The
 * [N, C·kh·kw, L] columns (9× the input for a 3 × 3 kernel) are never written.
 *
 * The geometry arrives as an Int32Array `g` (as for unfold):
 *   [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]
 */
import { KC, MR, NR, blockProduct } from './matmul';

@inline function geo(g: usize, i: i32): i32 { return load<i32>(g + <usize>i * 4); }

/**
 * The input rows [top, top + rows) of image n (rows above or below the image are zeros), each
 * widened by pw zeros on both sides, channel after channel, at `band`: the padding becomes real
 * zeros, so every window of the share lies inside the band and packing needs no bounds checks.
 */
function padBand(band: usize, src: usize, C: i32, H: i32, W: i32, pw: i32, top: i32, rows: i32): void {
  const wp = W + 2 * pw;
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < rows; r++) {
      const to = band + <usize>((c * rows + r) * wp) * 4;
      const iy = top + r;
      if (iy < 0 || iy >= H) {
        memory.fill(to, 0, <usize>wp * 4);
        continue;
      }
      memory.fill(to, 0, <usize>pw * 4);
      memory.copy(to + <usize>pw * 4, src + <usize>((c * H + iy) * W) * 4, <usize>W * 4);
      memory.fill(to + <usize>(pw + W) * 4, 0, <usize>pw * 4);
    }
  }
}

/** The band of input rows the windows of output columns [j0, j0 + cols) read: its first row and its height. */
@inline function bandTop(g: usize, j0: i32): i32 {
  return (j0 / geo(g, 12)) * geo(g, 5) - geo(g, 7);
}
function bandRows(g: usize, j0: i32, cols: i32): i32 {
  const ow = geo(g, 12);
  return inputRows(g, (j0 + cols - 1) / ow - j0 / ow + 1);
}
/** The input rows that `outRows` consecutive output rows' windows read: (outRows − 1)·sh + (kh − 1)·dh + 1. */
@inline function inputRows(g: usize, outRows: i32): i32 {
  return (outRows - 1) * geo(g, 5) + (geo(g, 3) - 1) * geo(g, 9) + 1;
}

/**
 * Packs rows [p0, p0 + kc) × window columns [j0, j0 + cols) of the image's unfold, read from
 * its padded band (`rows` high, W + 2·pw wide, first row `top`), into NR-column panels.
 * `corners` is room for 2·NR integers: where each of a panel's windows starts in the band,
 * worked out once per panel.
 */
function packWindows(dst: usize, band: usize, g: usize, top: i32, rows: i32, p0: i32, kc: i32, j0: i32, cols: i32, corners: usize): void {
  const kh = geo(g, 3), kw = geo(g, 4), sh = geo(g, 5), sw = geo(g, 6), ph = geo(g, 7), dh = geo(g, 9), dw = geo(g, 10);
  const wp = geo(g, 2) + 2 * geo(g, 8);
  const ow = geo(g, 12);
  for (let q = 0; q < cols; q += NR) {
    const panel = dst + <usize>(q * kc) * 4;
    const live = min(NR, cols - q);
    const l0 = j0 + q;
    const oneRun = sw == 1 && live == NR && (l0 % ow) + NR <= ow; // 8 windows side by side on one output row
    for (let t = 0; t < live; t++) {
      const l = l0 + t;
      store<i32>(corners + <usize>t * 8, (l / ow) * sh - ph - top);
      store<i32>(corners + <usize>t * 8 + 4, (l % ow) * sw);
    }
    let c = p0 / (kh * kw), i = (p0 / kw) % kh, j = p0 % kw;
    for (let p = 0; p < kc; p++) {
      const to = panel + <usize>(p * NR) * 4;
      const plane = band + <usize>(c * rows * wp) * 4;
      if (oneRun) {
        const from = plane + <usize>((load<i32>(corners) + i * dh) * wp + load<i32>(corners + 4) + j * dw) * 4;
        v128.store(to, v128.load(from));
        v128.store(to + 16, v128.load(from + 16));
      } else {
        for (let t = 0; t < NR; t++) {
          const by = load<i32>(corners + <usize>t * 8) + i * dh;
          const bx = load<i32>(corners + <usize>t * 8 + 4) + j * dw;
          store<f32>(to + <usize>t * 4, t < live ? load<f32>(plane + <usize>(by * wp + bx) * 4) : 0);
        }
      }
      if (++j == kw) { j = 0; if (++i == kh) { i = 0; c++; } }
    }
  }
}

/**
 * Floats of scratch one share of a convolution needs: as matmulScratch, 2·NR integers for
 * window corners, and the padded band of input rows its `cols` windows read (at most).
 */
export function conv2dScratch(g: usize, cols: i32): i32 {
  const ow = geo(g, 12);
  const rows = inputRows(g, min(geo(g, 11), (cols + ow - 2) / ow + 1)); // at most that many output rows for `cols` columns
  return KC * ((cols + NR - 1) / NR) * NR + MR * NR + 2 * NR + geo(g, 0) * rows * (geo(g, 2) + 2 * geo(g, 8));
}

/**
 * y[n, :, j0 .. j0 + cols) = W · unfold(x)[n][:, j0 .. j0 + cols) for image n, with W (O × K,
 * K = C·kh·kw) already packed by packAll. y is [N, O, L] contiguous (L = oh·ow). The column
 * range lets threads share one image; `scratch` holds conv2dScratch(cols) floats.
 */
export function conv2d(y: usize, ap: usize, x: usize, g: usize, O: i32, K: i32, n: i32, j0: i32, cols: i32, scratch: usize): void {
  if (cols <= 0) return;
  const L = geo(g, 11) * geo(g, 12);
  const tile = scratch + <usize>(KC * (((cols + NR - 1) / NR) * NR)) * 4;
  const rowsPadded = ((O + MR - 1) / MR) * MR;
  const c = y + <usize>(n * O * L + j0) * 4;
  const corners = tile + MR * NR * 4;
  const band = corners + 2 * NR * 4;
  const C = geo(g, 0), H = geo(g, 1), W = geo(g, 2);
  const top = bandTop(g, j0), rows = bandRows(g, j0, cols);
  padBand(band, x + <usize>(n * C * H * W) * 4, C, H, W, geo(g, 8), top, rows);
  for (let p0 = 0; p0 < K; p0 += KC) {
    const kc = min(KC, K - p0);
    packWindows(scratch, band, g, top, rows, p0, kc, j0, cols, corners);
    blockProduct(c, L, ap, rowsPadded, O, p0, kc, scratch, cols, 0, 0, 0, tile);
  }
}
