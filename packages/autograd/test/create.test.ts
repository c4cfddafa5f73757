// The creators: each passes its own options on (dtype, shape, generator), adds requiresGrad, and
// refuses anything else naming itself.
import { describe, expect, test } from 'vitest';
import { Generator } from '@skipgrad/tensor';
import {
  type Tensor,
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  rand,
  randn,
  tensor,
  zeros,
  zerosLike,
} from '../src/index.js';

type Creator = (options: object) => Tensor;

/** Each creator, called with the options given; and which host-side options it takes. */
const creators: Record<string, { make: Creator; takes: string[] }> = {
  tensor: { make: (o) => tensor([1, 2], o), takes: ['dtype', 'shape'] },
  zeros: { make: (o) => zeros([2], o), takes: ['dtype'] },
  ones: { make: (o) => ones([2], o), takes: ['dtype'] },
  full: { make: (o) => full([2], 7, o), takes: ['dtype'] },
  arange: { make: (o) => arange(0, 2, 1, o), takes: ['dtype'] },
  linspace: { make: (o) => linspace(0, 1, 2, o), takes: ['dtype'] },
  eye: { make: (o) => eye(2, 2, o), takes: ['dtype'] },
  rand: { make: (o) => rand([2], o), takes: ['dtype', 'generator'] },
  randn: { make: (o) => randn([2], o), takes: ['dtype', 'generator'] },
};

describe('creators', () => {
  for (const [name, { make, takes }] of Object.entries(creators)) {
    test(`${name}: dtype and requiresGrad taken, anything else refused by name`, () => {
      const plain = make({});
      expect(plain.dtype).toBe('float32');
      expect(plain.requiresGrad).toBe(false);
      const wide = make({ dtype: 'float64', requiresGrad: true });
      expect(wide.dtype).toBe('float64');
      expect(wide.requiresGrad).toBe(true);
      const allowed = ['requiresGrad', ...takes].map((k) => `'${k}'`).join(', ');
      expect(() => make({ bogus: 1 })).toThrow(
        `${name}: argument 'options' expected only the options ${allowed}, got unknown option 'bogus'`,
      );
      expect(() => make({ requiresGrad: 1 })).toThrow(`${name}: argument 'requiresGrad' expected a boolean, got 1`);
    });
  }

  test('the values: full, arange, linspace, eye; a generator replays rand and randn', () => {
    expect(full([2, 2], 7).toArray()).toEqual([
      [7, 7],
      [7, 7],
    ]);
    expect(arange(1, 7, 2).toArray()).toEqual([1, 3, 5]);
    expect(linspace(0, 1, 3).toArray()).toEqual([0, 0.5, 1]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    for (const draw of [rand, randn]) {
      const a = draw([4], { generator: new Generator(5) }).toArray();
      expect(draw([4], { generator: new Generator(5) }).toArray()).toEqual(a);
      expect(draw([4], { generator: new Generator(6) }).toArray()).not.toEqual(a);
    }
    expect(tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).shape).toEqual([2, 2]);
  });

  test('zerosLike and onesLike copy the shape and dtype, never the gradient flag; refuse a non-tensor by name', () => {
    const t = ones([2, 3], { dtype: 'float64', requiresGrad: true });
    for (const [like, value, name] of [
      [zerosLike, 0, 'zerosLike'],
      [onesLike, 1, 'onesLike'],
    ] as const) {
      const y = like(t);
      expect(y.shape).toEqual([2, 3]);
      expect(y.dtype).toBe('float64');
      expect(y.requiresGrad).toBe(false);
      expect(y.toArray()).toEqual([
        [value, value, value],
        [value, value, value],
      ]);
      expect(() => like(3 as never)).toThrow(`${name}: argument 't' expected a Tensor, got 3`);
    }
  });
});
