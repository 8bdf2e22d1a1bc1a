"""Builds PyTorch modules from AlexNet Studio preset files (resources/models/*.preset).

An independent reading of the preset format, used by bench_pytorch.py and param_counts.py:
conv (groups), relu, lrn (PyTorch's LocalResponseNorm, applied per channel group so that
windows stay inside a tower), maxpool, avgpool (adaptive), dropout, flatten, linear.
"""
import os

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class GroupLRN(nn.Module):
    def __init__(self, size, alpha, beta, k, groups):
        super().__init__()
        self.groups = groups
        self.lrn = nn.LocalResponseNorm(size, alpha=alpha, beta=beta, k=k)

    def forward(self, x):
        if self.groups == 1:
            return self.lrn(x)
        return torch.cat([self.lrn(p) for p in x.chunk(self.groups, dim=1)], dim=1)


def parse(path):
    header, layers = {}, []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            tok = line.split()
            if tok[0] in ("name", "description", "input", "towers"):
                header[tok[0]] = tok[1:]
                continue
            fields = dict(t.split("=", 1) for t in tok[2:])
            layers.append((tok[0], tok[1], fields))
    return header, layers


def build(name_or_path, classes, channels=3, lrn="code", dropout=0.5):
    path = name_or_path
    if not os.path.exists(path):
        path = os.path.join(ROOT, "resources", "models", name_or_path + ".preset")
    header, layers = parse(path)
    c = channels if header["input"][0] == "data" else int(header["input"][0])
    h, w = int(header["input"][1]), int(header["input"][2])
    mods, in_c, flat = [], c, None
    x = torch.zeros(1, c, h, w)
    for kind, lname, f in layers:
        if kind == "conv":
            out = classes if f["out"] == "classes" else int(f["out"])
            m = nn.Conv2d(in_c, out, int(f["k"]), int(f.get("s", 1)), int(f.get("p", 0)),
                          groups=int(f.get("groups", 1)))
            in_c = out
        elif kind == "relu":
            m = nn.ReLU(inplace=False)
        elif kind == "lrn":
            size = int(f.get("size", 5))
            alpha = float(f.get("alpha", 1e-4))
            # PyTorch divides alpha by size: the "code" convention; the paper's text has no 1/n
            torch_alpha = alpha if lrn == "code" else alpha * size
            m = GroupLRN(size, torch_alpha, float(f.get("beta", 0.75)), float(f.get("k", 2)),
                         int(f.get("groups", 1)))
        elif kind == "maxpool":
            k = int(f["k"])
            m = nn.MaxPool2d(k, int(f.get("s", k)))
        elif kind == "avgpool":
            m = nn.AdaptiveAvgPool2d((int(f["oh"]), int(f["ow"])))
        elif kind == "dropout":
            m = nn.Dropout(float(f.get("p", dropout)))
        elif kind == "flatten":
            m = nn.Flatten()
        elif kind == "linear":
            out = classes if f["out"] == "classes" else int(f["out"])
            m = nn.Linear(x.numel(), out)
        else:
            raise ValueError(f"{path}: unknown layer kind {kind}")
        x = m(x)
        mods.append((lname, m))
    model = nn.Sequential()
    for lname, m in mods:
        model.add_module(lname, m)
    return model, (c, h, w)
