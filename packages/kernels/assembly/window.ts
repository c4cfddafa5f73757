/**
 * Sliding windows: unfold (im2col) and fold (col2im), the halves of convolution and pooling.
 * For output position (oy, ox) and kernel offset (i, j) the input pixel is
 *
 *   iy = oy·stride_h − pad_h + i·dilation_h,   ix = ox·stride_w − pad_w + j·dilation_w
 *
 * unfold copies it into column row (c·kh + i)·kw + j (0 in the padding); fold adds that column
 * entry back into the pixel. Both walk the same rows: one per (image b, channel c, i, j), each
 * an oh × ow grid of windows. With stride 1 along the width, a window row is one contiguous
 * run of the input: a SIMD copy (unfold) or a SIMD add (fold) between its two padded ends.
 *
 * The geometry arrives as an Int32Array `g`:
 *   [C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]
 */

@inline function geo(g: usize, i: i32): i32 { return load<i32>(g + <usize>i * 4); }

/** The window columns ox whose pixel ix = ox·sw − pw + j·dw lies in [0, W): [first, end). */
@inline function liveColumns(W: i32, sw: i32, offset: i32, ow: i32): u64 {
  // offset = j·dw − pw; ix ≥ 0 ⇔ ox ≥ ⌈−offset / sw⌉; ix < W ⇔ ox ≤ ⌊(W − 1 − offset) / sw⌋
  let first = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
  let last = W - 1 - offset < 0 ? -1 : (W - 1 - offset) / sw;
  if (last > ow - 1) last = ow - 1;
  if (first > ow) first = ow;
  const end = last + 1 < first ? first : last + 1;
  return (<u64>first << 32) | <u64><u32>end;
}

/*
 * Window rows are short (an image row: 8 to 64 floats), so unfold writes them with SIMD stores in
 * line: a memory.fill or memory.copy is a call out of the module, three per window row
 * (unfold of [32,32,14,14] 3×3, copy out included: 7.2 → 4.9 ms). Long rows keep the bulk ops.
 */

/** `count` zeros at `to`. */
@inline function zeroFloats(to: usize, count: i32): void {
  if (count > 64) return memory.fill(to, 0, <usize>count * 4);
  let k = 0;
  for (; k + 4 <= count; k += 4) v128.store(to + <usize>k * 4, f32x4.splat(0));
  for (; k < count; k++) store<f32>(to + <usize>k * 4, 0);
}

/** `count` floats from `from` to `to`. */
@inline function copyFloats(to: usize, from: usize, count: i32): void {
  if (count > 64) return memory.copy(to, from, <usize>count * 4);
  let k = 0;
  for (; k + 4 <= count; k += 4) v128.store(to + <usize>k * 4, v128.load(from + <usize>k * 4));
  for (; k < count; k++) store<f32>(to + <usize>k * 4, load<f32>(from + <usize>k * 4));
}

/** cols[b, row, :] for rows [r0, r1) of the N·C·kh·kw rows; x is contiguous [N, C, H, W]. */
export function unfold(cols: usize, x: usize, g: usize, r0: i32, r1: i32): void {
  const C = geo(g, 0), H = geo(g, 1), W = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4);
  const sh = geo(g, 5), sw = geo(g, 6), ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10);
  const oh = geo(g, 11), ow = geo(g, 12);
  const L = oh * ow;
  for (let r = r0; r < r1; r++) {
    const j = r % kw;
    const i = (r / kw) % kh;
    const image = r / (kw * kh); // b·C + c
    const src = x + <usize>(image * H * W) * 4;
    const dst = cols + <usize>(r * L) * 4;
    const span = liveColumns(W, sw, j * dw - pw, ow);
    const first = <i32>(span >> 32), end = <i32>(span & 0xffffffff);
    for (let oy = 0; oy < oh; oy++) {
      const iy = oy * sh - ph + i * dh;
      const line = dst + <usize>(oy * ow) * 4;
      if (iy < 0 || iy >= H || first >= end) { zeroFloats(line, ow); continue; }
      zeroFloats(line, first);
      const from = src + <usize>(iy * W) * 4;
      const ix0 = first * sw - pw + j * dw;
      if (sw == 1) {
        copyFloats(line + <usize>first * 4, from + <usize>ix0 * 4, end - first);
      } else {
        for (let ox = first; ox < end; ox++) store<f32>(line + <usize>ox * 4, load<f32>(from + <usize>(ix0 + (ox - first) * sw) * 4));
      }
      zeroFloats(line + <usize>end * 4, ow - end);
    }
    void C;
  }
}

/**
 * acc (float64 [N, C, H, W], zeroed by the caller) += the columns, for images [i0, i1) of the
 * N·C images (each image's rows are kh·kw consecutive rows of cols, so images never share a
 * pixel: any range of them can go to another thread).
 */
export function foldInto(acc: usize, cols: usize, g: usize, i0: i32, i1: i32): void {
  const H = geo(g, 1), W = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4);
  const sh = geo(g, 5), sw = geo(g, 6), ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10);
  const oh = geo(g, 11), ow = geo(g, 12);
  const L = oh * ow;
  for (let image = i0; image < i1; image++) {
    const dst = acc + <usize>(image * H * W) * 8;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = cols + <usize>(((image * kh + i) * kw + j) * L) * 4;
        const span = liveColumns(W, sw, j * dw - pw, ow);
        const first = <i32>(span >> 32), end = <i32>(span & 0xffffffff);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + i * dh;
          if (iy < 0 || iy >= H) continue;
          const line = src + <usize>(oy * ow) * 4;
          const to = dst + <usize>(iy * W) * 8;
          const ix0 = first * sw - pw + j * dw;
          let ox = first;
          if (sw == 1) {
            // A contiguous run: two pixels at a time, the column values widened to float64.
            const base = to + <usize>(ix0 - first) * 8;
            for (; ox + 2 <= end; ox += 2) {
              const at = base + <usize>ox * 8;
              v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(v128.load64_zero(line + <usize>ox * 4))));
            }
          }
          for (; ox < end; ox++) {
            const at = to + <usize>(ix0 + (ox - first) * sw) * 8;
            store<f64>(at, load<f64>(at) + <f64>load<f32>(line + <usize>ox * 4));
          }
        }
      }
    }
  }
}
