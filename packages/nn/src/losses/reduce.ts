/** What every loss shares: the reduction argument, its options object, and shape checks. */
import { Tensor } from '@skipgrad/autograd';
import { SkipgradError, describe, formatShape, shapesEqual } from '@skipgrad/tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'none') return loss;
  throw new SkipgradError(op, 'reduction', "'mean', 'sum' or 'none'", describe(reduction));
}

/**
 * A loss's third argument: a reduction (the short form, `crossEntropy(x, y, 'sum')`) or an
 * options object with one, as PyTorch's keyword arguments.
 */
export function lossOptions<O extends { reduction?: Reduction }>(
  op: string,
  arg: Reduction | O | undefined,
): O & { reduction: Reduction } {
  if (arg === undefined) return { reduction: 'mean' } as O & { reduction: Reduction };
  if (typeof arg === 'string') return { reduction: arg } as O & { reduction: Reduction };
  if (arg === null || typeof arg !== 'object')
    throw new SkipgradError(op, 'options', "a reduction ('mean', 'sum', 'none') or an options object", describe(arg));
  return { ...arg, reduction: arg.reduction ?? 'mean' };
}

export function checkSameShape(op: string, prediction: unknown, target: unknown): [Tensor, Tensor] {
  if (!(prediction instanceof Tensor)) throw new SkipgradError(op, 'prediction', 'a Tensor', describe(prediction));
  if (!(target instanceof Tensor)) throw new SkipgradError(op, 'target', 'a Tensor', describe(target));
  if (!shapesEqual(prediction.shape, target.shape)) {
    throw new SkipgradError(
      op,
      'target',
      `shape ${formatShape(prediction.shape)} (the prediction's)`,
      formatShape(target.shape),
    );
  }
  if (target.dtype !== prediction.dtype)
    throw new SkipgradError(
      op,
      'target',
      `dtype ${prediction.dtype} (the prediction's)`,
      target.dtype,
      'convert one with .to(dtype)',
    );
  return [prediction, target];
}
