#!/usr/bin/python3
"""PyTorch-exported ONNX fixtures for the compiled-target tests (test/targets/fixtures/).

Run from the repository root with the Debian python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 test/targets/make_fixtures.py

The models are what the C target used to refuse: ReLU6 / hardtanh / clamp (exported as
Clip, with bounds as inputs from opset 11 and as attributes before it) in a
MobileNet-style block (strided conv, BatchNorm, depthwise and pointwise convs), and 1-D
convolutions and pools over a [N, 28, 28] sequence (channels 28, length 28). Fixed
seeds, untrained weights; for each <name>: <name>.onnx (batch dim 'N'),
<name>.input.npy (batch 3) and <name>.output.npy (PyTorch's output), written to a
temporary name and renamed.
"""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


class MobileBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU6())
        self.pw = nn.Conv2d(8, 16, 1)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.dw(self.stem(x))
        x = nn.functional.hardtanh(self.pw(x), -0.5, 0.5)    # Clip(-0.5, 0.5)
        x = torch.clamp(x.mean(dim=(2, 3)), min=-0.25)       # Clip with a min only
        return self.head(x)


class Conv1dNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(28, 16, 5, padding=2)
        self.pool = nn.MaxPool1d(2)
        self.c2 = nn.Conv1d(16, 16, 3, stride=2, dilation=2, groups=2, padding=1)
        self.avg = nn.AvgPool1d(3, stride=1, padding=1, count_include_pad=False)
        self.head = nn.Linear(16 * 6, 10)

    def forward(self, x):                                     # x: [N, 28 channels, 28 steps]
        x = self.pool(torch.relu(self.c1(x)))
        x = self.avg(nn.functional.relu6(self.c2(x)))
        return self.head(x.flatten(1))


def save(name, model, x, opset):
    model.eval()
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name)
    torch.onnx.export(model, x, path + '.onnx.tmp', opset_version=opset, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'N'}, 'output': {0: 'N'}})
    os.replace(path + '.onnx.tmp', path + '.onnx')
    for kind, t in (('input', x), ('output', y)):
        with open(path + f'.{kind}.npy.tmp', 'wb') as f:
            np.save(f, t.numpy().astype(np.float32))
        os.replace(path + f'.{kind}.npy.tmp', path + f'.{kind}.npy')


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(12)
    mobile = MobileBlock()
    with torch.no_grad():  # BatchNorm statistics that are not the identity
        mobile.stem[1].running_mean.uniform_(-0.2, 0.2)
        mobile.stem[1].running_var.uniform_(0.5, 1.5)
    x = torch.rand(3, 1, 28, 28)
    save('mobile_relu6', mobile, x, 14)
    save('mobile_relu6_opset10', mobile, x, 10)
    torch.manual_seed(13)
    save('conv1d', Conv1dNet(), torch.randn(3, 28, 28), 14)


if __name__ == '__main__':
    main()
