// Every op recorded through fromOp carries its backward rule in one line (what traces print):
// each of the 30 primitives, run once, must name the gradient it sends ("da = …", "dx = …").
import { expect, test } from 'vitest';
import * as sg from '../src/index.js';
import { type Tensor, tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const m = (): Tensor =>
  tensor(
    [
      [0.5, 1.5],
      [2.5, 3],
    ],
    f64,
  );
const images = (): Tensor => sg.rand([1, 1, 3, 3], f64);
const index = tensor([[1], [0]], { dtype: 'float64' });

/** Each primitive op's name (as its node records it) and a call that makes one. */
const primitives: [string, () => Tensor][] = [
  ['abs', () => m().abs()],
  ['add', () => m().add(m())],
  ['cast', () => sg.cast(m(), 'float32')],
  ['concat', () => sg.concat([m(), m()], 0)],
  ['conv2d', () => sg.conv2d(images(), sg.rand([1, 1, 2, 2], { dtype: 'float64' }))],
  ['div', () => m().div(m())],
  ['erf', () => m().erf()],
  ['exp', () => m().exp()],
  ['expand', () => tensor([[1, 2]], f64).expand([3, 2])],
  ['fold', () => sg.fold(sg.rand([1, 4, 4], f64), [3, 3], 2)],
  ['gather', () => sg.gather(m(), 1, index)],
  ['scatterAdd', () => sg.scatterAdd([2, 2], 1, index, tensor([[1], [2]], f64))],
  ['linear', () => sg.linear(m(), m())],
  ['log', () => m().log()],
  ['matmul', () => m().matmul(m())],
  ['scaledMatmul', () => sg.scaledMatmul(m(), m(), 0.5)],
  ['max', () => m().max()],
  ['mul', () => m().mul(m())],
  ['neg', () => m().neg()],
  [
    'pad',
    () =>
      sg.pad(m(), [
        [1, 0],
        [0, 1],
      ]),
  ],
  ['permute', () => m().permute([1, 0])],
  ['pow', () => m().pow(m())],
  ['relu', () => m().relu()],
  ['reshape', () => m().reshape([4])],
  ['sigmoid', () => m().sigmoid()],
  ['slice', () => sg.slice(m(), [[0, 1]])],
  ['sub', () => m().sub(m())],
  ['sum', () => m().sum()],
  ['tanh', () => m().tanh()],
  ['unfold', () => sg.unfold(images(), 2)],
  [
    'where',
    () =>
      sg.where(
        tensor(
          [
            [1, 0],
            [0, 1],
          ],
          { dtype: 'float64' },
        ),
        m(),
        m(),
      ),
  ],
];

test.each(primitives)('%s records its backward rule', (op, make) => {
  const node = make().node!;
  expect(node.op).toBe(op);
  expect(node.rule).toMatch(/^d\w* = \S/);
});
