/**
 * The gpujs backend's kernels as source text, one generator per Backend method. Each returns
 * the output shape, the kernel source and the longest loop it runs (a KernelPlan).
 * The math is the CPU backend's (cpu/*.ts); only the way it is written differs: one thread
 * per output element, reading inputs through strides baked into the source.
 */
import { type NDArray, broadcastShapes, sizeOf } from '@skipgrad/tensor';
import {
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
  type Window2d,
  matmulOperands,
  windowOutputSize,
} from '../backend.js';
import { kernelSource, offsetOf, unravel } from './source.js';

export interface KernelPlan {
  shape: number[];
  source: string;
  /** Longest loop in the kernel (gpu.js needs a bound for loops). */
  loop: number;
}

/**
 * erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below float32's resolution near 1):
 *   t = 1 / (1 + p·|x|),  erf x = sign(x) · (1 − t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5)))) · e^(−x²)),
 * with t computed once, before the return (UNARY_SETUP).
 */
const ERF = (x: string): string =>
  `(${x} >= 0.0 ? 1.0 : -1.0) * (1.0 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-${x} * ${x}))`;

/** Statements a unary kernel runs before its return, naming a subexpression its formula repeats. */
const UNARY_SETUP: Partial<Record<UnaryOp, (x: string) => string>> = {
  erf: (x) => `const t = 1.0 / (1.0 + 0.3275911 * Math.abs(${x}));`,
};

const UNARY: Record<UnaryOp, (x: string) => string> = {
  neg: (x) => `-${x}`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  // tanh through exp of a non-positive number, so it never overflows: tanh x = sign·(1 − e^(−2|x|)) / (1 + e^(−2|x|)).
  tanh: (x) =>
    `(${x} >= 0.0 ? 1.0 : -1.0) * (1.0 - Math.exp(-2.0 * Math.abs(${x}))) / (1.0 + Math.exp(-2.0 * Math.abs(${x})))`,
  sigmoid: (x) => `(${x} >= 0.0 ? 1.0 / (1.0 + Math.exp(-${x})) : Math.exp(${x}) / (1.0 + Math.exp(${x})))`,
  relu: (x) => `(${x} > 0.0 ? ${x} : 0.0)`,
  step: (x) => `(${x} > 0.0 ? 1.0 : 0.0)`,
  abs: (x) => `Math.abs(${x})`,
  sign: (x) => `(${x} > 0.0 ? 1.0 : (${x} < 0.0 ? -1.0 : 0.0))`,
  erf: ERF,
};

/**
 * pow as Math.pow defines it, where GLSL's pow is undefined: a negative base with an integer
 * exponent (the sign from the exponent's parity), 0 to a power.
 */
const POW = (a: string, b: string): string =>
  `(${a} > 0.0 ? Math.pow(${a}, ${b}) : (${b} == 0.0 ? 1.0 : (${a} == 0.0 ? (${b} > 0.0 ? 0.0 : inf) : ` +
  `(Math.floor(${b}) == ${b} ? (Math.floor(${b} / 2.0) * 2.0 == ${b} ? 1.0 : -1.0) * Math.pow(-${a}, ${b}) : nan))))`;

const BINARY: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: POW,
  eq: (a, b) => `(${a} == ${b} ? 1.0 : 0.0)`,
};

const read = (name: string, a: NDArray, coords: readonly string[]): string =>
  `${name}[${offsetOf(coords, a.strides, a.offset)}]`;

export function unaryPlan(op: UnaryOp, a: NDArray): KernelPlan {
  const { code, coords } = unravel(a.shape, 'this.thread.x');
  return {
    shape: [...a.shape],
    loop: 1,
    source: kernelSource(
      ['a'],
      `${code}\nconst x = ${read('a', a, coords)};\n${UNARY_SETUP[op]?.('x') ?? ''}\nreturn ${UNARY[op]('x')};`,
    ),
  };
}

export function binaryPlan(op: BinaryOp, a: NDArray, b: NDArray): KernelPlan {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const [av, bv] = [a.expand(shape), b.expand(shape)];
  const { code, coords } = unravel(shape, 'this.thread.x');
  // pow's special values come in as arguments: a literal 1/0 does not survive every shader compiler.
  const args = op === 'pow' ? ['a', 'b', 'inf', 'nan'] : ['a', 'b'];
  return {
    shape,
    loop: 1,
    source: kernelSource(
      args,
      `${code}\nconst x = ${read('a', av, coords)};\nconst y = ${read('b', bv, coords)};\nreturn ${BINARY[op]('x', 'y')};`,
    ),
  };
}

export function reducePlan(op: ReduceOp, a: NDArray, axes: readonly number[], keepdim: boolean): KernelPlan {
  const reduced = new Set(axes);
  const kept = a.shape.map((_, d) => d).filter((d) => !reduced.has(d));
  const keptShape = kept.map((d) => a.shape[d]!);
  const count = sizeOf(axes.map((d) => a.shape[d]!));
  const outer = unravel(keptShape, 'this.thread.x', 'o');
  const inner = unravel(
    axes.map((d) => a.shape[d]!),
    'j',
    'r',
  );
  const coords = a.shape.map((_, d) =>
    reduced.has(d) ? inner.coords[axes.indexOf(d)]! : outer.coords[kept.indexOf(d)]!,
  );
  // Max starts from the first element (every reduced side is ≥ 1 when op is max); NaN wins.
  const body =
    op === 'sum'
      ? `let acc = 0.0;\nfor (let j = 0; j < ${count}; j++) {\n${inner.code}\nacc += ${read('a', a, coords)};\n}\nreturn acc;`
      : `let acc = 0.0;\nfor (let j = 0; j < ${count}; j++) {\n${inner.code}\nconst v = ${read('a', a, coords)};\nif (j == 0 || v > acc || v != v) { acc = v; }\n}\nreturn acc;`;
  const shape = keepdim ? a.shape.map((s, d) => (reduced.has(d) ? 1 : s)) : keptShape;
  return { shape, loop: Math.max(1, count), source: kernelSource(['a'], `${outer.code}\n${body}`) };
}

export function matmulPlan(a: NDArray, b: NDArray): KernelPlan {
  const { n, k, m, batch, a: av, b: bv } = matmulOperands(a, b);
  const shape = [...batch, n, m];
  const { code, coords } = unravel(shape, 'this.thread.x');
  const [i, j] = coords.slice(-2) as [string, string];
  const batchCoords = coords.slice(0, -2);
  const at = (p: string): string =>
    `a[${offsetOf([...batchCoords, i, p], av.strides, av.offset)}] * b[${offsetOf([...batchCoords, p, j], bv.strides, bv.offset)}]`;
  // Four products per pass (the loop bound is a multiple of 4), then the remainder.
  const k4 = k - (k % 4);
  const unrolled =
    k4 > 0
      ? `for (let p = 0; p < ${k4}; p += 4) {\nacc += ${at('p')} + ${at('(p + 1)')} + ${at('(p + 2)')} + ${at('(p + 3)')};\n}\n`
      : '';
  const rest = k4 < k ? `for (let p = ${k4}; p < ${k}; p++) {\nacc += ${at('p')};\n}\n` : '';
  return {
    shape,
    loop: Math.max(1, k),
    source: kernelSource(['a', 'b'], `${code}\nlet acc = 0.0;\n${unrolled}${rest}return acc;`),
  };
}

export function concatPlan(arrays: readonly NDArray[], axis: number): KernelPlan {
  const shape = [...arrays[0]!.shape];
  shape[axis] = arrays.reduce((t, a) => t + a.shape[axis]!, 0);
  const { code, coords } = unravel(shape, 'this.thread.x');
  let start = 0;
  const branches = arrays.map((piece, p) => {
    const local = coords.map((c, d) => (d === axis ? `(${c} - ${start})` : c));
    const end = start + piece.shape[axis]!;
    const line =
      p === arrays.length - 1
        ? `return ${read(`a${p}`, piece, local)};`
        : `if (${coords[axis]} < ${end}) { return ${read(`a${p}`, piece, local)}; }`;
    start = end;
    return line;
  });
  return {
    shape,
    loop: 1,
    source: kernelSource(
      arrays.map((_, p) => `a${p}`),
      `${code}\n${branches.join('\n')}`,
    ),
  };
}

export function padPlan(a: NDArray, pads: readonly (readonly [number, number])[]): KernelPlan {
  const shape = a.shape.map((side, d) => side + pads[d]![0] + pads[d]![1]);
  const { code, coords } = unravel(shape, 'this.thread.x');
  const local = coords.map((c, d) => `(${c} - ${pads[d]![0]})`);
  const inside = a.shape.map((side, d) => `${local[d]} >= 0 && ${local[d]} < ${side}`);
  const body =
    inside.length === 0
      ? `return ${read('a', a, [])};`
      : `if (${inside.join(' && ')}) { return ${read('a', a, local)}; }\nreturn value;`;
  return { shape, loop: 1, source: kernelSource(['a', 'value'], `${code}\n${body}`) };
}

export function copyPlan(a: NDArray): KernelPlan {
  const { code, coords } = unravel(a.shape, 'this.thread.x');
  return { shape: [...a.shape], loop: 1, source: kernelSource(['a'], `${code}\nreturn ${read('a', a, coords)};`) };
}

export function fullPlan(shape: readonly number[]): KernelPlan {
  return { shape: [...shape], loop: 1, source: kernelSource(['value'], 'return value;') };
}

export function wherePlan(cond: NDArray, a: NDArray, b: NDArray): KernelPlan {
  const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
  const { code, coords } = unravel(shape, 'this.thread.x');
  return {
    shape,
    loop: 1,
    source: kernelSource(
      ['c', 'a', 'b'],
      `${code}\nif (${read('c', cond.expand(shape), coords)} != 0.0) { return ${read('a', a.expand(shape), coords)}; }\nreturn ${read('b', b.expand(shape), coords)};`,
    ),
  };
}

export function gatherPlan(a: NDArray, axis: number, index: NDArray): KernelPlan {
  const { code, coords } = unravel(index.shape, 'this.thread.x');
  const at = coords.map((c, d) => (d === axis ? 't' : c));
  return {
    shape: [...index.shape],
    loop: 1,
    source: kernelSource(
      ['a', 'index'],
      `${code}\nconst t = Math.floor(${read('index', index, coords)} + 0.5);\nreturn ${read('a', a, at)};`,
    ),
  };
}

/** scatterAdd as a gather: each output element sums the src entries whose index points at it. */
export function scatterAddPlan(shape: readonly number[], axis: number, index: NDArray, src: NDArray): KernelPlan {
  const { code, coords } = unravel(shape, 'this.thread.x');
  const outside = index.shape.flatMap((side, d) => (d === axis ? [] : [`${coords[d]} >= ${side}`]));
  const at = coords.map((c, d) => (d === axis ? 'i' : c));
  const count = index.shape[axis]!;
  const body =
    `${outside.length ? `if (${outside.join(' || ')}) { return 0.0; }\n` : ''}let acc = 0.0;\n` +
    `for (let i = 0; i < ${count}; i++) {\nif (Math.floor(${read('index', index, at)} + 0.5) == ${coords[axis]}) { acc += ${read('src', src, at)}; }\n}\nreturn acc;`;
  return { shape: [...shape], loop: Math.max(1, count), source: kernelSource(['index', 'src'], `${code}\n${body}`) };
}

export function unfoldPlan(x: NDArray, w: Window2d): KernelPlan {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [kh, kw] = w.kernel;
  const Ho = windowOutputSize(H, kh, w.stride[0], w.padding[0], w.dilation[0]);
  const Wo = windowOutputSize(W, kw, w.stride[1], w.padding[1], w.dilation[1]);
  const shape = [N, C * kh * kw, Ho * Wo];
  const { code } = unravel(shape, 'this.thread.x');
  const body = `${code}
const ch = Math.floor((c1 + 0.5) / ${kh * kw});
const ki = Math.floor((c1 - ch * ${kh * kw} + 0.5) / ${kw});
const kj = c1 - ch * ${kh * kw} - ki * ${kw};
const oy = Math.floor((c2 + 0.5) / ${Wo});
const ox = c2 - oy * ${Wo};
const y = oy * ${w.stride[0]} - ${w.padding[0]} + ki * ${w.dilation[0]};
const xx = ox * ${w.stride[1]} - ${w.padding[1]} + kj * ${w.dilation[1]};
if (y < 0 || y >= ${H} || xx < 0 || xx >= ${W}) { return 0.0; }
return ${read('x', x, ['c0', 'ch', 'y', 'xx'])};`;
  return { shape, loop: 1, source: kernelSource(['x'], body) };
}

/** fold (col2im) as a gather: each image element sums the window entries that covered it. */
export function foldPlan(cols: NDArray, outputSize: readonly [number, number], w: Window2d): KernelPlan {
  const [N, rows] = cols.shape as [number, number, number];
  const [kh, kw] = w.kernel;
  const [H, W] = outputSize;
  const C = rows / (kh * kw);
  const Ho = windowOutputSize(H, kh, w.stride[0], w.padding[0], w.dilation[0]);
  const Wo = windowOutputSize(W, kw, w.stride[1], w.padding[1], w.dilation[1]);
  const shape = [N, C, H, W];
  const { code } = unravel(shape, 'this.thread.x');
  const body = `${code}
let acc = 0.0;
for (let t = 0; t < ${kh * kw}; t++) {
const ki = Math.floor((t + 0.5) / ${kw});
const kj = t - ki * ${kw};
const ny = c2 + ${w.padding[0]} - ki * ${w.dilation[0]};
const nx = c3 + ${w.padding[1]} - kj * ${w.dilation[1]};
const oy = Math.floor((ny + 0.5) / ${w.stride[0]});
const ox = Math.floor((nx + 0.5) / ${w.stride[1]});
if (ny >= 0 && nx >= 0 && oy * ${w.stride[0]} == ny && ox * ${w.stride[1]} == nx && oy < ${Ho} && ox < ${Wo}) {
const row = c1 * ${kh * kw} + t;
const col = oy * ${Wo} + ox;
acc += ${read('cols', cols, ['c0', 'row', 'col'])};
}
}
return acc;`;
  return { shape, loop: kh * kw, source: kernelSource(['cols'], body) };
}
