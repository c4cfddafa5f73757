/**
 * conv2d, one group — the primitive under conv2d (conv.ts splits the groups and adds the bias):
 *
 *   y[n] = W · unfold(x)[n]        W as [O, C·kh·kw], unfold(x)[n] as [C·kh·kw, L]
 *
 * The backend computes it in one call (the wasm backend without writing the columns; the
 * reference as unfold then matmul). Its gradients are that product taken apart, written with
 * matmul, unfold and fold — so there is no convolution backward kernel to get wrong:
 *
 *   dx = fold(Wᵀ · dy)                     (col2im of the columns' gradient)
 *   dW = Σ_n dy[n] · unfold(x)[n]ᵀ
 *
 * When the backward records no graph (no createGraph), a backend that has them computes each
 * in one call (Backend.conv2dInputGrad / conv2dWeightGrad: the same kernels, the columns kept
 * to itself); recorded, they are these differentiable ops, so grad of grad works.
 */
import type { Window2d } from '@skipgrad/kernels';
import { getBackend } from '../current-backend.js';
import { builtinOp } from '../from-op.js';
import { isGradEnabled } from '../graph.js';
import { Tensor } from '../tensor.js';
import { fold } from './fold.js';
import { matmul } from './matmul.js';
import { unfold } from './unfold.js';
import type { WindowOptions } from './window.js';

/** One group's convolution, y[n] = W · unfold(x)[n]; conv2d has checked the arguments and made the window. */
export function conv2dGroup(
  x: Tensor,
  w: Tensor,
  window: Window2d & { out: [number, number] },
  options: WindowOptions,
): Tensor {
  const sliding: WindowOptions = { stride: options.stride, padding: options.padding, dilation: options.dilation }; // what unfold and fold take
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const L = window.out[0] * window.out[1];
  return builtinOp(
    'conv2d',
    [x, w],
    ['x', 'weight'],
    getBackend().conv2d(x.data, w.data, window),
    (dy, needs) => {
      const backend = getBackend();
      if (!isGradEnabled() && backend.conv2dInputGrad && backend.conv2dWeightGrad) {
        return [
          needs[0] ? new Tensor(backend.conv2dInputGrad(dy.data, w.data, [H, W], window)) : null,
          needs[1] ? new Tensor(backend.conv2dWeightGrad(dy.data, x.data, window)) : null,
        ];
      }
      const dyCols = dy.reshape([N, O, L]);
      const wFlat = w.reshape([O, -1]); // [O, C·kh·kw]
      return [
        needs[0] ? fold(matmul(wFlat.transpose(), dyCols), [H, W], [kh, kw], sliding) : null,
        needs[1]
          ? matmul(dyCols, unfold(x, [kh, kw], sliding).transpose(-2, -1))
              .sum(0)
              .reshape([...w.shape])
          : null,
      ];
    },
    {
      rule: 'dx = fold(Wᵀ·dy), dW = Σₙ dy·unfold(x)ᵀ',
      onnx: {
        op: 'Conv',
        attributes: {
          kernel_shape: [kh, kw],
          strides: window.stride,
          dilations: window.dilation,
          pads: [...window.padding, ...window.padding],
        },
      },
    },
  );
}
