#!/usr/bin/python3
"""PyTorch-exported ONNX fixtures for Rampart's tests (test/fixtures/).

Run from the repository root with the Debian python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 scripts/make_torch_fixtures.py

Every model gets fixed seeds and untrained (initial) weights; what matters here is that
the exporter's graph shape (Transpose around batch_first, Gather of the last step,
initial-state construction, BatchNorm in eval mode) and PyTorch's numbers are the
genuine article. For each fixture <name> it writes

    <name>.onnx          the exported model (opset 14, batch dimension 'N' dynamic)
    <name>.input.npy     the input, batch 3, float32
    <name>.output.npy    PyTorch's output for that input, float32

plus extra .npy files for the models with several inputs / outputs, all listed in
manifest.json (graph input/output name -> file). Files are written to a temporary name
and renamed, so an interrupted run leaves no half-written fixture.
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn
import onnx

OPSET = 14
BATCH = 3
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')


class SeqClassifier(nn.Module):
    """A recurrent layer over a batch-first [N, 28, 28] image read row by row
    (sequential MNIST), then a Linear head on the last step's output."""

    def __init__(self, cell, hidden, layers=1, bidirectional=False):
        super().__init__()
        rnn_cls = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[cell]
        kwargs = dict(input_size=28, hidden_size=hidden, num_layers=layers, batch_first=True,
                      bidirectional=bidirectional)
        if cell == 'rnn':
            kwargs['nonlinearity'] = 'tanh'
        self.rnn = rnn_cls(**kwargs)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 10)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1, :])


class StatefulLSTM(nn.Module):
    """An LSTM step function that takes and returns its state (h0, c0) -> (hn, cn),
    as a streaming deployment calls it chunk by chunk."""

    def __init__(self, hidden):
        super().__init__()
        self.rnn = nn.LSTM(input_size=28, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)

    def forward(self, x, h0, c0):
        y, (hn, cn) = self.rnn(x, (h0, c0))
        return self.head(y[:, -1, :]), hn, cn


class SmallCNN(nn.Module):
    """[N, 1, 28, 28] -> (conv, batchnorm, relu, maxpool) x 2 -> linear 10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def give_batchnorm_statistics(model, gen):
    # Fresh BatchNorm layers are the identity (mean 0, var 1, weight 1, bias 0), which
    # would let a kernel that ignores them pass: give them distinct values.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.rand(c, generator=gen) * 0.4 - 0.2)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.rand(c, generator=gen) * 0.2 - 0.1)


def atomic_write(path, write):
    tmp = path + '.tmp'
    write(tmp)
    os.replace(tmp, path)


def save_npy(path, array):
    def write(tmp):
        with open(tmp, 'wb') as f:
            np.save(f, np.ascontiguousarray(array, dtype=np.float32))
    atomic_write(path, write)


def export(name, model, inputs, input_names, output_names, manifest, opts=None):
    """Exports `model` and writes its inputs and PyTorch's outputs next to it."""
    opts = opts or {}
    model.eval()
    with torch.no_grad():
        outputs = model(*inputs)
    if not isinstance(outputs, tuple):
        outputs = (outputs,)
    dynamic = {n: {0: 'N'} for n in input_names + output_names}
    dynamic.update(opts.get('dynamic', {}))
    onnx_path = os.path.join(OUT_DIR, name + '.onnx')

    def write(tmp):
        torch.onnx.export(model, tuple(inputs), tmp, opset_version=OPSET, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic,
                          do_constant_folding=opts.get('fold', True),
                          training=opts.get('training', torch.onnx.TrainingMode.EVAL))
        onnx.checker.check_model(onnx.load(tmp))
    atomic_write(onnx_path, write)

    files = {'model': name + '.onnx', 'inputs': {}, 'outputs': {}}
    for i, (n, t) in enumerate(zip(input_names, inputs)):
        fname = f'{name}.input.npy' if i == 0 else f'{name}.{n}.npy'
        save_npy(os.path.join(OUT_DIR, fname), t.numpy())
        files['inputs'][n] = fname
    for i, (n, t) in enumerate(zip(output_names, outputs)):
        fname = f'{name}.output.npy' if i == 0 else f'{name}.{n}.npy'
        save_npy(os.path.join(OUT_DIR, fname), t.numpy())
        files['outputs'][n] = fname
    ops = sorted({node.op_type for node in onnx.load(onnx_path).graph.node})
    files['ops'] = ops
    files['description'] = opts.get('description', '')
    manifest[name] = files
    print(f'{name}: ops {ops}, ' + ', '.join(
        f'{f} {os.path.getsize(os.path.join(OUT_DIR, f))} B' for f in
        [files['model']] + list(files['inputs'].values()) + list(files['outputs'].values())))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    manifest = {}
    torch.set_num_threads(1)

    def seq_input(seed):
        g = torch.Generator().manual_seed(seed)
        return torch.rand(BATCH, 28, 28, generator=g)  # pixel rows in [0, 1)

    specs = [
        ('lstm', dict(cell='lstm', hidden=32), 'LSTM(28->32), batch_first, Linear(32->10) on the last step'),
        ('gru', dict(cell='gru', hidden=32), 'GRU(28->32), batch_first, Linear(32->10) on the last step'),
        ('rnn_tanh', dict(cell='rnn', hidden=32), 'RNN tanh (28->32), batch_first, Linear(32->10)'),
        ('lstm_stacked', dict(cell='lstm', hidden=24, layers=2), '2-layer LSTM(28->24->24), Linear(24->10)'),
        ('lstm_bidir', dict(cell='lstm', hidden=24, bidirectional=True),
         'bidirectional LSTM(28->24 x2), Linear(48->10) on the last step'),
    ]
    for i, (name, kw, desc) in enumerate(specs):
        torch.manual_seed(1000 + i)
        export(name, SeqClassifier(**kw), [seq_input(2000 + i)], ['input'], ['logits'], manifest,
               {'description': desc})

    torch.manual_seed(1100)
    g = torch.Generator().manual_seed(2100)
    hidden = 16
    export('lstm_state', StatefulLSTM(hidden),
           [seq_input(2101), torch.rand(1, BATCH, hidden, generator=g) - 0.5,
            torch.rand(1, BATCH, hidden, generator=g) - 0.5],
           ['input', 'h0', 'c0'], ['logits', 'hn', 'cn'], manifest,
           {'description': 'LSTM(28->16) taking and returning its state (h0, c0) -> (hn, cn); Linear(16->10)',
            'dynamic': {'h0': {1: 'N'}, 'c0': {1: 'N'}, 'hn': {1: 'N'}, 'cn': {1: 'N'}}})

    torch.manual_seed(1200)
    cnn = SmallCNN()
    give_batchnorm_statistics(cnn, torch.Generator().manual_seed(2200))
    img = torch.rand(BATCH, 1, 28, 28, generator=torch.Generator().manual_seed(2201))
    # TrainingMode.EVAL would fold each BatchNorm into its Conv's weights; PRESERVE on a
    # model in eval mode keeps BatchNormalization as its own (inference-mode) node.
    export('cnn_bn', cnn, [img], ['input'], ['logits'], manifest,
           {'training': torch.onnx.TrainingMode.PRESERVE, 'description': '(Conv 3x3, BatchNorm, Relu, MaxPool 2) x 2, Linear(784->10); eval mode'})

    def write_manifest(tmp):
        with open(tmp, 'w') as f:
            json.dump({'generator': 'scripts/make_torch_fixtures.py', 'torch': torch.__version__,
                       'onnx': onnx.__version__, 'opset': OPSET, 'fixtures': manifest}, f, indent=2)
            f.write('\n')
    atomic_write(os.path.join(OUT_DIR, 'manifest.json'), write_manifest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
