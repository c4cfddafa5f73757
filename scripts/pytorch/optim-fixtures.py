#!/usr/bin/python3
"""PyTorch golden trajectories for skipgrad's optimizers (tests/pytorch-optim.test.ts): two
parameters, five steps with given gradients (None where a parameter has none yet), and the
parameters after every step — float64, PyTorch 1.13 — written to tests/fixtures/pytorch-optim.json.

Run with Debian's python3-torch: `/usr/bin/python3 scripts/pytorch/optim-fixtures.py`.
"""
import json

import torch

torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)
OUT = 'tests/fixtures/pytorch-optim.json'
O = torch.optim

# name: (make the optimizer from [p1, p2], the step from which p2 has a gradient)
CASES = {
    'SGD momentum nesterov weight_decay': (lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), 0),
    'SGD dampening maximize': (lambda p: O.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, maximize=True), 0),
    'SGD groups': (lambda p: O.SGD([{'params': [p[0]], 'lr': 0.1}, {'params': [p[1]], 'lr': 0.01, 'momentum': 0.5}], lr=0.2, momentum=0.9), 0),
    'Adam amsgrad weight_decay': (lambda p: O.Adam(p, lr=0.1, amsgrad=True, weight_decay=0.05), 0),
    'Adam groups late gradient': (lambda p: O.Adam([{'params': [p[0]]}, {'params': [p[1]], 'lr': 0.01, 'betas': (0.5, 0.9)}], lr=0.1), 2),
    'AdamW amsgrad maximize': (lambda p: O.AdamW(p, lr=0.05, amsgrad=True, maximize=True), 0),
    'RMSprop': (lambda p: O.RMSprop(p, lr=0.01), 0),
    'RMSprop centered momentum weight_decay': (lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.01), 1),
    'Adagrad lr_decay initial_accumulator weight_decay': (lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2, weight_decay=0.05), 0),
    'Adagrad maximize': (lambda p: O.Adagrad(p, lr=0.1, maximize=True), 1),
}
STEPS = 5


def as_json(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


def main():
    cases = []
    for name, (make, p2_from) in CASES.items():
        params = [torch.randn(2, 3, requires_grad=True), torch.randn(4, requires_grad=True)]
        init = [as_json(p) for p in params]
        opt = make(params)
        grads, trajectory = [], []
        for step in range(STEPS):
            g = [torch.randn(2, 3), torch.randn(4) if step >= p2_from else None]
            for p, gi in zip(params, g):
                p.grad = gi
            opt.step()
            grads.append([as_json(gi) if gi is not None else None for gi in g])
            trajectory.append([as_json(p) for p in params])
        cases.append({'name': name, 'init': init, 'grads': grads, 'trajectory': trajectory})
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}: {len(cases)} cases (torch {torch.__version__})')


main()
