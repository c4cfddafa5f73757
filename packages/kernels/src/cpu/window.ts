/**
 * Sliding-window kernels: unfold (im2col) and fold (col2im), the two halves of convolution
 * and pooling. For output position (oy, ox) and kernel offset (i, j), the input pixel read is
 *
 *   iy = oy·stride_h − pad_h + i·dilation_h,   ix = ox·stride_w − pad_w + j·dilation_w
 *
 * unfold copies it into a column (0 when it falls in the padding); fold adds the column back
 * into that pixel, so overlapping windows sum — fold is exactly unfold's transpose.
 */
import { NDArray, allocate } from '@skipgrad/tensor';
import { type Window2d, windowOutputSize } from '../backend.js';

interface Plan {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
}

function plan(shape: readonly number[], win: Window2d): Plan {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [kh, kw] = win.kernel;
  return {
    n,
    c,
    h,
    w,
    kh,
    kw,
    oh: windowOutputSize(h, kh, win.stride[0], win.padding[0], win.dilation[0]),
    ow: windowOutputSize(w, kw, win.stride[1], win.padding[1], win.dilation[1]),
  };
}

/**
 * Visits every (input offset, column offset) pair that a window touches, in bounds only.
 * Both unfold and fold are this walk with the copy going one way or the other.
 */
function walk(p: Plan, win: Window2d, visit: (image: number, column: number) => void): void {
  const [sh, sw] = win.stride;
  const [ph, pw] = win.padding;
  const [dh, dw] = win.dilation;
  const L = p.oh * p.ow;
  for (let b = 0; b < p.n; b++) {
    for (let ch = 0; ch < p.c; ch++) {
      const imageBase = (b * p.c + ch) * p.h * p.w;
      for (let i = 0; i < p.kh; i++) {
        for (let j = 0; j < p.kw; j++) {
          const row = (ch * p.kh + i) * p.kw + j;
          const columnBase = (b * p.c * p.kh * p.kw + row) * L;
          for (let oy = 0; oy < p.oh; oy++) {
            const iy = oy * sh - ph + i * dh;
            if (iy < 0 || iy >= p.h) continue;
            for (let ox = 0; ox < p.ow; ox++) {
              const ix = ox * sw - pw + j * dw;
              if (ix >= 0 && ix < p.w) visit(imageBase + iy * p.w + ix, columnBase + oy * p.ow + ox);
            }
          }
        }
      }
    }
  }
}

export function unfold(x: NDArray, win: Window2d): NDArray {
  const p = plan(x.shape, win);
  const src = x.toTypedArray();
  const out = allocate(x.dtype, p.n * p.c * p.kh * p.kw * p.oh * p.ow);
  walk(p, win, (image, column) => {
    out[column] = src[image]!;
  });
  return new NDArray(out, [p.n, p.c * p.kh * p.kw, p.oh * p.ow]);
}

export function fold(cols: NDArray, outputSize: readonly [number, number], win: Window2d): NDArray {
  const [n, rows] = cols.shape as [number, number, number];
  const c = rows / (win.kernel[0] * win.kernel[1]);
  const p = plan([n, c, outputSize[0], outputSize[1]], win);
  const src = cols.toTypedArray();
  const acc = new Float64Array(n * c * outputSize[0] * outputSize[1]);
  walk(p, win, (image, column) => {
    acc[image]! += src[column]!;
  });
  const out = allocate(cols.dtype, acc.length);
  out.set(acc);
  return new NDArray(out, [n, c, outputSize[0], outputSize[1]]);
}
