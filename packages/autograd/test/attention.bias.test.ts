// An additive bias moves attention: with equal scores, a bias of −1e9 on a key takes its weight away.
import { expect, test } from 'vitest';
import { attentionWeights, ones, scaledDotProductAttention, tensor } from '../src/index.js';

test('a bias is added to the scores before the softmax', () => {
  const q = ones([1, 2, 4], { dtype: 'float64' });
  const v = tensor(
    [
      [
        [1, 10],
        [2, 20],
        [6, 60],
      ],
    ],
    { dtype: 'float64' },
  );
  const k = ones([1, 3, 4], { dtype: 'float64' });
  const bias = tensor([0, -1e9, 0], { dtype: 'float64' }); // broadcasts over the queries
  expect(scaledDotProductAttention(q, k, v).toArray()).toEqual([
    [
      [3, 30],
      [3, 30],
    ],
  ]); // equal weights: the mean of the values
  expect(scaledDotProductAttention(q, k, v, { bias }).toArray()).toEqual([
    [
      [3.5, 35],
      [3.5, 35],
    ],
  ]); // keys 0 and 2 share the weight: (1 + 6) / 2 = 3.5
  const shifted = tensor([Math.log(3), 0, 0], { dtype: 'float64' }); // key 0 weighs 3 : 1 : 1
  const w = attentionWeights(q, k, { bias: shifted }).toArray() as number[][][];
  expect(w[0]![0]![0]).toBeCloseTo(0.6, 12);
  expect(w[0]![1]![2]).toBeCloseTo(0.2, 12);
});
