#!/usr/bin/python3
"""Extra PyTorch-exported fixtures (test/fixtures/extra/): exports unlike the main set,
so that nothing works only for the fixtures at hand.

Run from the repository root with the Debian python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 scripts/make_extra_fixtures.py [NAME ...]   # all, or only the named ones

    gru_opset11   GRU(28->20), batch_first, exported at opset 11 (Squeeze/Unsqueeze axes as attributes)
    lstm_time_major  LSTM(28->16) with batch_first=False: input [28, N, 28], Softmax head, opset 13
    cnn_stride2   Conv stride 2, grouped Conv stride 2, Sigmoid, AvgPool2d (PyTorch exports it as
                  Pad + AveragePool), LogSoftmax head, opset 12
    gru_batch1    GRU(28->20) exported at a fixed batch of 1: its zero initial state becomes
                  Expand(0, [1, 1, 20]); opset 14
    edge_ops      Conv, Resize nearest x2 (asymmetric, floor) + bilinear x2 (half_pixel) + bilinear
                  to a size with align_corners, LayerNorm, GELU (Erf), HardSwish, HardSigmoid,
                  Where on a constant mask, ReduceMean; opset 17 (LayerNormalization's first)

Same conventions as scripts/make_torch_fixtures.py (fixed seeds, untrained weights, batch 3
unless the export fixes the batch, atomic writes, manifest.json mapping graph names to files).
Exporting a subset keeps the other entries of manifest.json.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import atomic_write, save_npy  # noqa: E402

BATCH = 3
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'extra')


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(28, 20, batch_first=True)
        self.head = nn.Linear(20, 10)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1, :])


class TimeMajorLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(28, 16)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        y, _ = self.rnn(x)
        return torch.softmax(self.head(y[-1]), dim=-1)


class StrideCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(6, 12, 3, stride=2, padding=1, groups=2)
        self.pool = nn.AvgPool2d(2)
        self.head = nn.Linear(12 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(torch.sigmoid(self.c2(torch.relu(self.c1(x)))))
        return torch.log_softmax(self.head(x.flatten(1)), dim=1)


class GRUBatch1(GRUClassifier):
    """The GRU classifier again; exported at a fixed batch of 1, its h0 is an Expand."""


class EdgeOps(nn.Module):
    """The ops PyTorch writes for small vision/audio models, on a [N, 1, 8, 8] input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.norm = nn.LayerNorm(8)
        self.gelu = nn.GELU()
        self.hswish = nn.Hardswish()
        self.hsig = nn.Hardsigmoid()
        # A fixed mask (an attention-style bool constant): exported as a bool initializer.
        self.register_buffer('mask', torch.rand(1, 113, 8, generator=torch.Generator().manual_seed(3301)) > 0.4)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        y = self.conv(x)                                                    # [N, 8, 4, 4]
        a = F.interpolate(y, scale_factor=2, mode='nearest')               # [N, 8, 8, 8]
        b = F.interpolate(y, scale_factor=2, mode='bilinear', align_corners=False)
        c = F.interpolate(y, size=(7, 7), mode='bilinear', align_corners=True)
        t = torch.cat([(a + b).flatten(2), c.flatten(2)], dim=2).transpose(1, 2)  # [N, 113, 8]
        t = self.gelu(self.norm(t))
        t = torch.where(self.mask, self.hswish(t), self.hsig(t) * t)
        t = t.mean(dim=1)                                                   # [N, 8]
        return self.head(t - t.mean(dim=-1, keepdim=True))


def export(name, model, x, opset, batch_axis, description, manifest):
    """batch_axis: the input axis exported as the symbolic batch 'N', or None for a fixed batch."""
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT_DIR, name + '.onnx')
    dynamic = None if batch_axis is None else {'input': {batch_axis: 'N'}, 'output': {0: 'N'}}

    def write(tmp):
        torch.onnx.export(model, (x,), tmp, opset_version=opset, input_names=['input'], output_names=['output'],
                          dynamic_axes=dynamic)
        onnx.checker.check_model(onnx.load(tmp))
    atomic_write(path, write)
    save_npy(os.path.join(OUT_DIR, name + '.input.npy'), x.numpy())
    save_npy(os.path.join(OUT_DIR, name + '.output.npy'), y.numpy())
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    manifest[name] = {'model': name + '.onnx', 'opset': opset, 'inputs': {'input': name + '.input.npy'},
                      'outputs': {'output': name + '.output.npy'}, 'batch': 'N' if dynamic else x.shape[0],
                      'ops': ops, 'description': description}
    print(f'{name}: opset {opset}, ops {ops}, {os.path.getsize(path)} B')


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)
    manifest_path = os.path.join(OUT_DIR, 'manifest.json')
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)['fixtures']
    gen = lambda seed: torch.Generator().manual_seed(seed)  # noqa: E731

    def gru_opset11():
        torch.manual_seed(3000)
        export('gru_opset11', GRUClassifier(), torch.rand(BATCH, 28, 28, generator=gen(3001)), 11, 0,
               'GRU(28->20), batch_first, Linear(20->10); opset 11', manifest)

    def lstm_time_major():
        torch.manual_seed(3100)
        export('lstm_time_major', TimeMajorLSTM(), torch.rand(28, BATCH, 28, generator=gen(3101)), 13, 1,
               'LSTM(28->16), batch_first=False ([T, N, 28] input), Linear(16->10), Softmax; opset 13', manifest)

    def cnn_stride2():
        torch.manual_seed(3200)
        export('cnn_stride2', StrideCNN(), torch.rand(BATCH, 1, 28, 28, generator=gen(3201)), 12, 0,
               'Conv s2, grouped Conv s2, Sigmoid, AvgPool2d (Pad + AveragePool), Linear(108->10), LogSoftmax; opset 12',
               manifest)

    def gru_batch1():
        torch.manual_seed(3400)
        export('gru_batch1', GRUBatch1(), torch.rand(1, 28, 28, generator=gen(3401)), 14, None,
               'GRU(28->20), batch_first, Linear(20->10) at a fixed batch of 1 (h0 = Expand); opset 14', manifest)

    def edge_ops():
        torch.manual_seed(3300)
        export('edge_ops', EdgeOps(), torch.rand(BATCH, 1, 8, 8, generator=gen(3302)) * 2 - 1, 17, 0,
               'Conv s2, Resize nearest/bilinear/align_corners, LayerNorm, GELU (Erf), HardSwish, HardSigmoid, '
               'Where, ReduceMean, Linear(8->10); opset 17', manifest)

    builders = {f.__name__: f for f in (gru_opset11, lstm_time_major, cnn_stride2, gru_batch1, edge_ops)}
    wanted = sys.argv[1:] or list(builders)
    unknown = [n for n in wanted if n not in builders]
    if unknown:
        print(f'unknown fixture(s) {unknown}; known: {list(builders)}', file=sys.stderr)
        return 2
    for n in wanted:
        builders[n]()

    def write_manifest(tmp):
        with open(tmp, 'w') as f:
            json.dump({'generator': 'scripts/make_extra_fixtures.py', 'torch': torch.__version__,
                       'onnx': onnx.__version__, 'fixtures': manifest}, f, indent=2)
            f.write('\n')
    atomic_write(manifest_path, write_manifest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
