// Golden trajectories from PyTorch 1.13 (scripts/pytorch/optim-fixtures.py, float64): each
// optimizer, with its options and parameter groups, takes the same five steps from the same
// gradients; the parameters after every step agree at 1e-10.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NDArray } from '@skipgrad/tensor';
import { Tensor } from '@skipgrad/autograd';
import { Adagrad, Adam, AdamW, Parameter, RMSprop, SGD } from '@skipgrad/nn';

interface Json {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  init: Json[];
  grads: (Json | null)[][];
  trajectory: Json[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/pytorch-optim.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};
const array = (j: Json): NDArray => new NDArray(Float64Array.from(j.data), j.shape);

/** The skipgrad optimizer for each case of the script, by its name. */
const MAKE: Record<string, (p: Parameter[]) => { step(): void }> = {
  'SGD momentum nesterov weight_decay': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 }),
  'SGD dampening maximize': (p) => new SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3, maximize: true }),
  'SGD groups': (p) =>
    new SGD(
      [
        { params: [p[0]!], lr: 0.1 },
        { params: [p[1]!], lr: 0.01, momentum: 0.5 },
      ],
      { lr: 0.2, momentum: 0.9 },
    ),
  'Adam amsgrad weight_decay': (p) => new Adam(p, { lr: 0.1, amsgrad: true, weightDecay: 0.05 }),
  'Adam groups late gradient': (p) =>
    new Adam([{ params: [p[0]!] }, { params: [p[1]!], lr: 0.01, betas: [0.5, 0.9] }], { lr: 0.1 }),
  'AdamW amsgrad maximize': (p) => new AdamW(p, { lr: 0.05, amsgrad: true, maximize: true }),
  RMSprop: (p) => new RMSprop(p, { lr: 0.01 }),
  'RMSprop centered momentum weight_decay': (p) =>
    new RMSprop(p, { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.01 }),
  'Adagrad lr_decay initial_accumulator weight_decay': (p) =>
    new Adagrad(p, { lr: 0.1, lrDecay: 0.1, initialAccumulatorValue: 0.2, weightDecay: 0.05 }),
  'Adagrad maximize': (p) => new Adagrad(p, { lr: 0.1, maximize: true }),
};

describe(`PyTorch parity: optimizers (float64, golden trajectories from PyTorch ${fixture.torch})`, () => {
  it('every case has a skipgrad optimizer, and every optimizer a case', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(MAKE).sort());
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params = c.init.map((j) => new Parameter(array(j)));
    const optimizer = MAKE[c.name]!(params);
    c.grads.forEach((grads, step) => {
      params.forEach((p, i) => {
        p.grad = grads[i] ? new Tensor(array(grads[i]!)) : null;
      });
      optimizer.step();
      params.forEach((p, i) => {
        const expected = c.trajectory[step]![i]!.data;
        const worst = Array.from(p.data.toTypedArray()).reduce((w, v, k) => Math.max(w, Math.abs(v - expected[k]!)), 0);
        expect(worst, `parameter ${i} after step ${step + 1}`).toBeLessThan(1e-10);
      });
    });
  });
});
