/**
 * 2-D convolution without the columns: y[n] = W · unfold(x)[n] computed as the matrix product
 * of matmul.ts, with the B panels packed straight from the image instead of from a materialised
 * unfold. Column l of unfold(x)[n] is the window at output position (oy, ox) = (l / ow, l % ow);
 * row k = (c·kh + i)·kw + j of it is the pixel
 *
 *   x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]     (0 in the padding)
 *
 * so packing a panel of 8 columns for k steps reads, per step, 8 pixels of one input row —
 * one contiguous run when the stride is 1 and the 8 windows lie on one output row, inside the
 * image (two vector loads); pixel by pixel with bounds checks otherwise. The [N, C·kh·kw, L]
 * columns (9× the input for a 3 × 3 kernel) are never written.
 *
 * The geometry arrives as an Int32Array `g` (as for unfold):
 *   [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]
 */
import { KC, MR, NR, blockProduct } from './matmul';

@inline function geo(g: usize, i: i32): i32 { return load<i32>(g + <usize>i * 4); }

/** One pixel of the unfolded image, or 0 outside it. */
@inline function pixel(src: usize, H: i32, W: i32, c: i32, iy: i32, ix: i32): f32 {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? load<f32>(src + <usize>((c * H + iy) * W + ix) * 4) : 0;
}

/**
 * Packs rows [p0, p0 + kc) × window columns [j0, j0 + cols) of image n's unfold, read from x,
 * into NR-column panels. `corners` is room for 2·NR integers: where each of a panel's windows
 * starts (its top-left pixel, before the kernel offset), worked out once per panel.
 */
function packWindows(dst: usize, x: usize, g: usize, n: i32, p0: i32, kc: i32, j0: i32, cols: i32, corners: usize): void {
  const C = geo(g, 0), H = geo(g, 1), W = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4);
  const sh = geo(g, 5), sw = geo(g, 6), ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10);
  const ow = geo(g, 12);
  const src = x + <usize>(n * C * H * W) * 4;
  for (let q = 0; q < cols; q += NR) {
    const panel = dst + <usize>(q * kc) * 4;
    const live = min(NR, cols - q);
    const l0 = j0 + q;
    const oy0 = l0 / ow, ox0 = l0 % ow;
    const oneRun = sw == 1 && live == NR && ox0 + NR <= ow; // 8 windows side by side on one output row
    if (!oneRun) {
      for (let t = 0; t < live; t++) {
        const l = l0 + t;
        store<i32>(corners + <usize>t * 8, (l / ow) * sh - ph);
        store<i32>(corners + <usize>t * 8 + 4, (l % ow) * sw - pw);
      }
    }
    let c = p0 / (kh * kw), i = (p0 / kw) % kh, j = p0 % kw;
    for (let p = 0; p < kc; p++) {
      const to = panel + <usize>(p * NR) * 4;
      if (oneRun) {
        const iy = oy0 * sh - ph + i * dh;
        const ix = ox0 - pw + j * dw;
        if (iy >= 0 && iy < H && ix >= 0 && ix + NR <= W) {
          const from = src + <usize>((c * H + iy) * W + ix) * 4;
          v128.store(to, v128.load(from));
          v128.store(to + 16, v128.load(from + 16));
        } else {
          for (let t = 0; t < NR; t++) store<f32>(to + <usize>t * 4, pixel(src, H, W, c, iy, ix + t));
        }
      } else {
        for (let t = 0; t < NR; t++) {
          const iy = load<i32>(corners + <usize>t * 8) + i * dh;
          const ix = load<i32>(corners + <usize>t * 8 + 4) + j * dw;
          store<f32>(to + <usize>t * 4, t < live ? pixel(src, H, W, c, iy, ix) : 0);
        }
      }
      if (++j == kw) { j = 0; if (++i == kh) { i = 0; c++; } }
    }
  }
}

/** Floats of scratch one share of a convolution needs: as matmulScratch, and 2·NR integers for window corners. */
export function conv2dScratch(cols: i32): i32 {
  return KC * ((cols + NR - 1) / NR) * NR + MR * NR + 2 * NR;
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
  for (let p0 = 0; p0 < K; p0 += KC) {
    const kc = min(KC, K - p0);
    packWindows(scratch, x, g, n, p0, kc, j0, cols, tile + MR * NR * 4);
    blockProduct(c, L, ap, rowsPadded, O, p0, kc, scratch, cols, 0, 0, 0, tile);
  }
}
