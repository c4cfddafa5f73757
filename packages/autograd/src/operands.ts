/**
 * Argument checks shared by the ops, so that every op fails the same clear way: naming the
 * op, the argument, what was expected and what was given.
 */
import { type DType, NDArray, SkipgradError, describe, checkString } from '@skipgrad/tensor';
import { Tensor } from './tensor.js';

/** What binary ops accept: a tensor, or a plain number (a constant of the other's dtype). */
export type TensorLike = Tensor | number;

/**
 * The argument as a Tensor, or an error naming the op and the argument (for your own ops and layers).
 *
 * @example
 * checkTensor('myOp', 'x', tensor([1])).shape; // [1]
 */
export function checkTensor(op: string, arg: string, value: unknown): Tensor {
  if (value instanceof Tensor) return value;
  // The names are checked only on the way to the error: every op calls this on every input.
  checkString('checkTensor', 'op', op, 'the name of the op (a string)');
  checkString('checkTensor', 'arg', arg, 'the name of the argument (a string)');
  throw new SkipgradError(op, arg, 'a Tensor', describe(value));
}

/** A constant scalar tensor (no grad) of the given dtype. */
export function scalar(value: number, dtype: DType): Tensor {
  const storage = dtype === 'float64' ? new Float64Array([value]) : new Float32Array([value]);
  return new Tensor(new NDArray(storage, []));
}

/** Two operands of a binary op as tensors of one dtype; numbers become scalar constants. */
export function operands(op: string, a: unknown, b: unknown): [Tensor, Tensor] {
  const isLike = (v: unknown): boolean => v instanceof Tensor || typeof v === 'number';
  if (!isLike(a)) throw new SkipgradError(op, 'a', 'a Tensor or a number', describe(a));
  if (!isLike(b)) throw new SkipgradError(op, 'b', 'a Tensor or a number', describe(b));
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new SkipgradError(op, 'a', 'at least one Tensor among a and b', `${describe(a)} and ${describe(b)}`);
  }
  const ta = a instanceof Tensor ? a : scalar(a as number, (b as Tensor).dtype);
  const tb = b instanceof Tensor ? b : scalar(b as number, ta.dtype);
  checkSameDtype(op, 'b', tb, 'a', ta);
  return [ta, tb];
}

export function checkSameDtype(op: string, arg: string, t: Tensor, refArg: string, ref: Tensor): void {
  if (t.dtype !== ref.dtype) {
    throw new SkipgradError(
      op,
      arg,
      `dtype ${ref.dtype} (the dtype of '${refArg}')`,
      t.dtype,
      'convert one with .to(dtype) first',
    );
  }
}

/** Checks an integer argument. */
export function checkInt(op: string, arg: string, value: unknown, min = -Infinity): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new SkipgradError(op, arg, min === -Infinity ? 'an integer' : `an integer >= ${min}`, describe(value));
  }
  return value as number;
}
