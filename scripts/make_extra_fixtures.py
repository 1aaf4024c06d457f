#!/usr/bin/python3
"""Extra PyTorch-exported fixtures (test/fixtures/extra/): exports unlike the main set,
so that nothing works only for the fixtures at hand.

Run from the repository root with the Debian python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 scripts/make_extra_fixtures.py

    gru_opset11   GRU(28->20), batch_first, exported at opset 11 (Squeeze/Unsqueeze axes as attributes)
    lstm_time_major  LSTM(28->16) with batch_first=False: input [28, N, 28], Softmax head, opset 13
    cnn_stride2   Conv stride 2, grouped Conv stride 2, Sigmoid, AvgPool2d (PyTorch exports it as
                  Pad + AveragePool), LogSoftmax head, opset 12

Same conventions as scripts/make_torch_fixtures.py (fixed seeds, untrained weights, batch 3,
atomic writes, manifest.json mapping graph names to files).
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

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


def export(name, model, x, opset, batch_axis, description, manifest):
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT_DIR, name + '.onnx')

    def write(tmp):
        torch.onnx.export(model, (x,), tmp, opset_version=opset, input_names=['input'], output_names=['output'],
                          dynamic_axes={'input': {batch_axis: 'N'}, 'output': {0: 'N'}})
        onnx.checker.check_model(onnx.load(tmp))
    atomic_write(path, write)
    save_npy(os.path.join(OUT_DIR, name + '.input.npy'), x.numpy())
    save_npy(os.path.join(OUT_DIR, name + '.output.npy'), y.numpy())
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    manifest[name] = {'model': name + '.onnx', 'opset': opset, 'inputs': {'input': name + '.input.npy'},
                      'outputs': {'output': name + '.output.npy'}, 'ops': ops, 'description': description}
    print(f'{name}: opset {opset}, ops {ops}, {os.path.getsize(path)} B')


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)
    manifest = {}
    gen = lambda seed: torch.Generator().manual_seed(seed)  # noqa: E731
    torch.manual_seed(3000)
    export('gru_opset11', GRUClassifier(), torch.rand(BATCH, 28, 28, generator=gen(3001)), 11, 0,
           'GRU(28->20), batch_first, Linear(20->10); opset 11', manifest)
    torch.manual_seed(3100)
    export('lstm_time_major', TimeMajorLSTM(), torch.rand(28, BATCH, 28, generator=gen(3101)), 13, 1,
           'LSTM(28->16), batch_first=False ([T, N, 28] input), Linear(16->10), Softmax; opset 13', manifest)
    torch.manual_seed(3200)
    export('cnn_stride2', StrideCNN(), torch.rand(BATCH, 1, 28, 28, generator=gen(3201)), 12, 0,
           'Conv s2, grouped Conv s2, Sigmoid, AvgPool2d (Pad + AveragePool), Linear(108->10), LogSoftmax; opset 12',
           manifest)

    def write_manifest(tmp):
        with open(tmp, 'w') as f:
            json.dump({'generator': 'scripts/make_extra_fixtures.py', 'torch': torch.__version__,
                       'onnx': onnx.__version__, 'fixtures': manifest}, f, indent=2)
            f.write('\n')
    atomic_write(os.path.join(OUT_DIR, 'manifest.json'), write_manifest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
