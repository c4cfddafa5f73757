#!/usr/bin/python3
"""PyTorch golden values for skipgrad's attention layers (tests/pytorch-transformer.test.ts).

Writes tests/fixtures/pytorch-transformer.safetensors: the state dicts of an nn.MultiheadAttention
and of post-LN and pre-LN nn.TransformerEncoderLayers (under PyTorch's own names, prefixed), their
inputs, outputs, and the gradients of <g, output> with respect to inputs and weights, all float64.
Run with Debian's python3-torch (1.13): `apt-get install python3-torch`, then
`/usr/bin/python3 scripts/pytorch/transformer-fixtures.py` (Debian's python, where apt installs
torch). With `--check FILE` it instead loads a safetensors file written by skipgrad into the same
modules with load_state_dict(strict=True).
The format is written by hand (safetensors_io.py), so no safetensors package is needed.
"""
import sys

import torch

from safetensors_io import read, write

torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)
OUT = 'tests/fixtures/pytorch-transformer.safetensors'


def modules():
    mha = torch.nn.MultiheadAttention(6, 2, batch_first=True)
    post = torch.nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0, batch_first=True)
    pre = torch.nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0, batch_first=True, norm_first=True, activation='gelu')
    for layer in (post, pre):  # non-trivial norms, so that their names and roles are checked too
        with torch.no_grad():
            for norm in (layer.norm1, layer.norm2):
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.uniform_(-0.5, 0.5)
    return {'mha': mha, 'post': post, 'pre': pre}


def main():
    ms = modules()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        state = read(sys.argv[2])
        for prefix, m in ms.items():
            sub = {k[len(prefix) + 1:]: v.to(torch.float64) for k, v in state.items() if k.startswith(prefix + '.')}
            m.load_state_dict(sub, strict=True)
            print(f'{prefix}: load_state_dict(strict=True) took {len(sub)} tensors')
        return
    t = {}
    for prefix, m in ms.items():
        m.train()  # dropout is 0; train mode keeps PyTorch off its inference fast path
        for k, v in m.state_dict().items():
            t[f'{prefix}.{k}'] = v
    q = torch.randn(2, 4, 6, requires_grad=True)
    kv = torch.randn(2, 5, 6, requires_grad=True)
    pad = torch.tensor([[0, 0, 1, 0, 1], [0, 0, 0, 0, 0]], dtype=torch.bool)
    out, weights = ms['mha'](q, kv, kv, key_padding_mask=pad, need_weights=True)
    g = torch.randn_like(out)
    grads = torch.autograd.grad((out * g).sum(), [q, kv, ms['mha'].in_proj_weight])
    t.update({'mha.in.q': q, 'mha.in.kv': kv, 'mha.in.key_padding_mask': pad.double(), 'mha.out': out, 'mha.out.weights': weights,
              'mha.in.g': g, 'mha.grad.q': grads[0], 'mha.grad.kv': grads[1], 'mha.grad.in_proj_weight': grads[2]})
    causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)  # PyTorch: True = masked out
    t['mha.out.causal'] = ms['mha'](q, q, q, attn_mask=causal, need_weights=False)[0]
    x = torch.randn(2, 5, 6, requires_grad=True)
    t['layer.in.x'] = x
    t['layer.in.key_padding_mask'] = pad.double()
    for name in ('post', 'pre'):
        layer = ms[name]
        y = layer(x, src_key_padding_mask=pad)
        gy = torch.randn_like(y)
        dx, dw = torch.autograd.grad((y * gy).sum(), [x, layer.linear1.weight])
        t.update({f'{name}.out': y, f'{name}.in.g': gy, f'{name}.grad.x': dx, f'{name}.grad.linear1.weight': dw})
        t[f'{name}.out.causal'] = layer(x, src_mask=torch.triu(torch.ones(5, 5, dtype=torch.bool), 1))
    write(OUT, t)
    print(f'wrote {OUT}: {len(t)} tensors (torch {torch.__version__})')


main()
