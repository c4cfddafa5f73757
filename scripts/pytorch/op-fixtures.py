#!/usr/bin/python3
"""PyTorch golden values for skipgrad's ops (tests/pytorch-ops.test.ts): for each case, the inputs,
the output, an upstream gradient g, and the gradient of <g, output> with respect to each input
that takes one — float64, from PyTorch 1.13 — written to tests/fixtures/pytorch-ops.json.

Run with Debian's python3-torch: `/usr/bin/python3 scripts/pytorch/op-fixtures.py`. The test maps
each case's name to the skipgrad call; a case added here needs its line there.
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(2026)
torch.set_default_dtype(torch.float64)
OUT = 'tests/fixtures/pytorch-ops.json'


def randn(*shape):
    return torch.randn(*shape)


def labels(n, classes):
    return torch.randint(0, classes, (n,)).double()


# name: (function of the inputs, inputs, which inputs get a gradient)
CASES = {
    # reductions
    'amax dims [0, 2]': (lambda a: torch.amax(a, dim=(0, 2)), [randn(3, 4, 5)], [0]),
    'amin dim 1 keepdim': (lambda a: torch.amin(a, dim=1, keepdim=True), [randn(3, 4)], [0]),
    'amin all': (lambda a: torch.amin(a), [randn(3, 4)], [0]),
    'argmax dim 1': (lambda a: torch.argmax(a, dim=1).double(), [randn(3, 5)], []),
    'argmin dim 0 keepdim': (lambda a: torch.argmin(a, dim=0, keepdim=True).double(), [randn(4, 3)], []),
    'argmax flat': (lambda a: torch.argmax(a).double(), [randn(3, 4)], []),
    'var dim 1': (lambda a: torch.var(a, dim=1), [randn(3, 6)], [0]),
    'var all correction 0': (lambda a: torch.var(a, unbiased=False), [randn(3, 6)], [0]),
    'std dims [0, 2] keepdim': (lambda a: torch.std(a, dim=(0, 2), keepdim=True), [randn(3, 4, 5)], [0]),
    'logsumexp dim 1': (lambda a: torch.logsumexp(a, dim=1), [randn(3, 6)], [0]),
    # activations
    'silu': (F.silu, [randn(4, 5) * 3], [0]),
    'leaky_relu 0.1': (lambda a: F.leaky_relu(a, 0.1), [randn(4, 5)], [0]),
    'elu 0.7': (lambda a: F.elu(a, 0.7), [randn(4, 5) * 2], [0]),
    'softplus beta 2 threshold 5': (lambda a: F.softplus(a, beta=2, threshold=5), [randn(4, 5) * 4], [0]),
    'hardtanh -0.5 0.8': (lambda a: F.hardtanh(a, -0.5, 0.8), [randn(4, 5)], [0]),
    'gelu': (F.gelu, [randn(4, 5) * 2], [0]),
    'gelu tanh': (lambda a: F.gelu(a, approximate='tanh'), [randn(4, 5) * 2], [0]),
    'softmax dim 1': (lambda a: F.softmax(a, dim=1), [randn(3, 5)], [0]),
    'log_softmax dim 0': (lambda a: F.log_softmax(a, dim=0), [randn(3, 5)], [0]),
    'sigmoid': (torch.sigmoid, [randn(6)], [0]),
    'tanh': (torch.tanh, [randn(6)], [0]),
    # convolutions and pooling
    'conv2d stride 2 padding 1 dilation 2 groups 2': (
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=2, groups=2), [randn(2, 4, 9, 8), randn(6, 2, 3, 2), randn(6)], [0, 1, 2]),
    'conv_transpose2d stride 2 padding 1 output_padding 1': (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), [randn(2, 3, 4, 5), randn(3, 2, 3, 3), randn(2)], [0, 1, 2]),
    'conv2d padding same kernel 2x3 dilation (1, 2)': (
        lambda x, w, b: F.conv2d(x, w, b, padding='same', dilation=(1, 2)), [randn(2, 3, 5, 6), randn(4, 3, 2, 3), randn(4)], [0, 1, 2]),
    'conv1d stride 2 padding 1 groups 2': (
        lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, groups=2), [randn(2, 4, 9), randn(6, 2, 3), randn(6)], [0, 1, 2]),
    'conv1d padding same dilation 2 kernel 4': (lambda x, w: F.conv1d(x, w, padding='same', dilation=2), [randn(2, 3, 8), randn(2, 3, 4)], [0, 1]),
    'pad reflect': (lambda x: F.pad(x, (2, 1, 1, 2), mode='reflect'), [randn(2, 3, 4, 5)], [0]),
    'pad replicate': (lambda x: F.pad(x, (3, 0, 1, 2), mode='replicate'), [randn(2, 3, 4, 5)], [0]),
    'pad circular': (lambda x: F.pad(x, (2, 3, 1, 0), mode='circular'), [randn(2, 3, 4, 5)], [0]),
    'max_pool2d 3 stride 2 padding 1': (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [randn(2, 3, 7, 6)], [0]),
    'avg_pool2d 2 stride 1 padding 1': (lambda x: F.avg_pool2d(x, 2, stride=1, padding=1), [randn(2, 3, 5, 4)], [0]),
    'adaptive_avg_pool2d (3, 2)': (lambda x: F.adaptive_avg_pool2d(x, (3, 2)), [randn(2, 3, 7, 5)], [0]),
    'upsample nearest 2': (lambda x: F.interpolate(x, scale_factor=2, mode='nearest'), [randn(1, 2, 3, 4)], [0]),
    'max_pool2d 3 stride 2 ceil_mode': (lambda x: F.max_pool2d(x, 3, stride=2, ceil_mode=True), [randn(2, 2, 6, 7)], [0]),
    'avg_pool2d 3 stride 2 padding 1 ceil_mode': (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), [randn(2, 2, 6, 7)], [0]),
    'avg_pool2d 3 stride 2 padding 1 count_include_pad False': (
        lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), [randn(2, 2, 6, 7)], [0]),
    'avg_pool2d 2 ceil_mode count_include_pad False': (
        lambda x: F.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=False), [randn(1, 2, 5, 5)], [0]),
    'adaptive_max_pool2d (3, 2)': (lambda x: F.adaptive_max_pool2d(x, (3, 2)), [randn(2, 3, 7, 5)], [0]),
    'max_pool2d indices': (lambda x: F.max_pool2d(x, 2, stride=2, padding=1, return_indices=True)[1].double(), [randn(2, 2, 5, 6)], []),
    'interpolate nearest size (5, 7)': (lambda x: F.interpolate(x, size=(5, 7), mode='nearest'), [randn(1, 2, 3, 4)], [0]),
    'interpolate nearest scale 1.5': (lambda x: F.interpolate(x, scale_factor=1.5, mode='nearest'), [randn(1, 2, 3, 4)], [0]),
    'interpolate bilinear size (5, 3) align_corners': (
        lambda x: F.interpolate(x, size=(5, 3), mode='bilinear', align_corners=True), [randn(1, 2, 3, 4)], [0]),
    'interpolate bilinear scale 1.7': (lambda x: F.interpolate(x, scale_factor=1.7, mode='bilinear'), [randn(1, 2, 3, 4)], [0]),
    'interpolate bilinear size (7, 2)': (lambda x: F.interpolate(x, size=(7, 2), mode='bilinear'), [randn(2, 1, 4, 5)], [0]),
    'unfold 2x3 stride 1 padding 1': (lambda x: F.unfold(x, (2, 3), padding=1), [randn(2, 3, 4, 5)], [0]),
    # norms
    'layer_norm [4, 5]': (lambda x, w, b: F.layer_norm(x, (4, 5), w, b), [randn(3, 4, 5), randn(4, 5), randn(4, 5)], [0, 1, 2]),
    'batch_norm training': (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [randn(4, 3, 2, 2), randn(3), randn(3)], [0, 1, 2]),
    'group_norm 2 groups': (lambda x, w, b: F.group_norm(x, 2, w, b), [randn(3, 4, 3, 2), randn(4), randn(4)], [0, 1, 2]),
    'instance_norm': (lambda x: F.instance_norm(x), [randn(2, 3, 4, 3)], [0]),
    # losses
    'cross_entropy': (lambda x, y: F.cross_entropy(x, y.long()), [randn(5, 4), labels(5, 4)], [0]),
    'nll_loss sum': (lambda x, y: F.nll_loss(F.log_softmax(x, 1), y.long(), reduction='sum'), [randn(5, 4), labels(5, 4)], [0]),
    'mse_loss': (F.mse_loss, [randn(3, 4), randn(3, 4)], [0, 1]),
    'binary_cross_entropy_with_logits': (F.binary_cross_entropy_with_logits, [randn(3, 4), torch.rand(3, 4)], [0]),
    'cross_entropy weight ignore_index label_smoothing': (
        lambda x, y, w: F.cross_entropy(x, y.long(), weight=w, ignore_index=1, label_smoothing=0.2),
        [randn(6, 4), torch.tensor([0., 1, 2, 3, 1, 2]), torch.rand(4) + 0.5], [0]),
    'cross_entropy spatial weight none': (
        lambda x, y, w: F.cross_entropy(x, y.long(), weight=w, reduction='none'),
        [randn(2, 3, 2, 2), torch.randint(0, 3, (2, 2, 2)).double(), torch.rand(3) + 0.5], [0]),
    'cross_entropy spatial label_smoothing mean': (
        lambda x, y: F.cross_entropy(x, y.long(), label_smoothing=0.1),
        [randn(2, 3, 2, 2), torch.randint(0, 3, (2, 2, 2)).double()], [0]),
    'cross_entropy probabilities weight label_smoothing': (
        lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.3),
        [randn(5, 4), F.softmax(randn(5, 4), 1), torch.rand(4) + 0.5], [0]),
    'nll_loss weight sum': (lambda x, y, w: F.nll_loss(F.log_softmax(x, 1), y.long(), weight=w, reduction='sum'),
                            [randn(5, 4), labels(5, 4), torch.rand(4) + 0.5], [0]),
    'bce_with_logits pos_weight weight': (
        lambda x, t, p, w: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=p),
        [randn(3, 4) * 3, torch.rand(3, 4), torch.rand(4) + 0.5, torch.rand(3, 1) + 0.5], [0]),
    'l1_loss': (F.l1_loss, [randn(3, 4), randn(3, 4)], [0, 1]),
    'smooth_l1_loss beta 0.5': (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [randn(3, 4), randn(3, 4)], [0, 1]),
    'huber_loss delta 1.5 sum': (lambda a, b: F.huber_loss(a, b, delta=1.5, reduction='sum'), [randn(3, 4) * 2, randn(3, 4)], [0, 1]),
    # matmul
    'matmul batched broadcast': (torch.matmul, [randn(2, 1, 3, 4), randn(3, 4, 2)], [0, 1]),
}


def tensor_json(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


def main():
    cases = []
    for name, (fn, inputs, wrt) in CASES.items():
        inputs = [x.clone().requires_grad_(i in wrt) for i, x in enumerate(inputs)]
        out = fn(*inputs)
        case = {'name': name, 'inputs': [tensor_json(x) for x in inputs], 'output': tensor_json(out), 'wrt': wrt}
        if wrt:
            g = torch.randn_like(out)
            grads = torch.autograd.grad((out * g).sum(), [inputs[i] for i in wrt])
            case.update({'g': tensor_json(g), 'grads': [tensor_json(d) for d in grads]})
        cases.append(case)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}: {len(cases)} cases (torch {torch.__version__})')


main()
