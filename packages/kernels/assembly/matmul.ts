/**
 * Matrix product C[n×m] = A[n×k] · B[k×m] in float32, the way the fast BLAS libraries do it
 * (GotoBLAS, BLIS; XNNPACK and MLAS for WebAssembly): the work is cut into blocks that fit the
 * caches, each block is copied ("packed") into the order the inner loop reads, and the inner
 * loop — the micro-kernel — computes a 4 × 8 tile of C in eight SIMD registers.
 *
 *   pack all of A into panels of 4 rows, per block of KC values of k: Ap[panel][p][0..4)
 *   for each block of KC values of k:
 *     pack B[kBlock, this share's columns] into panels of 8 columns:  Bp[panel][p][0..8)
 *     for each block of MC rows of A:
 *       for each B panel (8 columns, KC·8 floats: stays in L1):
 *         for each A panel (4 rows; the MC·KC block stays in L2):
 *           C[4 rows, 8 columns] (+)= Ap panel · Bp panel      ← the micro-kernel
 *
 * A is packed once (packAll) and read by every thread; each thread packs only the columns of B
 * it computes. Panels past the edge are zero-padded, so the micro-kernel never runs short.
 *
 * Packing reads A and B through any strides, so a transposed operand (x·Wᵀ in a Linear
 * layer's forward, dYᵀ·x for its weight gradient) costs no transposed copy: it is just read in
 * another order while packing, which is O(n·k + k·m) beside the O(n·k·m) multiply-adds.
 *
 * The micro-kernel, for one step p along k:
 *   a = Ap[p][0..4)                     one load: the four rows' values
 *   b0, b1 = Bp[p][0..4), Bp[p][4..8)   two loads
 *   acc[r][h] += splat(a[r]) · b_h      for r in 0..4, h in 0..2: 8 multiplies and 8 adds
 * Eight accumulators, two B vectors and one A vector fit the 16 SIMD registers of x64.
 */

/** Rows of the micro-tile, columns of the micro-tile, and the k block. */
export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
/** Rows of A used at once: MC × KC floats (128 KB) stay in the L2 cache while every B panel passes. */
export const MC: i32 = 128;

/**
 * Stores the transpose of the 4 × 4 block whose rows are r0..r3 as four vectors at `to`,
 * `to + step`, `to + 2·step`, `to + 3·step` (bytes): column c of the block becomes vector c.
 */
@inline function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, to: usize, step: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(to, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(to + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(to + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(to + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs rows [i0, i0 + rows) × k-range [p0, p0 + kc) of A (strides rs, cs, in elements) into
 * panels of MR rows: panel q holds, for each p, the MR values A[i0 + q·MR + r, p0 + p].
 * Rows past `rows` are zeros, so the micro-kernel never needs a short tile on its A side.
 */
function packA(dst: usize, a: usize, rs: i32, cs: i32, i0: i32, rows: i32, p0: i32, kc: i32): void {
  for (let q = 0; q < rows; q += MR) {
    const panel = dst + <usize>(q * kc) * 4;
    const live = min(MR, rows - q);
    if (live == MR && rs == 1) {
      // A is a transposed view: the four rows' values for one p sit side by side.
      for (let p = 0; p < kc; p++) {
        v128.store(panel + <usize>(p * MR) * 4, v128.load(a + <usize>((i0 + q) + (p0 + p) * cs) * 4));
      }
      continue;
    }
    if (live == MR && cs == 1) {
      // A is packed by rows: four values of each of the four rows, transposed in registers.
      const row = a + <usize>((i0 + q) * rs + p0) * 4;
      const r = <usize>rs * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const at = row + <usize>p * 4;
        storeTransposed4(v128.load(at), v128.load(at + r), v128.load(at + 2 * r), v128.load(at + 3 * r), panel + <usize>(p * MR) * 4, MR * 4);
      }
      for (; p < kc; p++) {
        for (let i = 0; i < MR; i++) store<f32>(panel + <usize>(p * MR + i) * 4, load<f32>(row + <usize>i * r + <usize>p * 4));
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      if (r < live) {
        const row = a + <usize>((i0 + q + r) * rs + p0 * cs) * 4;
        for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * MR + r) * 4, load<f32>(row + <usize>(p * cs) * 4));
      } else {
        for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * MR + r) * 4, 0);
      }
    }
  }
}

/**
 * Packs k-range [p0, p0 + kc) × columns [j0, j0 + cols) of B (strides rs, cs) into panels of NR
 * columns: panel q holds, for each p, the NR values B[p0 + p, j0 + q·NR + c] (zeros past cols).
 */
function packB(dst: usize, b: usize, rs: i32, cs: i32, p0: i32, kc: i32, j0: i32, cols: i32): void {
  for (let q = 0; q < cols; q += NR) {
    const panel = dst + <usize>(q * kc) * 4;
    const live = min(NR, cols - q);
    if (live == NR && cs == 1) {
      for (let p = 0; p < kc; p++) {
        const from = b + <usize>((p0 + p) * rs + j0 + q) * 4;
        const to = panel + <usize>(p * NR) * 4;
        v128.store(to, v128.load(from));
        v128.store(to + 16, v128.load(from + 16));
      }
      continue;
    }
    if (live == NR && rs == 1) {
      // B is a transposed view (Wᵀ in a Linear layer): each column's k values sit side by side;
      // four of them at a time, for the 8 columns, are transposed in registers.
      const column = b + <usize>(p0 + (j0 + q) * cs) * 4;
      const c = <usize>cs * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const at = column + <usize>p * 4;
        const to = panel + <usize>(p * NR) * 4;
        storeTransposed4(v128.load(at), v128.load(at + c), v128.load(at + 2 * c), v128.load(at + 3 * c), to, NR * 4);
        storeTransposed4(v128.load(at + 4 * c), v128.load(at + 5 * c), v128.load(at + 6 * c), v128.load(at + 7 * c), to + 16, NR * 4);
      }
      for (; p < kc; p++) {
        for (let j = 0; j < NR; j++) store<f32>(panel + <usize>(p * NR + j) * 4, load<f32>(column + <usize>j * c + <usize>p * 4));
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      const from = b + <usize>((p0 + p) * rs + (j0 + q) * cs) * 4;
      const to = panel + <usize>(p * NR) * 4;
      for (let c = 0; c < NR; c++) store<f32>(to + <usize>c * 4, c < live ? load<f32>(from + <usize>(c * cs) * 4) : 0);
    }
  }
}

/**
 * The micro-kernel: the 4 × 8 tile Ap·Bp over kc steps, stored to C (row stride ldc) when
 * `first`, else added to it. A full tile writes C directly; an edge tile (rows < 4 or
 * cols < 8) goes through `tile` (32 floats of scratch) and only its live part is written.
 * `bStep` is the distance in bytes from one k step of the B panel to the next: NR·4 in a
 * packed panel, or B's own row stride when B is read where it lies (see matmul).
 */
export function microKernel(kc: i32, ap: usize, bp: usize, bStep: usize, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  tileProduct(kc, ap, bp, bStep, 0, false, c, ldc, rows, cols, first, tile);
}

/**
 * The same micro-kernel over B rows found through a table: k step p of the panel starts at
 * `bp + 4·offsets[p]` (i32 offsets, in floats). A convolution reads its windows this way, where
 * they lie in the padded image band (conv.ts), instead of packing them first.
 */
export function microKernelGathered(kc: i32, ap: usize, bp: usize, offsets: usize, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  tileProduct(kc, ap, bp, 0, offsets, true, c, ldc, rows, cols, first, tile);
}

/** The body of both: `gathered` is a constant at each, so each compiles to its own loop. */
@inline function tileProduct(kc: i32, ap: usize, bp: usize, bStep: usize, offsets: usize, gathered: bool, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const a = v128.load(ap + <usize>(p * MR) * 4);
    const row = gathered ? bp + (<usize>load<i32>(offsets + <usize>p * 4) << 2) : bp + <usize>p * bStep;
    const b0 = v128.load(row);
    const b1 = v128.load(row + 16);
    const a0 = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    const a1 = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
    c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    const a2 = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
    c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    const a3 = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
    c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1));
  }
  const full = rows == MR && cols == NR;
  const out = full ? c : tile;
  const ld: usize = full ? <usize>ldc * 4 : NR * 4;
  if (full && !first) {
    c00 = f32x4.add(c00, v128.load(out)); c01 = f32x4.add(c01, v128.load(out + 16));
    c10 = f32x4.add(c10, v128.load(out + ld)); c11 = f32x4.add(c11, v128.load(out + ld + 16));
    c20 = f32x4.add(c20, v128.load(out + 2 * ld)); c21 = f32x4.add(c21, v128.load(out + 2 * ld + 16));
    c30 = f32x4.add(c30, v128.load(out + 3 * ld)); c31 = f32x4.add(c31, v128.load(out + 3 * ld + 16));
  }
  v128.store(out, c00); v128.store(out + 16, c01);
  v128.store(out + ld, c10); v128.store(out + ld + 16, c11);
  v128.store(out + 2 * ld, c20); v128.store(out + 2 * ld + 16, c21);
  v128.store(out + 3 * ld, c30); v128.store(out + 3 * ld + 16, c31);
  if (full) return;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const to = c + <usize>(r * ldc + j) * 4;
      const v = load<f32>(tile + <usize>(r * NR + j) * 4);
      store<f32>(to, first ? v : load<f32>(to) + v);
    }
  }
}

/** Floats of B-packing scratch one share of a product needs: a KC × (cols rounded to NR) block and a tile. */
export function matmulScratch(cols: i32): i32 {
  return KC * ((cols + NR - 1) / NR) * NR + MR * NR;
}

/** Floats of the packed copy of A (n × k): n rounded up to MR rows, all k. */
export function packedASize(n: i32, k: i32): i32 {
  return ((n + MR - 1) / MR) * MR * k;
}

/**
 * Packs all of A (n × k, strides ars, acs) once, for every share of the product to read: k
 * block p0 (KC wide) starts at p0 · n' floats (n' = n rounded up to MR), and within it the
 * panel of rows i.. at i · kc — see `aPanel`.
 */
export function packAll(ap: usize, a: usize, ars: i32, acs: i32, n: i32, k: i32): void {
  const rowsPadded = ((n + MR - 1) / MR) * MR;
  for (let p0 = 0; p0 < k; p0 += KC) packA(ap + <usize>(p0 * rowsPadded) * 4, a, ars, acs, 0, n, p0, min(KC, k - p0));
}

@inline export function aPanel(ap: usize, rowsPadded: i32, p0: i32, kc: i32, i: i32): usize {
  return ap + <usize>(p0 * rowsPadded + i * kc) * 4;
}

/**
 * C (n × cols, row stride ldc) (+)= the product of one k block: packed A (its panels for k block
 * p0, kc wide) times the B panels of that block. The first `inPlace` columns of B are read where
 * they lie (at `b`, row stride brs); the rest from the packed panels at `bp`. The first k block
 * stores, the later ones add.
 */
export function blockProduct(c: usize, ldc: i32, ap: usize, rowsPadded: i32, n: i32, p0: i32, kc: i32, bp: usize, cols: i32, inPlace: i32, b: usize, brs: i32, tile: usize): void {
  for (let i0 = 0; i0 < n; i0 += MC) {
    const rows = min(MC, n - i0);
    for (let q = 0; q < cols; q += NR) {
      const direct = q < inPlace;
      const bPanel = direct ? b + <usize>q * 4 : bp + <usize>(q * kc) * 4;
      const bStep: usize = direct ? <usize>brs * 4 : NR * 4;
      const live = min(NR, cols - q);
      for (let i = 0; i < rows; i += MR) {
        microKernel(kc, aPanel(ap, rowsPadded, p0, kc, i0 + i), bPanel, bStep, c + <usize>((i0 + i) * ldc + q) * 4, ldc, min(MR, rows - i), live, p0 == 0, tile);
      }
    }
  }
}

/**
 * C[:, j0 .. j0 + cols) = A · B[:, j0 .. j0 + cols) for one matrix of a batch, A already packed
 * by packAll. B is k × m with strides (brs, bcs); C is contiguous n × m. The column range lets
 * threads share one product; `scratch` holds matmulScratch(cols) floats for this share.
 *
 * With few rows (n ≤ 16: a convolution's filters, a small batch) each B panel serves at most
 * four micro-tiles, too few to repay packing it; when B's rows are contiguous its full 8-column
 * panels are then read where they lie, and only a last partial panel is packed.
 *
 * The epilogue (attention's scale, a Linear layer's bias and ReLU, fused): each value is
 * multiplied by `scale` (when it is not 1), then when `bias` is not 0 it points at m floats
 * added to every row, and when `relu` is 1 each value becomes max(value, 0) — applied to this
 * share once its product is complete, while it is still in the cache. Each step rounds to
 * float32 as the separate mul, add and relu would: the values are theirs bit for bit.
 */
export function matmul(c: usize, ap: usize, b: usize, brs: i32, bcs: i32, n: i32, k: i32, m: i32, j0: i32, cols: i32, scratch: usize, bias: usize, relu: i32, scale: f32): void {
  const bp = scratch;
  const tile = bp + <usize>(KC * (((cols + NR - 1) / NR) * NR)) * 4;
  if (cols <= 0) return;
  if (k == 0) {
    for (let i = 0; i < n; i++) memory.fill(c + <usize>(i * m + j0) * 4, 0, <usize>cols * 4);
  }
  const rowsPadded = ((n + MR - 1) / MR) * MR;
  const direct = n <= 16 && bcs == 1;
  const fullPanels = direct ? (cols / NR) * NR : 0; // columns read in place
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    if (fullPanels < cols) packB(bp + <usize>(fullPanels * kc) * 4, b, brs, bcs, p0, kc, j0 + fullPanels, cols - fullPanels);
    blockProduct(c + <usize>j0 * 4, m, ap, rowsPadded, n, p0, kc, bp, cols, fullPanels, b + <usize>(p0 * brs + j0) * 4, brs, tile);
  }
  if (bias != 0 || relu != 0 || scale != 1)
    epilogue(c + <usize>j0 * 4, m, n, cols, scale, bias + <usize>j0 * 4, bias != 0, relu != 0);
}

/** C[i, j] = max(C[i, j]·scale + bias[j], 0) over n rows × cols columns (row stride ldc), each part optional. */
function epilogue(c: usize, ldc: i32, n: i32, cols: i32, scale: f32, bias: usize, addBias: bool, relu: bool): void {
  const zero = f32x4.splat(0);
  const scaled = scale != 1;
  const s = f32x4.splat(scale);
  for (let i = 0; i < n; i++) {
    const row = c + <usize>(i * ldc) * 4;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      let v = v128.load(row + <usize>j * 4);
      if (scaled) v = f32x4.mul(v, s);
      if (addBias) v = f32x4.add(v, v128.load(bias + <usize>j * 4));
      if (relu) v = v128.and(v, f32x4.gt(v, zero)); // relu(NaN) = 0, as the unary relu
      v128.store(row + <usize>j * 4, v);
    }
    for (; j < cols; j++) {
      let x = load<f32>(row + <usize>j * 4);
      if (scaled) x *= scale;
      if (addBias) x += load<f32>(bias + <usize>j * 4);
      if (relu) x = x > 0 ? x : 0;
      store<f32>(row + <usize>j * 4, x);
    }
  }
}

/**
 * Matrices [t0, t1) of a batch of products, one after another in one call: C_t = A_t · B_t,
 * where the element offsets of A_t and B_t (from `a` and `b`, whose matrices share the strides
 * ars, acs and brs, bcs) are the t-th pair of i32 values at `offsets`, and C_t is contiguous
 * n × m at c + t·n·m floats. Each matrix is packed and multiplied as packAll and matmul do, so
 * the values are the same as one call per matrix; what is saved is the call itself, which
 * costs more than the multiply-adds of attention's per-head products ([17 × 8] · [8 × 17]).
 * Threads share a batch by whole matrices. `scratch` holds batchScratch(n, k, m) bytes.
 */
export function matmulBatch(c: usize, a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, n: i32, k: i32, m: i32, offsets: usize, scratch: usize, bias: usize, relu: i32, scale: f32, t0: i32, t1: i32): void {
  const packed = scratch;
  const bScratch = scratch + <usize>packedBytes(n, k);
  let packedOffset = -1; // A broadcast over the batch (offset repeated) is packed once
  for (let t = t0; t < t1; t++) {
    const offsetA = load<i32>(offsets + <usize>(2 * t) * 4);
    const offsetB = load<i32>(offsets + <usize>(2 * t + 1) * 4);
    if (offsetA != packedOffset) packAll(packed, a + <usize>offsetA * 4, ars, acs, n, k);
    packedOffset = offsetA;
    matmul(c + <usize>(t * n * m) * 4, packed, b + <usize>offsetB * 4, brs, bcs, n, k, m, 0, m, bScratch, bias, relu, scale);
  }
}

/** Bytes of `floats` floats, rounded up to whole 64-byte cache lines. */
@inline function lineBytes(floats: i32): i32 {
  return ((floats * 4 + 63) / 64) * 64;
}

/** Bytes of packed A, each matrix's copy starting on a cache line. */
function packedBytes(n: i32, k: i32): i32 {
  return lineBytes(packedASize(n, k));
}

/** Bytes of scratch one thread's share of matmulBatch needs: packed A, then B's panels. */
export function batchScratch(n: i32, k: i32, m: i32): i32 {
  return packedBytes(n, k) + lineBytes(matmulScratch(m));
}
