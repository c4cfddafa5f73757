/** dropout: zero each value with probability p and scale the rest by 1/(1 − p), a composite of mul. */
import {
  type Generator,
  NDArray,
  SkipgradError,
  allocate,
  defaultGenerator,
  describe,
  checkOptions,
  checkGenerator,
} from '@skipgrad/tensor';
import { checkTensor } from '../operands.js';
import { Tensor } from '../tensor.js';
import { mul } from './mul.js';

export interface DropoutOptions {
  /** Dropout is the identity when not training. Default true. */
  training?: boolean;
  /** Where the random mask comes from (seed it to replay a run). Default: the global generator. */
  generator?: Generator;
}

/**
 * Inverted dropout: each element is zeroed with probability p, survivors are scaled by
 * 1/(1 − p) so the expectation is unchanged. y = a · m with m a constant random mask, so
 * da = dy · m: dropped elements get no gradient.
 *
 * @example
 * dropout(x, 0.5, { generator: new Generator(1) });
 */
export function dropout(a: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkOptions('dropout', options, ['training', 'generator']);
  const x = checkTensor('dropout', 'a', a);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new SkipgradError('dropout', 'p', 'a probability in [0, 1]', describe(p));
  if (options.training !== undefined && typeof options.training !== 'boolean')
    throw new SkipgradError('dropout', 'training', 'a boolean', describe(options.training));
  const g = checkGenerator('dropout', 'generator', options.generator) ?? defaultGenerator;
  if (options.training === false || p === 0) return x;
  const keep = 1 - p;
  const mask = allocate(x.dtype, x.size).map(() => (g.uniform() < keep ? 1 / keep : 0));
  return mul(x, new Tensor(new NDArray(mask, [...x.shape])));
}
