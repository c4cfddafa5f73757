/**
 * Loading the kernels' WebAssembly module (compiled from packages/kernels/assembly/ by the
 * package build into kernels.generated.ts) and instantiating it over a Memory the backend owns.
 * The module is compiled once per process and shared by every backend instance.
 */
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** The kernels' exports (see assembly/index.ts): addresses are byte offsets into the memory. */
export interface Kernels {
  heapBase(): number;
  softmaxRows(y: number, x: number, length: number, inner: number, r0: number, r1: number): void;
  softmaxGradRows(dx: number, dy: number, y: number, length: number, inner: number, r0: number, r1: number): void;
  gelu(out: number, x: number, e0: number, e1: number): void;
  geluGrad(out: number, dy: number, x: number, e0: number, e1: number): void;
  adam(
    outP: number,
    outM: number,
    outV: number,
    p: number,
    g: number,
    m: number,
    v: number,
    mode: number,
    decay: number,
    b1: number,
    oneMinusB1: number,
    b2: number,
    oneMinusB2: number,
    c1: number,
    c2: number,
    eps: number,
    lr: number,
    e0: number,
    e1: number,
  ): void;
  sgd(
    outP: number,
    outB: number,
    p: number,
    g: number,
    b: number,
    mode: number,
    decay: number,
    mu: number,
    keep: number,
    lr: number,
    e0: number,
    e1: number,
  ): void;
  batchNormChannels(
    y: number,
    mean: number,
    rstd: number,
    variance: number,
    x: number,
    w: number,
    b: number,
    N: number,
    C: number,
    S: number,
    eps: number,
    c0: number,
    c1: number,
  ): void;
  batchNormGradChannels(
    dx: number,
    dw: number,
    db: number,
    dy: number,
    x: number,
    mean: number,
    rstd: number,
    w: number,
    N: number,
    C: number,
    S: number,
    c0: number,
    c1: number,
  ): void;
  layerNormRows(
    y: number,
    mean: number,
    rstd: number,
    x: number,
    w: number,
    b: number,
    n: number,
    eps: number,
    r0: number,
    r1: number,
  ): void;
  layerNormGradRows(
    dx: number,
    dy: number,
    x: number,
    mean: number,
    rstd: number,
    w: number,
    n: number,
    r0: number,
    r1: number,
  ): void;
  layerNormParamGrads(
    dw: number,
    db: number,
    dy: number,
    x: number,
    mean: number,
    rstd: number,
    rows: number,
    n: number,
    c0: number,
    c1: number,
  ): void;
  unary(op: number, out: number, a: number, rank: number, desc: number, e0: number, e1: number): void;
  binary(op: number, out: number, a: number, b: number, rank: number, desc: number, e0: number, e1: number): void;
  sumInto(acc: number, a: number, rank: number, desc: number, e0: number, e1: number): void;
  addF64(acc: number, other: number, i0: number, i1: number): void;
  roundToF32(out: number, acc: number, i0: number, i1: number): void;
  maxInto(out: number, a: number, rank: number, desc: number, r0: number, r1: number): void;
  matmul(
    c: number,
    ap: number,
    b: number,
    brs: number,
    bcs: number,
    n: number,
    k: number,
    m: number,
    j0: number,
    cols: number,
    scratch: number,
    bias: number,
    relu: number,
    scale: number,
  ): void;
  matmulScratch(cols: number): number;
  packAll(ap: number, a: number, ars: number, acs: number, n: number, k: number): void;
  packedASize(n: number, k: number): number;
  matmulBatch(
    c: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    brs: number,
    bcs: number,
    n: number,
    k: number,
    m: number,
    offsets: number,
    scratch: number,
    bias: number,
    relu: number,
    scale: number,
    t0: number,
    t1: number,
  ): void;
  batchScratch(n: number, k: number, m: number): number;
  copy(dst: number, src: number, rank: number, desc: number, e0: number, e1: number): void;
  fill(out: number, value: number, i0: number, i1: number): void;
  where(out: number, cond: number, a: number, b: number, rank: number, desc: number, e0: number, e1: number): void;
  gather(
    out: number,
    a: number,
    index: number,
    rank: number,
    desc: number,
    axisStride: number,
    e0: number,
    e1: number,
  ): void;
  scatterAddInto(
    acc: number,
    src: number,
    index: number,
    rank: number,
    desc: number,
    axisStride: number,
    rows: number,
  ): void;
  unfold(cols: number, x: number, geometry: number, r0: number, r1: number): void;
  foldInto(acc: number, cols: number, geometry: number, i0: number, i1: number): void;
  conv2d(
    y: number,
    ap: number,
    x: number,
    geometry: number,
    O: number,
    K: number,
    n: number,
    j0: number,
    cols: number,
    scratch: number,
  ): void;
  conv2dScratch(geometry: number, cols: number): number;
}

/** True where this JavaScript engine validates a module that uses 128-bit SIMD. */
export function simdSupported(): boolean {
  // The smallest module with a v128 value: (func (result v128) v128.const i32x4 0 0 0 0).
  const probe = Uint8Array.from([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 11,
  ]);
  return typeof WebAssembly === 'object' && WebAssembly.validate(probe);
}

const compiled: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return Uint8Array.from(Buffer.from(text, 'base64'));
}

/**
 * The compiled module (synchronous: allowed for any size in Node and in workers): over an
 * ordinary memory, or over a shared one that worker threads instantiate as well.
 */
export function kernelsModule(shared = false): WebAssembly.Module {
  if (shared) return (compiled.shared ??= new WebAssembly.Module(decodeBase64(KERNELS_SHARED_WASM_BASE64)));
  return (compiled.plain ??= new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64)));
}

/** An instance of the kernels over `memory`. */
export function instantiate(memory: WebAssembly.Memory, module: WebAssembly.Module = kernelsModule()): Kernels {
  const imports = {
    env: {
      memory,
      abort(): never {
        throw new Error('skipgrad wasm kernels: abort');
      },
    },
  };
  return new WebAssembly.Instance(module, imports).exports as unknown as Kernels;
}
