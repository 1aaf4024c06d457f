#!/usr/bin/python3
"""Untrained torchvision VGG-16 and ResNet-18 as ONNX, to look at the analyze and prune
charts on real layer graphs and names (docs/design/charts.md). Weights come from
torch.manual_seed(0); the files (47 MB, 553 MB) are for local use, never committed.

Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3):
    /usr/bin/python3 scripts/export_torchvision.py OUT_DIR
    node bin/rampart.js analyze OUT_DIR/resnet18.onnx --at 0.5,0.9,0.95 --html r18.html
"""
import os
import sys

import torch
import torchvision


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else '.'
    os.makedirs(out, exist_ok=True)
    for name, ctor in [('resnet18', torchvision.models.resnet18), ('vgg16', torchvision.models.vgg16)]:
        torch.manual_seed(0)
        model = ctor(weights=None).eval()
        path = os.path.join(out, f'{name}.onnx')
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, opset_version=14,
                          input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'N'}})
        print(path)


if __name__ == '__main__':
    main()
