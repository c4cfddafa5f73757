/**
 * Elementwise kernels. Binary inputs are first viewed at the broadcast shape (`expand` gives
 * broadcast axes stride 0, so no data is repeated), then read through their strides.
 */
import {
  NDArray,
  allocate,
  broadcastShapes,
  contiguousStrides,
  sizeOf,
  rowLength,
  rowStep,
  walkRows,
} from '@skipgrad/tensor';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { erf } from './erf.js';

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  // Written so that exp never overflows: for x < 0 use e^x / (1 + e^x).
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  step: (x) => (x > 0 ? 1 : 0),
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  erf,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  eq: (a, b) => (a === b ? 1 : 0),
};

export function unary(op: UnaryOp, a: NDArray): NDArray {
  const f = UNARY[op];
  const out = allocate(a.dtype, a.size);
  const src = a.storage;
  if (a.isContiguous()) {
    for (let i = 0, at = a.offset; i < out.length; i++) out[i] = f(src[at + i]!);
  } else {
    const inner = rowLength(a.shape);
    const step = rowStep(a.strides);
    let i = 0;
    walkRows(a.shape, a.strides, a.offset, a.strides, a.offset, (at) => {
      for (let j = 0; j < inner; j++) out[i++] = f(src[at + j * step]!);
    });
  }
  return new NDArray(out, [...a.shape]);
}

export function binary(op: BinaryOp, a: NDArray, b: NDArray): NDArray {
  const f = BINARY[op];
  const shape = broadcastShapes(op, a.shape, b.shape);
  const av = a.expand(shape);
  const bv = b.expand(shape);
  const out = allocate(a.dtype, sizeOf(shape));
  const sa = a.storage;
  const sb = b.storage;
  if (av.isContiguous() && bv.isContiguous() && !av.strides.includes(0) && !bv.strides.includes(0)) {
    // Fast path: both inputs packed in the same order.
    for (let i = 0, ia = av.offset, ib = bv.offset; i < out.length; i++) out[i] = f(sa[ia + i]!, sb[ib + i]!);
  } else {
    const inner = rowLength(shape);
    const stepA = rowStep(av.strides);
    const stepB = rowStep(bv.strides);
    let i = 0;
    walkRows(shape, av.strides, av.offset, bv.strides, bv.offset, (ia, ib) => {
      for (let j = 0; j < inner; j++) out[i++] = f(sa[ia + j * stepA]!, sb[ib + j * stepB]!);
    });
  }
  return new NDArray(out, shape, contiguousStrides(shape));
}
