/**
 * Convolutions as matrix products: unfold (im2col) turns every window into a column, and a
 * matrix product with the flattened filters does all the multiply-adds.
 *
 *   conv2d:           y[n] = W · unfold(x)[n]           (+ b)
 *   convTranspose2d:  y = fold(Wᵀ · x)                  (+ b)   — conv2d's adjoint in x
 *
 * conv2d checks its arguments, splits the groups and adds the bias here; each group is the
 * primitive in conv2d-group.ts (one backend call, its backward beside it). convTranspose2d is
 * a composite of matmul and fold. With groups g, channels split into g independent groups,
 * each with its own filters.
 */
import { SkipgradError, describe, formatShape, checkOptions } from '@skipgrad/tensor';
import { checkSameDtype, checkTensor } from '../operands.js';
import { type ExportForm, exportedAs } from '../export-form.js';
import type { Tensor } from '../tensor.js';
import { concat } from './concat.js';
import { fold } from './fold.js';
import { matmul } from './matmul.js';
import { pad } from './pad.js';
import { narrow } from './shape.js';
import { type Pair, type WindowOptions, checkImage, makeWindow, pair } from './window.js';
import { conv2dGroup } from './conv2d-group.js';

export interface ConvOptions extends Omit<WindowOptions, 'padding'> {
  /**
   * Zeros around the input: a size (one, or [height, width]), 'valid' (none), or 'same' (an output
   * of the input's size; stride 1 only, as PyTorch): dilation·(k − 1) in all, the odd one on the
   * bottom/right.
   */
  padding?: Pair | 'same' | 'valid';
  groups?: number;
}

/**
 * The input and numeric padding for conv2d's padding option: 'valid' is 0; 'same' pads
 * explicitly when the total is odd (the window options can only pad both sides alike).
 */
function resolvePadding(op: string, x: Tensor, kernel: [number, number], o: ConvOptions): [Tensor, Pair] {
  if (o.padding === 'valid') return [x, 0];
  if (o.padding !== 'same') return [x, o.padding ?? 0];
  const stride = pair(op, 'stride', o.stride ?? 1, 1);
  if (stride[0] !== 1 || stride[1] !== 1)
    throw new SkipgradError(op, 'padding', "'same' only with stride 1 (as PyTorch)", `stride ${formatShape(stride)}`);
  const dilation = pair(op, 'dilation', o.dilation ?? 1, 1);
  const total = [0, 1].map((d) => dilation[d]! * (kernel[d]! - 1));
  const before = total.map((t) => Math.floor(t / 2));
  if (total.every((t) => t % 2 === 0)) return [x, [before[0]!, before[1]!]];
  return [
    pad(x, [
      [0, 0],
      [0, 0],
      [before[0]!, total[0]! - before[0]!],
      [before[1]!, total[1]! - before[1]!],
    ]),
    0,
  ];
}

/** Checks x, the weight's rank and dtype, groups and the bias; each op then checks its weight layout. */
function checkConv(op: string, x: Tensor, w: Tensor, b: Tensor | null, groups: number, outChannels: number): void {
  checkImage(op, 'x', x);
  if (w.rank !== 4) throw new SkipgradError(op, 'weight', 'a tensor of rank 4', `shape ${formatShape(w.shape)}`);
  checkSameDtype(op, 'weight', w, 'x', x);
  if (!Number.isInteger(groups) || groups < 1 || x.shape[1]! % groups !== 0 || outChannels % groups !== 0) {
    throw new SkipgradError(
      op,
      'groups',
      `a positive integer dividing both ${x.shape[1]} input and ${outChannels} output channels`,
      String(groups),
    );
  }
  if (b !== null) {
    checkSameDtype(op, 'bias', checkTensor(op, 'bias', b), 'x', x);
    if (b.rank !== 1 || b.shape[0] !== outChannels)
      throw new SkipgradError(op, 'bias', `shape [${outChannels}]`, formatShape(b.shape));
  }
}

function weightError(op: string, expected: string, w: Tensor, x: Tensor): SkipgradError {
  return new SkipgradError(
    op,
    'weight',
    expected,
    `shape ${formatShape(w.shape)}`,
    `x has shape ${formatShape(x.shape)}`,
  );
}

/** Splits axis 1 of t into g equal groups (one group is t itself: no slice, so no pad in the backward). */
function groupsOf(t: Tensor, g: number, axis = 1): Tensor[] {
  if (g === 1) return [t];
  const size = t.shape[axis]! / g;
  return Array.from({ length: g }, (_, i) => narrow(t, axis, i * size, size));
}

/**
 * 2-D convolution (cross-correlation, as in every framework): x [N, C, H, W] and filters
 * W [O, C/groups, kh, kw] give y [N, O, H_out, W_out].
 *
 * @example
 * conv2d(ones([1, 1, 3, 3]), ones([2, 1, 2, 2]), null, { padding: 0 }).shape; // [1, 2, 2, 2]
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}): Tensor {
  checkOptions('conv2d', options, ['stride', 'padding', 'dilation', 'groups']);
  const input = checkTensor('conv2d', 'x', x);
  const w = checkTensor('conv2d', 'weight', weight);
  const g = options.groups ?? 1;
  checkConv('conv2d', input, w, bias, g, w.shape[0] ?? 0);
  if (w.shape[1] !== input.shape[1]! / g)
    throw weightError('conv2d', `a weight [O, ${input.shape[1]! / g} (input channels per group), kh, kw]`, w, input);
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const [padded, padding] = resolvePadding('conv2d', input, [kh, kw], options);
  const o = { ...options, padding };
  const window = makeWindow('conv2d', [kh, kw], o, [padded.shape[2]!, padded.shape[3]!]);
  const filters = groupsOf(w, g, 0);
  const outs = groupsOf(padded, g).map((xg, i) => conv2dGroup(xg, filters[i]!, window, o));
  const out = g === 1 ? outs[0]! : concat(outs, 1);
  return bias ? out.add(bias.reshape([O, 1, 1])) : out;
}

/**
 * 1-D convolution: x [N, C, L] and W [O, C/groups, k] give y [N, O, L_out] — conv2d on images of
 * height 1 (a view: x as [N, C, 1, L], W as [O, C/groups, 1, k]).
 *
 * @example
 * conv1d(ones([1, 1, 5]), ones([1, 1, 3]), null, { padding: 'same' }).toArray(); // [[[2, 3, 3, 3, 2]]]
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}): Tensor {
  checkOptions('conv1d', options, ['stride', 'padding', 'dilation', 'groups']);
  const input = checkTensor('conv1d', 'x', x);
  const w = checkTensor('conv1d', 'weight', weight);
  if (input.rank !== 3)
    throw new SkipgradError('conv1d', 'x', 'a tensor [N, C, L]', `shape ${formatShape(input.shape)}`);
  if (w.rank !== 3)
    throw new SkipgradError('conv1d', 'weight', 'a tensor [O, C/groups, k]', `shape ${formatShape(w.shape)}`);
  checkSameDtype('conv1d', 'weight', w, 'x', input);
  const g = options.groups ?? 1;
  if (!Number.isInteger(g) || g < 1 || input.shape[1]! % g !== 0 || w.shape[0]! % g !== 0) {
    throw new SkipgradError(
      'conv1d',
      'groups',
      `a positive integer dividing both ${input.shape[1]} input and ${w.shape[0]} output channels`,
      describe(g),
    );
  }
  if (w.shape[1] !== input.shape[1]! / g) {
    throw new SkipgradError(
      'conv1d',
      'weight',
      `a weight [O, ${input.shape[1]! / g} (input channels per group), k]`,
      `shape ${formatShape(w.shape)}`,
      `x has shape ${formatShape(input.shape)}`,
    );
  }
  if (bias !== null) checkSameDtype('conv1d', 'bias', checkTensor('conv1d', 'bias', bias), 'x', input);
  const one = (v: number | undefined, fill: number): [number, number] => [fill, v ?? fill];
  for (const name of ['stride', 'dilation'] as const) {
    const v = options[name];
    if (v !== undefined && typeof v !== 'number') throw new SkipgradError('conv1d', name, 'an integer', describe(v));
  }
  const p = options.padding;
  if (p !== undefined && typeof p !== 'number' && p !== 'same' && p !== 'valid')
    throw new SkipgradError('conv1d', 'padding', "an integer, 'same' or 'valid'", describe(p));
  const o: ConvOptions = {
    stride: one(options.stride, 1),
    dilation: one(options.dilation, 1),
    groups: options.groups,
    padding: typeof p === 'string' ? p : [0, p ?? 0],
  };
  return conv2d(input.unsqueeze(2), w.unsqueeze(2), bias, o).squeeze(2);
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

export interface ConvTransposeOptions extends WindowOptions {
  groups?: number;
  /** Extra rows/columns on the bottom/right of the output, to pick among sizes a stride allows. */
  outputPadding?: Pair;
}

/**
 * Transposed convolution ("deconvolution", U-Net's learned upsampling): x [N, C_in, H, W] and
 * W [C_in, C_out/groups, kh, kw] give y [N, C_out, H_out, W_out] with
 * H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 *
 * @example
 * convTranspose2d(ones([1, 2, 2, 2]), ones([2, 1, 2, 2]), null, { stride: 2 }).shape; // [1, 1, 4, 4]
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: ConvTransposeOptions = {},
): Tensor {
  checkOptions('convTranspose2d', options, ['stride', 'padding', 'dilation', 'groups', 'outputPadding']);
  const input = checkTensor('convTranspose2d', 'x', x);
  const w = checkTensor('convTranspose2d', 'weight', weight);
  const g = options.groups ?? 1;
  const outChannels = (w.shape[1] ?? 0) * g;
  checkConv('convTranspose2d', input, w, bias, g, outChannels);
  if (w.shape[0] !== input.shape[1])
    throw weightError(
      'convTranspose2d',
      `a weight [${input.shape[1]} (input channels), C_out/groups, kh, kw]`,
      w,
      input,
    );
  const [, , kh, kw] = w.shape as [number, number, number, number];
  const stride = pair('convTranspose2d', 'stride', options.stride ?? 1, 1);
  const padding = pair('convTranspose2d', 'padding', options.padding ?? 0, 0);
  const dilation = pair('convTranspose2d', 'dilation', options.dilation ?? 1, 1);
  const extra = pair('convTranspose2d', 'outputPadding', options.outputPadding ?? 0, 0);
  if (extra[0] >= Math.max(stride[0], dilation[0]) || extra[1] >= Math.max(stride[1], dilation[1])) {
    throw new SkipgradError(
      'convTranspose2d',
      'outputPadding',
      'values smaller than the stride or the dilation',
      formatShape(extra),
    );
  }
  const [N, , H, W] = input.shape as [number, number, number, number];
  const size: [number, number] = [
    (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + extra[0] + 1,
    (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + extra[1] + 1,
  ];
  // Exported as one ConvTranspose node (fold, im2col's inverse, has no ONNX operator).
  const form: ExportForm = {
    op: 'ConvTranspose',
    inputs: bias ? [0, 1, 2] : [0, 1],
    attributes: {
      kernel_shape: [kh, kw],
      strides: stride,
      pads: [...padding, ...padding],
      dilations: dilation,
      output_padding: extra,
      group: g,
    },
  };
  return exportedAs('convTranspose2d', bias ? [input, w, bias] : [input, w], () => {
    const flat = input.reshape([N, input.shape[1]!, H * W]);
    const filters = groupsOf(w, g, 0);
    const cols = groupsOf(flat, g).map((xg, i) => {
      const wg = filters[i]!.reshape([w.shape[0]! / g, -1]); // [C_in/g, C_out/g·kh·kw]
      return matmul(wg.transpose(), xg); // [N, C_out/g·kh·kw, H·W]
    });
    const window = { stride, padding, dilation };
    const out = fold(
      windowsFor(g === 1 ? cols[0]! : concat(cols, 1), [H, W], size, [kh, kw], window),
      size,
      [kh, kw],
      window,
    );
    return { output: bias ? out.add(bias.reshape([outChannels, 1, 1])) : out, form };
  });
}

/**
 * fold counts its windows from the output size: ⌊(H_out + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1,
 * which is H + ⌊outputPadding / stride⌋. When outputPadding ≥ stride (allowed while it is below
 * the dilation) that is more windows than x has pixels: the extra windows start past the last
 * pixel and receive nothing, so the columns get zero windows appended on the bottom/right.
 */
function windowsFor(
  cols: Tensor,
  [H, W]: [number, number],
  size: [number, number],
  kernel: [number, number],
  o: Required<WindowOptions>,
): Tensor {
  const win = makeWindow('convTranspose2d', kernel, o, size);
  if (win.out[0] === H && win.out[1] === W) return cols;
  const [N, rows] = cols.shape as [number, number, number];
  return pad(cols.reshape([N, rows, H, W]), [
    [0, 0],
    [0, 0],
    [0, win.out[0] - H],
    [0, win.out[1] - W],
  ]).reshape([N, rows, -1]);
}
