/**
 * 2-D convolution without the columns: y[n] = W · unfold(x)[n] computed as the matrix product
 * of matmul.ts, with the B panels read from the image itself instead of from a materialised
 * unfold. Column l of unfold(x)[n] is the window at output position (oy, ox) = (l / ow, l % ow);
 * row k = (c·kh + i)·kw + j of it is the pixel
 *
 *   x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]     (0 in the padding)
 *
 * Each share first copies the input rows its windows read into a band with the padding written
 * out as zeros (padBand: a bulk copy, C·rows·(W + 2·pw) floats), so no read needs a bounds check
 * and the windows at the image's edges are like any other. With stride 1, 8 windows side by side
 * on one output row read, for each k, 8 consecutive pixels of one band row: row k of such a
 * panel starts at the first window's corner plus a fixed offset, (c·rows + i·dh)·(W + 2·pw) +
 * j·dw, the same for every panel. Those panels are not packed at all — the micro-kernel reads
 * them where they lie, through a table of the K offsets (microKernelGathered). Only the others
 * (a row that wraps, a stride above 1, a last partial panel) are packed, pixel by pixel. The
 * [N, C·kh·kw, L] columns (9× the input for a 3 × 3 kernel) are never written.
 *
 * The geometry arrives as an Int32Array `g` (as for unfold):
 *   [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]
 */
import { KC, MC, MR, NR, aPanel, microKernel, microKernelGathered } from './matmul';

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

/** True when the `live` windows from output column l0 are NR side by side on one output row, at stride 1: read in place. */
@inline function inPlace(g: usize, l0: i32, live: i32): bool {
  const ow = geo(g, 12);
  return geo(g, 6) == 1 && live == NR && (l0 % ow) + NR <= ow;
}

/**
 * Packs rows [p0, p0 + kc) × window columns [j0, j0 + cols) of the image's unfold, read from
 * its padded band (`rows` high, W + 2·pw wide, first row `top`), into NR-column panels —
 * except the panels read in place (inPlace), whose slots stay unused. `corners` is room for
 * 2·NR integers: where each of a panel's windows starts in the band, worked out once per panel.
 */
function packWindows(dst: usize, band: usize, g: usize, top: i32, rows: i32, p0: i32, kc: i32, j0: i32, cols: i32, corners: usize): void {
  const kh = geo(g, 3), kw = geo(g, 4), sh = geo(g, 5), sw = geo(g, 6), ph = geo(g, 7), dh = geo(g, 9), dw = geo(g, 10);
  const wp = geo(g, 2) + 2 * geo(g, 8);
  const ow = geo(g, 12);
  for (let q = 0; q < cols; q += NR) {
    const panel = dst + <usize>(q * kc) * 4;
    const live = min(NR, cols - q);
    const l0 = j0 + q;
    if (inPlace(g, l0, live)) continue;
    for (let t = 0; t < live; t++) {
      const l = l0 + t;
      store<i32>(corners + <usize>t * 8, (l / ow) * sh - ph - top);
      store<i32>(corners + <usize>t * 8 + 4, (l % ow) * sw);
    }
    let c = p0 / (kh * kw), i = (p0 / kw) % kh, j = p0 % kw;
    for (let p = 0; p < kc; p++) {
      const to = panel + <usize>(p * NR) * 4;
      const plane = band + <usize>(c * rows * wp) * 4;
      for (let t = 0; t < NR; t++) {
        const by = load<i32>(corners + <usize>t * 8) + i * dh;
        const bx = load<i32>(corners + <usize>t * 8 + 4) + j * dw;
        store<f32>(to + <usize>t * 4, t < live ? load<f32>(plane + <usize>(by * wp + bx) * 4) : 0);
      }
      if (++j == kw) { j = 0; if (++i == kh) { i = 0; c++; } }
    }
  }
}

/** offsets[k] for k = (c·kh + i)·kw + j: where row k of an in-place panel starts, from its first window's corner (floats). */
function windowOffsets(offsets: usize, g: usize, rows: i32): void {
  const C = geo(g, 0), kh = geo(g, 3), kw = geo(g, 4), dh = geo(g, 9), dw = geo(g, 10);
  const wp = geo(g, 2) + 2 * geo(g, 8);
  let k = 0;
  for (let c = 0; c < C; c++)
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++, k++) store<i32>(offsets + <usize>k * 4, (c * rows + i * dh) * wp + j * dw);
}

/**
 * y (+)= the product of one k block [p0, p0 + kc) for the share's columns, as matmul's
 * blockProduct: each panel is read in place from the band (through the offsets) or from its
 * packed slot. y points at the share's first column of image n; its rows are L apart.
 */
function windowsProduct(y: usize, L: i32, ap: usize, O: i32, p0: i32, kc: i32, packed: usize, band: usize, offsets: usize, g: usize, top: i32, j0: i32, cols: i32, tile: usize): void {
  const rowsPadded = ((O + MR - 1) / MR) * MR;
  const wp = geo(g, 2) + 2 * geo(g, 8);
  const ow = geo(g, 12), sh = geo(g, 5), ph = geo(g, 7);
  for (let i0 = 0; i0 < O; i0 += MC) {
    const filters = min(MC, O - i0); // this block's rows of y
    for (let q = 0; q < cols; q += NR) {
      const live = min(NR, cols - q);
      const l0 = j0 + q;
      const direct = inPlace(g, l0, live);
      // The first window's top-left pixel in the band (stride 1: its column is l0 % ow).
      const corner = direct ? band + <usize>((((l0 / ow) * sh - ph - top) * wp + (l0 % ow)) * 4) : 0;
      for (let i = 0; i < filters; i += MR) {
        const a = aPanel(ap, rowsPadded, p0, kc, i0 + i);
        const to = y + <usize>((i0 + i) * L + q) * 4;
        if (direct) microKernelGathered(kc, a, corner, offsets + <usize>p0 * 4, to, L, min(MR, filters - i), NR, p0 == 0, tile);
        else microKernel(kc, a, packed + <usize>(q * kc) * 4, NR * 4, to, L, min(MR, filters - i), live, p0 == 0, tile);
      }
    }
  }
}

/**
 * Floats of scratch one share of a convolution needs: as matmulScratch, 2·NR integers for
 * window corners, K integers of window offsets, and the padded band of input rows its `cols`
 * windows read (at most).
 */
export function conv2dScratch(g: usize, cols: i32): i32 {
  const ow = geo(g, 12);
  const rows = inputRows(g, min(geo(g, 11), (cols + ow - 2) / ow + 1)); // at most that many output rows for `cols` columns
  const K = geo(g, 0) * geo(g, 3) * geo(g, 4);
  return KC * ((cols + NR - 1) / NR) * NR + MR * NR + 2 * NR + K + geo(g, 0) * rows * (geo(g, 2) + 2 * geo(g, 8));
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
  const corners = tile + MR * NR * 4;
  const offsets = corners + 2 * NR * 4;
  const band = offsets + <usize>K * 4;
  const C = geo(g, 0), H = geo(g, 1), W = geo(g, 2);
  const top = bandTop(g, j0), rows = bandRows(g, j0, cols);
  padBand(band, x + <usize>(n * C * H * W) * 4, C, H, W, geo(g, 8), top, rows);
  windowOffsets(offsets, g, rows);
  const out = y + <usize>(n * O * L + j0) * 4;
  for (let p0 = 0; p0 < K; p0 += KC) {
    const kc = min(KC, K - p0);
    packWindows(scratch, band, g, top, rows, p0, kc, j0, cols, corners);
    windowsProduct(out, L, ap, O, p0, kc, scratch, band, offsets, g, top, j0, cols, tile);
  }
}
