// Which backend runs by default, and the two scopes the engine hands to a backend: tidy (free
// device memory of a block's temporaries) and forgettingTemporaries (drop cached copies). The
// scopes are tested against a recording backend: the reference kernels plus a scope that writes
// down which arrays it was asked to keep. Beside them, the two calls that free one tensor's memory:
// zeroGrad (a caching backend forgets the gradient) and dispose (device storage is released).
import { afterEach, describe, expect, test } from 'vitest';
import { type Backend, type WasmBackend, cpuBackend, createWasmBackend } from '@skipgrad/kernels';
import { type DeviceStorage, NDArray } from '@skipgrad/tensor';
import { defaultBackend } from '../src/current-backend.js';
import {
  Tensor,
  forgettingTemporaries,
  fromOp,
  getBackend,
  grad,
  setBackend,
  tensor,
  tidy,
  traceBackward,
} from '../src/index.js';

describe('the default backend', () => {
  const saved = process.env.SKIPGRAD_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.SKIPGRAD_BACKEND;
    else process.env.SKIPGRAD_BACKEND = saved;
  });

  const nameOf = (backend: Backend): string => {
    if (backend.name === 'wasm') (backend as WasmBackend).close();
    return backend.name;
  };

  test('wasm where SIMD exists, the reference where it does not; SKIPGRAD_BACKEND chooses either', () => {
    delete process.env.SKIPGRAD_BACKEND; // (CI runs the suite once with it set to cpu)
    expect(nameOf(defaultBackend(undefined, true))).toBe('wasm');
    expect(nameOf(defaultBackend(undefined, false))).toBe('cpu');
    expect(nameOf(defaultBackend('', true))).toBe('wasm');
    expect(nameOf(defaultBackend('', false))).toBe('cpu');
    expect(nameOf(defaultBackend('cpu', true))).toBe('cpu');
    expect(nameOf(defaultBackend('wasm', false))).toBe('wasm');
  });

  test('reads SKIPGRAD_BACKEND from the environment', () => {
    process.env.SKIPGRAD_BACKEND = 'cpu';
    expect(nameOf(defaultBackend())).toBe('cpu');
    expect(nameOf(defaultBackend(undefined, true))).toBe('cpu');
    process.env.SKIPGRAD_BACKEND = 'wasm';
    expect(nameOf(defaultBackend(undefined, false))).toBe('wasm');
  });

  test('refuses any other name, by name', () => {
    expect(() => defaultBackend('gpu', true)).toThrow(
      `getBackend: argument 'SKIPGRAD_BACKEND' expected 'cpu' or 'wasm' (or unset), got "gpu"`,
    );
    process.env.SKIPGRAD_BACKEND = 'CPU';
    expect(() => defaultBackend()).toThrow(`got "CPU"`);
  });
});

/** The reference kernels plus tidy's and forgettingTemporaries' hooks, recording what each keeps. */
function recordingBackend(): Backend & { kept: NDArray[][] } {
  const kept: NDArray[][] = [];
  const record = <T>(fn: () => T, keep?: (result: T) => Iterable<NDArray>): T => {
    const result = fn();
    kept.push([...(keep?.(result) ?? [])]);
    return result;
  };
  return Object.assign(Object.create(cpuBackend) as Backend, { scope: record, forgetScope: record, kept });
}

describe('tidy and forgettingTemporaries', () => {
  let previous: Backend;
  const withRecorder = (body: (recorder: ReturnType<typeof recordingBackend>) => void): void => {
    previous = getBackend();
    const recorder = recordingBackend();
    setBackend(recorder);
    try {
      body(recorder);
    } finally {
      setBackend(previous);
    }
  };

  test('tidy keeps what the block returns: a tensor, the tensors of an array or of an object, and their gradients', () => {
    withRecorder((recorder) => {
      const a = tidy(() => tensor([1, 2]).mul(2));
      expect(recorder.kept.at(-1)).toEqual([a.data]);

      const [b, , c] = tidy(() => [tensor([1]).exp(), 'not a tensor', tensor([2]).neg()] as const);
      expect(recorder.kept.at(-1)).toEqual([b.data, c.data]);

      const { d, e } = tidy(() => ({ d: tensor([3]).abs(), e: 7, f: null }));
      expect(e).toBe(7);
      expect(recorder.kept.at(-1)).toEqual([d.data]);

      const w = tensor([1, 2, 3], { requiresGrad: true });
      const kept = tidy(() => {
        w.mul(w).sum().backward();
        return w;
      });
      expect(kept.grad!.toArray()).toEqual([2, 4, 6]);
      const last = recorder.kept.at(-1)!;
      expect(last.length).toBe(2);
      expect(last[0]).toBe(w.data);
      expect(last[1]).toBe(w.grad!.data);

      expect(tidy(() => 5)).toBe(5);
      expect(tidy(() => null)).toBe(null);
      expect(tidy(() => 'ab')).toBe('ab'); // (a string's values are its characters: none a tensor)
      expect(recorder.kept.slice(-3)).toEqual([[], [], []]);
    });
  });

  test('on a backend without device memory, tidy just runs the block', () => {
    const previousBackend = getBackend();
    setBackend(cpuBackend);
    try {
      expect(tidy(() => tensor([4]).sqrt()).toArray()).toEqual([2]);
    } finally {
      setBackend(previousBackend);
    }
  });

  test('a backward pass through built-in ops only runs sealed; custom ops, createGraph and traces do not', () => {
    const scopes: string[] = [];
    const previousBackend = getBackend();
    const note =
      (name: string) =>
      <T>(fn: () => T): T => {
        scopes.push(name);
        return fn();
      };
    setBackend(
      Object.assign(Object.create(cpuBackend) as Backend, { forgetScope: note('forget'), sealedScope: note('sealed') }),
    );
    try {
      const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
      w.mul(w).sum().backward();
      grad([w.exp().sum()], [w]);
      const double = (t: Tensor): Tensor => fromOp('double', [t], ['a'], t.data, (dy) => [dy.mul(2)]);
      double(w.mul(3)).sum().backward();
      grad([w.mul(w).sum()], [w], { createGraph: true });
      traceBackward(() => w.mul(w).sum().backward());
      expect(scopes).toEqual(['sealed', 'sealed', 'forget', 'forget', 'forget']);
    } finally {
      setBackend(previousBackend);
    }
  });

  test('on wasm a sealed backward copies out only the gradients it keeps; a custom op keeps what it saw readable', () => {
    const previousBackend = getBackend();
    const wasm = createWasmBackend({ threads: 1 });
    setBackend(wasm);
    try {
      const x = tensor(
        [
          [1, -2, 3],
          [0.5, 4, -1],
        ],
        { requiresGrad: true },
      );
      const w = tensor(
        [
          [0.5, -1],
          [2, 1],
          [1, 1],
        ],
        { requiresGrad: true },
      );
      const loss = x.matmul(w).relu().mul(x.matmul(w)).tanh().sum();
      const before = wasm.stats().downloads;
      loss.backward();
      expect(wasm.stats().downloads - before).toBe(3); // the implied gradient 1, x.grad and w.grad: nothing in between
      setBackend(cpuBackend);
      const xr = tensor(x.toArray() as number[][], { requiresGrad: true });
      const wr = tensor(w.toArray() as number[][], { requiresGrad: true });
      xr.matmul(wr).relu().mul(xr.matmul(wr)).tanh().sum().backward();
      setBackend(wasm);
      for (const [got, want] of [
        [x.grad!, xr.grad!],
        [w.grad!, wr.grad!],
      ] as const) {
        const [g, r] = [got.toArray() as number[][], want.toArray() as number[][]];
        g.flat().forEach((v, i) => expect(v).toBeCloseTo(r.flat()[i]!, 5));
      }
      // A custom op's backward is the user's code: what it saw stays readable after the pass.
      let seen: Tensor | null = null;
      const spy = (t: Tensor): Tensor =>
        fromOp('spy', [t], ['a'], t.data, (dy) => {
          seen = dy.mul(1);
          return [dy];
        });
      x.zeroGrad();
      spy(x.mul(2)).exp().sum().backward();
      expect((seen as Tensor | null)!.toArray()).toEqual(x.mul(2).exp().toArray() as number[][]);
    } finally {
      setBackend(previousBackend);
      wasm.close();
    }
  });

  test("zeroGrad tells a caching backend to forget the gradient's array, and clears it", () => {
    const forgotten: NDArray[][] = [];
    const previousBackend = getBackend();
    setBackend(
      Object.assign(Object.create(cpuBackend) as Backend, { forget: (a: Iterable<NDArray>) => forgotten.push([...a]) }),
    );
    try {
      const w = tensor([1, 2], { requiresGrad: true });
      w.zeroGrad();
      expect(forgotten).toEqual([]);
      w.mul(3).sum().backward();
      const gradient = w.grad!.data;
      w.zeroGrad();
      expect(forgotten.length).toBe(1);
      expect(forgotten[0]![0]).toBe(gradient);
      expect(w.grad).toBe(null);
    } finally {
      setBackend(previousBackend);
    }
  });

  test('dispose releases device storage where it can be released, and is a no-op otherwise', () => {
    const device = (release?: () => void): DeviceStorage => ({
      dtype: 'float32',
      length: 2,
      owner: 'test',
      download: () => new Float32Array(2),
      ...(release ? { release } : {}),
    });
    let released = 0;
    new Tensor(
      new NDArray(
        device(() => released++),
        [2],
      ),
    ).dispose();
    expect(released).toBe(1);
    expect(() => new Tensor(new NDArray(device(), [2])).dispose()).not.toThrow();
    expect(() => tensor([1, 2]).dispose()).not.toThrow();
  });

  test('forgettingTemporaries keeps the tensors the block lists, and refuses a block that lists none', () => {
    withRecorder((recorder) => {
      const x = tensor([1, 2], { requiresGrad: true });
      const [g] = forgettingTemporaries(() => grad([x.mul(x).sum()], [x]));
      expect(g!.toArray()).toEqual([2, 4]);
      expect(recorder.kept.at(-1)).toEqual([g!.data]);
      expect(() => forgettingTemporaries(() => 42 as never)).toThrow(
        "forgettingTemporaries: argument 'fn' expected a function returning the list of tensors to keep, got 42",
      );
      expect(() => forgettingTemporaries(() => [x], null as never)).toThrow(
        "forgettingTemporaries: argument 'options' expected an options object ({ sealed })",
      );
      expect(() => forgettingTemporaries(() => [x], { sealed: 'yes' as never })).toThrow(
        'forgettingTemporaries: argument \'sealed\' expected a boolean, got "yes"',
      );
      expect(() => forgettingTemporaries(() => [x], { seal: true } as never)).toThrow(/forgettingTemporaries.*seal/);
    });
  });
});
