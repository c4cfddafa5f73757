#!/usr/bin/python3
"""PyTorch state dicts that skipgrad must load as they are (tests/pytorch-state-dict.test.ts).

Writes tests/fixtures/pytorch-state-dict.safetensors: the state_dict() of a small CNN with every
layer skipgrad shares with PyTorch (Conv2d, BatchNorm2d, MaxPool2d, ConvTranspose2d,
AdaptiveAvgPool2d, Linear, BatchNorm1d, LayerNorm), exactly as PyTorch names and types it
(num_batches_tracked int64), after three SGD steps so that the running statistics are not their
defaults; and tests/fixtures/pytorch-state-dict-data.safetensors: an input batch, the output in
eval mode, the output in train mode (batch statistics) and the eval-mode gradient of <g, output>
with respect to the input. float64 throughout.

Run with Debian's python3-torch (1.13): `/usr/bin/python3 scripts/pytorch/state-dict-fixtures.py`.
`--check FILE` loads a file skipgrad wrote (the test writes one to its temp folder and prints the
command) into the same model with load_state_dict(strict=True).
"""
import sys

import torch

from safetensors_io import read, write

torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)
OUT = 'tests/fixtures/pytorch-state-dict.safetensors'
DATA = 'tests/fixtures/pytorch-state-dict-data.safetensors'


def model():
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(4, 3, 2, stride=2), nn.ReLU(), nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.LayerNorm(8), nn.Linear(8, 3))


def main():
    m = model()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        state = read(sys.argv[2])
        m.load_state_dict(state, strict=True)
        print(f'load_state_dict(strict=True) took {len(state)} tensors')
        return
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        m(torch.randn(6, 1, 8, 8)).pow(2).mean().backward()
        opt.step()
    x = torch.randn(4, 1, 8, 8, requires_grad=True)
    state = m.state_dict()
    m.eval()
    y = m(x)
    g = torch.randn_like(y)
    (dx,) = torch.autograd.grad((y * g).sum(), [x])
    m.train()
    write(OUT, state)
    write(DATA, {'x': x, 'eval': y, 'g': g, 'eval.grad.x': dx, 'train': m(x)})
    print(f'wrote {OUT} ({len(state)} tensors) and {DATA} (torch {torch.__version__})')


main()
