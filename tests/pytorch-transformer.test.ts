// Golden values from PyTorch 1.13 (scripts/pytorch/transformer-fixtures.py, float64): an
// nn.MultiheadAttention and post-LN / pre-LN nn.TransformerEncoderLayers, their state dicts
// loaded into skipgrad's layers under PyTorch's own names; outputs, attention weights and
// gradients compared. (PyTorch's attn_mask is True = masked out; skipgrad's `causal` says it.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type NDArray } from '@skipgrad/tensor';
import { Tensor, grad } from '@skipgrad/autograd';
import { type Module, MultiheadAttention, TransformerEncoderLayer, parseSafetensors } from '@skipgrad/nn';

const fixture = parseSafetensors(
  new Uint8Array(readFileSync(new URL('./fixtures/pytorch-transformer.safetensors', import.meta.url))),
).tensors;
const get = (name: string, requiresGrad = false): Tensor => new Tensor(fixture.get(name)!, { requiresGrad });
const flat = (t: Tensor | NDArray): number[] => Array.from((t instanceof Tensor ? t.data : t).toTypedArray());
function expectClose(actual: Tensor, expected: string, digits = 12): void {
  const e = flat(fixture.get(expected)!);
  expect(actual.shape).toEqual([...fixture.get(expected)!.shape]);
  flat(actual).forEach((v, i) => expect(v).toBeCloseTo(e[i]!, digits));
}
/** Loads the fixture's `prefix.*` tensors as a state dict (exactly the module's names, or loadStateDict refuses). */
function load<M extends Module>(module: M, prefix: string): M {
  const state = new Map<string, NDArray>();
  for (const [name, value] of fixture)
    if (name.startsWith(`${prefix}.`) && !/\.(in|out|grad)(\.|$)/.test(name.slice(prefix.length)))
      state.set(name.slice(prefix.length + 1), value);
  module.loadStateDict(state);
  expect([...module.stateDict().keys()].sort()).toEqual([...state.keys()].sort()); // what load_state_dict(strict=True) needs back
  return module;
}

describe('PyTorch parity: attention layers (float64, PyTorch 1.13)', () => {
  it('MultiheadAttention: cross-attention with a key-padding mask, its weights, its gradients, and causal self-attention', () => {
    const mha = load(new MultiheadAttention(6, 2, { dtype: 'float64' }), 'mha');
    const q = get('mha.in.q', true);
    const kv = get('mha.in.kv', true);
    const { output, weights } = mha.attend(q, kv, kv, {
      keyPaddingMask: get('mha.in.key_padding_mask'),
      needWeights: true,
    });
    expectClose(output, 'mha.out');
    expectClose(weights!, 'mha.out.weights');
    const [dq, dkv, dw] = grad([output], [q, kv, mha.in_proj_weight], { gradOutputs: [get('mha.in.g')] });
    expectClose(dq!, 'mha.grad.q');
    expectClose(dkv!, 'mha.grad.kv');
    expectClose(dw!, 'mha.grad.in_proj_weight');
    expectClose(mha.forward(q, { causal: true }), 'mha.out.causal');
  });

  for (const [name, options] of [
    ['post', {}],
    ['pre', { normFirst: true, activation: 'gelu' as const }],
  ] as const) {
    it(`TransformerEncoderLayer ${name}-LN: output with a key-padding mask, gradients, causal`, () => {
      const layer = load(
        new TransformerEncoderLayer(6, 2, { dimFeedforward: 8, dropout: 0, dtype: 'float64', ...options }),
        name,
      );
      const x = get('layer.in.x', true);
      const y = layer.forward(x, { keyPaddingMask: get('layer.in.key_padding_mask') });
      expectClose(y, `${name}.out`);
      const [dx, dw] = grad([y], [x, layer.linear1.weight], { gradOutputs: [get(`${name}.in.g`)] });
      expectClose(dx!, `${name}.grad.x`);
      expectClose(dw!, `${name}.grad.linear1.weight`);
      expectClose(layer.forward(x, { causal: true }), `${name}.out.causal`);
    });
  }
});
