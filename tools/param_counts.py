#!/usr/bin/python3
"""Writes tests/golden/param-counts.txt: each built-in preset's parameter count in PyTorch.

Run with Debian's python3-torch: /usr/bin/python3 tools/param_counts.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_presets  # noqa: E402

CASES = [("alexnet-2012", 1000, 3), ("alexnet-tv", 1000, 3), ("alexnet-cifar", 10, 3),
         ("alexnet-cifar", 10, 1), ("alexnet-tiny", 10, 1), ("alexnet-tiny", 10, 3)]

out = os.path.join(torch_presets.ROOT, "tests", "golden", "param-counts.txt")
with open(out, "w") as f:
    f.write("# preset classes channels parameters (PyTorch, tools/param_counts.py)\n")
    for name, classes, channels in CASES:
        model, _ = torch_presets.build(name, classes, channels)
        n = sum(p.numel() for p in model.parameters())
        f.write(f"{name} {classes} {channels} {n}\n")
print(open(out).read(), end="")
