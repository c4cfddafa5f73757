// The Tensor methods for argmax, argmin, var and std: the same results as the functions, the
// same defaults (keepdim false, Bessel's correction); and argmax over all elements with keepdim.
import { expect, test } from 'vitest';
import { type ExportForm, argmax, argmin, std, tensor, traceForExport, variance } from '../src/index.js';

const x = tensor([
  [3, 9, 1],
  [4, 0, 8],
]);

test('argmax and argmin: every element or one axis, keepdim false by default', () => {
  expect(x.argmax().toArray()).toEqual(1);
  expect(x.argmin().toArray()).toEqual(4);
  expect(x.argmax(1).toArray()).toEqual([1, 2]);
  expect(x.argmin(0).toArray()).toEqual([0, 1, 0]);
  expect(x.argmax(1, true).shape).toEqual([2, 1]);
  expect(x.argmin(1, true).toArray()).toEqual([[2], [1]]);
  expect(argmax(x, undefined, true).shape).toEqual([1, 1]); // over every element, kept as ones
  expect(argmin(x, undefined, true).toArray()).toEqual([[4]]);
});

test('argmax over every element with keepdim is exported as a flat ArgMax reshaped to the kept shape', () => {
  const forms: (ExportForm | undefined)[] = [];
  traceForExport({ record: (_op, form) => forms.push(form) }, () => argmax(x, undefined, true));
  expect(forms).toEqual([
    {
      op: 'Cast',
      inputs: [
        {
          op: 'Reshape',
          inputs: [
            {
              op: 'ArgMax',
              inputs: [{ op: 'Reshape', inputs: [0, { ints: [-1] }] }],
              attributes: { axis: 0, keepdims: 0 },
            },
            { ints: [1, 1] },
          ],
        },
      ],
      attributes: { to: 1 },
    },
  ]);
});

test('var and std: the functions, Bessel-corrected by default', () => {
  const v = tensor([1, 2, 3, 4], { dtype: 'float64' });
  expect(v.var().item()).toBeCloseTo(5 / 3, 12);
  expect(v.var(0, { correction: 0 }).item()).toBeCloseTo(1.25, 12);
  expect(v.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 12);
  expect(v.std(0, { correction: 0 }).item()).toBeCloseTo(Math.sqrt(1.25), 12);
  expect(x.var(1).toArray()).toEqual(variance(x, 1).toArray());
  expect(x.std(0, { keepdim: true }).toArray()).toEqual(std(x, 0, { keepdim: true }).toArray());
});
