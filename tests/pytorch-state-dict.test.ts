// A PyTorch 1.13 state_dict() — saved by scripts/pytorch/state-dict-fixtures.py with PyTorch's
// names and dtypes (num_batches_tracked int64) — loads into the same network built from
// skipgrad's layers with loadModel as it is, and computes what PyTorch computed (float64): in
// eval mode with the running statistics, in train mode with the batch's, and the input gradient.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Tensor, grad } from '@skipgrad/autograd';
import {
  AdaptiveAvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  LayerNorm,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  loadModel,
  parseSafetensors,
  saveModel,
} from '@skipgrad/nn';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const data = parseSafetensors(new Uint8Array(readFileSync(fixture('pytorch-state-dict-data.safetensors')))).tensors;
const get = (name: string, requiresGrad = false): Tensor => new Tensor(data.get(name)!, { requiresGrad });
const flat = (t: Tensor): number[] => Array.from(t.data.toTypedArray());
const expectClose = (actual: Tensor, expected: string): void => {
  expect(actual.shape).toEqual([...data.get(expected)!.shape]);
  const e = Array.from(data.get(expected)!.toTypedArray());
  flat(actual).forEach((v, i) => expect(v).toBeCloseTo(e[i]!, 10));
};
/** The network of the script, layer for layer. */
const model = (): Sequential => {
  const o = { dtype: 'float64' as const };
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1, ...o }),
    new BatchNorm2d(4, o),
    new ReLU(),
    new MaxPool2d(2, { stride: 2 }),
    new ConvTranspose2d(4, 3, 2, { stride: 2, ...o }),
    new ReLU(),
    new Conv2d(3, 4, 3, { stride: 2, padding: 1, bias: false, ...o }),
    new BatchNorm2d(4, o),
    new ReLU(),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(4, 8, o),
    new BatchNorm1d(8, o),
    new ReLU(),
    new LayerNorm(8, o),
    new Linear(8, 3, o),
  );
};

describe('PyTorch parity: state dicts (PyTorch 1.13, float64)', () => {
  it('a PyTorch state_dict() file loads with loadModel as is, and the network computes what PyTorch did', async () => {
    const net = model();
    await loadModel(net, fixture('pytorch-state-dict.safetensors'));
    expect((net.layers[1] as BatchNorm2d).num_batches_tracked!.item()).toBe(3); // int64 in the file
    net.eval();
    const x = get('x', true);
    const y = net.forward(x);
    expectClose(y, 'eval');
    expectClose(grad([y], [x], { gradOutputs: [get('g')] })[0]!, 'eval.grad.x');
    net.train();
    expectClose(net.forward(get('x')), 'train');
  });

  it("skipgrad's file has exactly PyTorch's names and shapes (what load_state_dict(strict=True) needs)", async () => {
    const theirs = parseSafetensors(new Uint8Array(readFileSync(fixture('pytorch-state-dict.safetensors')))).tensors;
    const dir = mkdtempSync(join(tmpdir(), 'skipgrad-torch-'));
    try {
      const path = join(dir, 'skipgrad.safetensors');
      await saveModel(model(), path);
      const ours = parseSafetensors(new Uint8Array(readFileSync(path))).tensors;
      expect([...ours.keys()]).toEqual([...theirs.keys()]);
      for (const [name, value] of ours) expect(value.shape).toEqual(theirs.get(name)!.shape);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
