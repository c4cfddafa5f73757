// Forward values, shapes and the documented conventions at kinks and edges, checked exactly.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@skipgrad/kernels';
import {
  type Tensor,
  arange,
  concat,
  getBackend,
  grad,
  logSoftmax,
  matmul,
  max,
  mean,
  ones,
  pow,
  setBackend,
  softmax,
  split,
  stack,
  sum,
  tensor,
  zeros,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const g = (y: Tensor, x: Tensor, dy?: Tensor): unknown => grad([y], [x], dy ? { gradOutputs: [dy] } : {})[0]!.toArray();

describe('elementwise forward values and conventions', () => {
  it('arithmetic, with numbers as constants on either side', () => {
    const a = tensor([1, 2, 4], { dtype: 'float64' });
    expect(a.add(1).toArray()).toEqual([2, 3, 5]);
    expect(a.sub(1).toArray()).toEqual([0, 1, 3]);
    expect(a.mul(3).toArray()).toEqual([3, 6, 12]);
    expect(a.div(2).toArray()).toEqual([0.5, 1, 2]);
    expect(a.pow(2).toArray()).toEqual([1, 4, 16]);
    expect(a.neg().toArray()).toEqual([-1, -2, -4]);
    expect(pow(2, a).toArray()).toEqual([2, 4, 16]);
  });

  it("relu'(0) = 0 (PyTorch's convention), and relu's forward", () => {
    const x = tensor([-1, 0, 2], f64);
    expect(x.relu().toArray()).toEqual([0, 0, 2]);
    expect(g(x.relu().sum(), x)).toEqual([0, 0, 1]);
  });

  it('exp, log, tanh, sigmoid and their derivatives at known points', () => {
    const x = tensor([0], f64);
    expect(g(x.exp().sum(), x)).toEqual([1]);
    expect(g(x.tanh().sum(), x)).toEqual([1]);
    expect(x.sigmoid().item()).toBe(0.5);
    expect(g(x.sigmoid().sum(), x)).toEqual([0.25]);
    const e = tensor([Math.E], f64);
    expect(e.log().item()).toBe(1);
    expect(g(e.log().sum(), e)).toEqual([1 / Math.E]);
  });

  it('sigmoid saturates without NaN at large magnitudes', () => {
    const x = tensor([-1000, 1000], f64);
    expect(x.sigmoid().toArray()).toEqual([0, 1]);
    expect(g(x.sigmoid().sum(), x)).toEqual([0, 0]);
  });

  it("pow's exponent gradient is y·ln a: NaN on a negative base, as documented", () => {
    const a = tensor([-2, 2], { dtype: 'float64' });
    const e = tensor([2, 2], f64);
    expect(g(pow(a, e).sum(), e)).toEqual([NaN, 4 * Math.log(2)]);
  });

  it('float32 in, float32 out; scalars (rank 0) work through every path', () => {
    expect(tensor([1.5]).mul(2).dtype).toBe('float32');
    const s = tensor(3, f64);
    const y = s.mul(s).add(1);
    expect(y.shape).toEqual([]);
    expect(g(y, s)).toBe(6);
  });
});

describe('reductions', () => {
  it('sum and mean over axes, with keepdim', () => {
    const x = arange(6, undefined, 1, { dtype: 'float64' }).reshape([2, 3]);
    expect(sum(x).item()).toBe(15);
    expect(x.sum(0).toArray()).toEqual([3, 5, 7]);
    expect(x.sum(1, true).toArray()).toEqual([[3], [12]]);
    expect(x.sum([0, 1]).toArray()).toBe(15);
    expect(x.mean(1).toArray()).toEqual([1, 4]);
    expect(mean(x, -2, true).toArray()).toEqual([[1.5, 2.5, 3.5]]);
  });

  it('sums over zero-size axes are 0; their gradients are zero-size', () => {
    const x = zeros([0, 3], f64);
    expect(x.sum(0).toArray()).toEqual([0, 0, 0]);
    expect(grad([x.sum()], [x])[0]!.shape).toEqual([0, 3]);
    expect(Number.isNaN(x.mean().item())).toBe(true);
  });

  it('max: values, and ties share the gradient equally', () => {
    const x = tensor(
      [
        [1, 3, 3],
        [5, 2, 5],
      ],
      f64,
    );
    expect(max(x).item()).toBe(5);
    expect(x.max(1).toArray()).toEqual([3, 5]);
    expect(x.max(0, true).toArray()).toEqual([[5, 3, 5]]);
    expect(g(x.max(1).sum(), x)).toEqual([
      [0, 0.5, 0.5],
      [0.5, 0, 0.5],
    ]);
    expect(g(x.max(), x)).toEqual([
      [0, 0, 0],
      [0.5, 0, 0.5],
    ]);
  });

  it('max propagates NaN', () => {
    expect(Number.isNaN(tensor([1, NaN, 3]).max().item())).toBe(true);
  });

  it('softmax sums to 1, is stable for large inputs, and logSoftmax is its log', () => {
    const x = tensor(
      [
        [1000, 1000],
        [1, 2],
      ],
      { dtype: 'float64' },
    );
    const s = softmax(x);
    expect(s.toArray()).toEqual(
      [
        [0.5, 0.5],
        [1 / (1 + Math.E), Math.E / (1 + Math.E)],
      ].map((r) => r.map((v) => expect.closeTo(v, 15))),
    );
    const ls = logSoftmax(x, 1);
    (ls.toArray() as number[][]).forEach((row, i) =>
      row.forEach((v, j) => expect(v).toBeCloseTo(Math.log((s.toArray() as number[][])[i]![j]!), 14)),
    );
  });
});

describe('matmul gradients', () => {
  it('come out in the layout of their operand: x·Wᵀ gives W a packed gradient, with the same values', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const w = tensor(
      [
        [1, -1, 2],
        [0.5, 3, -2],
      ],
      { dtype: 'float64', requiresGrad: true },
    ); // [out, in], used as Wᵀ
    const dy = tensor(
      [
        [1, 2],
        [-1, 0.5],
      ],
      { dtype: 'float64' },
    );
    matmul(x, w.transpose()).backward(dy);
    expect(w.grad!.data.isContiguous()).toBe(true);
    expect(w.grad!.toArray()).toEqual([
      [1 - 4, 2 - 5, 3 - 6],
      [2 + 2, 4 + 2.5, 6 + 3],
    ]); // dyᵀ·x
    expect(x.grad!.toArray()).toEqual([
      [1 + 1, -1 + 6, 2 - 4],
      [-1 + 0.25, 1 + 1.5, -2 - 1],
    ]); // dy·W
    const a = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: 'float64', requiresGrad: true },
    ); // used as aᵀ
    matmul(a.transpose(), tensor([[1], [1], [1]], { dtype: 'float64' }))
      .sum()
      .backward();
    expect(a.grad!.data.isContiguous()).toBe(true);
    expect(a.grad!.toArray()).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });
});

describe('shape ops', () => {
  it('views share storage: reshape, permute, expand, slice', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.reshape([3, 2]).data.storage).toBe(x.data.storage);
    expect(x.transpose().data.storage).toBe(x.data.storage);
    expect(x.slice([[1, 2]]).data.storage).toBe(x.data.storage);
    const e = tensor([1, 2, 3]).expand([4, 3]);
    expect(e.data.strides).toEqual([0, 1]);
    expect(e.sum(0).toArray()).toEqual([4, 8, 12]);
  });

  it('slice gradients land in place, padded with zeros', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      f64,
    );
    expect(
      g(
        x.slice([
          [1, 2],
          [0, 2],
        ]),
        x,
        tensor([[7, 8]], { dtype: 'float64' }),
      ),
    ).toEqual([
      [0, 0, 0],
      [7, 8, 0],
    ]);
    expect(g(x.narrow(1, -1, 1), x, tensor([[1], [2]], { dtype: 'float64' }))).toEqual([
      [0, 0, 1],
      [0, 0, 2],
    ]);
  });

  it('pad adds the value around; its gradient is the interior', () => {
    const x = tensor([[1, 2]], f64);
    const p = x.pad(
      [
        [1, 0],
        [0, 1],
      ],
      9,
    );
    expect(p.toArray()).toEqual([
      [9, 9, 9],
      [1, 2, 9],
    ]);
    expect(
      g(
        p,
        x,
        tensor(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          { dtype: 'float64' },
        ),
      ),
    ).toEqual([[4, 5]]);
  });

  it('squeeze, unsqueeze, flatten, transpose, permute', () => {
    const x = zeros([2, 1, 3]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.flatten(1).shape).toEqual([2, 3]);
    expect(tensor(2).flatten().shape).toEqual([1]);
    expect(x.transpose(0, 2).shape).toEqual([3, 1, 2]);
    expect(x.permute([2, 0, 1]).shape).toEqual([3, 2, 1]);
    const y = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      f64,
    );
    expect(
      g(
        y.permute([1, 0]),
        y,
        tensor(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          { dtype: 'float64' },
        ),
      ),
    ).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
  });

  it('split and stack', () => {
    const x = arange(5, undefined, 1, { dtype: 'float64' });
    expect(split(x, 2).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(x, [1, 0, 4]).map((p) => p.shape)).toEqual([[1], [0], [4]]);
    expect(stack([x, x], 1).shape).toEqual([5, 2]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it('concat forward along the last axis and with a single piece', () => {
    expect(
      concat(
        [
          tensor([[1], [2]]),
          tensor([
            [3, 4],
            [5, 6],
          ]),
        ],
        -1,
      ).toArray(),
    ).toEqual([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(concat([tensor([1, 2])]).toArray()).toEqual([1, 2]);
  });

  it('cast changes the dtype and casts the gradient back', () => {
    const x = tensor([1.5, 2.5], { requiresGrad: true });
    const y = x.to('float64');
    expect(y.dtype).toBe('float64');
    expect(x.to('float32')).toBe(x);
    const [dx] = grad([y.mul(y).sum()], [x]);
    expect(dx!.dtype).toBe('float32');
    expect(dx!.toArray()).toEqual([3, 5]);
  });
});

describe('matmul', () => {
  it('follows NumPy for 1-D operands and batch broadcasting', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(matmul(v, v).toArray()).toBe(14);
    expect(matmul(v, m).toArray()).toEqual([4, 5]);
    expect(matmul(m.transpose(), v).toArray()).toEqual([4, 5]);
    expect(matmul(ones([2, 1, 2, 3]), ones([4, 3, 2])).shape).toEqual([2, 4, 2, 2]);
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('the gradient of a broadcast batch sums over the batch', () => {
    const a = ones([3, 2, 2], f64);
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      f64,
    );
    const [, dw] = grad([matmul(a, w).sum()], [a, w]);
    expect(dw!.toArray()).toEqual([
      [6, 6],
      [6, 6],
    ]);
  });
});

describe('printing', () => {
  it('shows the op that made a tensor, or requiresGrad for a leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x)).toBe('tensor([1., 2.], requiresGrad=true)');
    expect(String(x.mul(2))).toBe('tensor([2., 4.], gradFn=<mul>)');
    expect(String(tensor([0.5]))).toBe('tensor([0.5000])');
  });
});

describe('reshape copies through the backend', () => {
  it("a reshape no view can express copies with the backend's copy (the wasm one is a SIMD copy); a view copies nothing", () => {
    const previous = getBackend();
    const copies: number[][] = [];
    setBackend({ ...cpuBackend, copy: (a, dtype) => (copies.push([...a.shape]), cpuBackend.copy(a, dtype)) });
    try {
      const x = arange(6).reshape([2, 3]);
      expect(x.transpose().reshape([6]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
      expect(copies).toEqual([[3, 2]]);
      expect(x.reshape([3, 2]).toArray()).toEqual([
        [0, 1],
        [2, 3],
        [4, 5],
      ]);
      expect(copies).toHaveLength(1);
    } finally {
      setBackend(previous);
    }
  });
});
