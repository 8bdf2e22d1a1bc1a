#!/usr/bin/python3
"""Writes tests/golden/pipeline.txt: where each input pipeline (docs/DATA.md, "Pipelines")
takes its crops, computed by torchvision's own code. tests/data/test-pipeline.c checks
an_pipeline_geometry against every line.

Usage: /usr/bin/python3 tools/pipeline_golden.py tests/golden/pipeline.txt
Needs Debian's python3-torchvision (0.14). Deterministic.

The sizes come from torchvision.transforms.functional (Resize's output size, center_crop,
five_crop applied to images whose values are their own coordinates); the random crops from
torchvision's RandomCrop.get_params and RandomResizedCrop.get_params run with their `torch`
replaced by a stand-in that hands out the app's counter-based uniforms (src/engine/an-rng.h,
re-implemented below) instead of torch's generator:
  crop y, crop x, flip  uniform(seed, stream(AUGMENT, 0, epoch), 4 i + 0, 1, 2)
  RandomResizedCrop     uniform(seed, stream(AUGMENT, 2, epoch), 40 i + 4 attempt + k),
                        k = 0 scale, 1 log-ratio, 2 top, 3 left
torch.empty(1).uniform_(a, b) becomes a + (b - a) u and torch.randint(0, n) floor(u n), in
float64 (the C side computes in double too).

Line format (one per case):
  pipeline H W h w train view seed epoch image -> base_h base_w y x crop_h crop_w flip
"""

import math
import sys

import torch
import torchvision.transforms as T
import torchvision.transforms.transforms as TT
import torchvision.transforms.functional as F

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
AUGMENT = 4
PAD = 4


def mix64(z):
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def stream(kind, layer, step):
    return ((kind << 56) | ((layer & 0xFFFF) << 40) | (step & 0xFFFFFFFFFF)) & MASK64


def uniform(seed, strm, index):
    key = mix64(seed ^ mix64((strm + GOLDEN) & MASK64))
    return (mix64((key + index * GOLDEN) & MASK64) >> 40) / 16777216.0


class Item:
    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


class Uniform:
    def __init__(self, torch_shim):
        self.shim = torch_shim

    def uniform_(self, lo, hi):
        return Item(float(lo) + (float(hi) - float(lo)) * self.shim.next_uniform())


class TorchShim:
    """What the get_params functions use of torch, with the app's random numbers."""

    def __init__(self, draws):
        self.draws = draws  # callable: (kind, attempt, k) -> uniform
        self.empties = 0
        self.randints = 0

    # RandomResizedCrop: two uniform_ per attempt, then two randint when it fits
    def next_uniform(self):
        attempt, k = divmod(self.empties, 2)
        self.empties += 1
        return self.draws("rrc", attempt, k)

    def empty(self, *size):
        return Uniform(self)

    def tensor(self, values):
        return list(values)

    def log(self, values):
        return [math.log(v) for v in values]

    def exp(self, value):
        return Item(math.exp(value.item() if isinstance(value, Item) else value))

    def randint(self, lo, hi, size=None):
        n = self.randints
        self.randints += 1
        if self.empties:  # RandomResizedCrop: top and left of the attempt that fitted
            u = self.draws("rrc", (self.empties - 1) // 2, 2 + n)
        else:  # RandomCrop: top, then left
            u = self.draws("crop", 0, n)
        return Item(lo + math.floor(u * (hi - lo)))


def with_shim(shim, fn):
    saved = TT.torch
    TT.torch = shim
    try:
        return fn()
    finally:
        TT.torch = saved


def coords(h, w):
    """A (2, h, w) image whose values are their own (y, x)."""
    ys = torch.arange(h, dtype=torch.int32).view(h, 1).expand(h, w)
    xs = torch.arange(w, dtype=torch.int32).view(1, w).expand(h, w)
    return torch.stack([ys, xs])


def corner(img):
    return int(img[0, 0, 0]), int(img[1, 0, 0])


def views(base_h, base_w, H, W):
    """top-left corners of tl, tr, bl, br, centre (torchvision's FiveCrop)"""
    return [corner(c) for c in F.five_crop(coords(base_h, base_w), [H, W])]


def geometry(pipeline, H, W, h, w, train, view, seed, epoch, image):
    def draws(kind, attempt, k):
        if kind == "rrc":
            return uniform(seed, stream(AUGMENT, 2, epoch), 40 * image + 4 * attempt + k)
        return uniform(seed, stream(AUGMENT, 0, epoch), 4 * image + k)

    flip = (uniform(seed, stream(AUGMENT, 0, epoch), 4 * image + 2) < 0.5) if train else view >= 5
    S = max(256, H, W)
    if pipeline == "pad-crop":
        if train:
            i, j, _, _ = with_shim(TorchShim(draws),
                                   lambda: T.RandomCrop.get_params(coords(H + 2 * PAD, W + 2 * PAD), (H, W)))
        else:
            i, j = views(H + 2 * PAD, W + 2 * PAD, H, W)[view % 5]
        return (H, W, i - PAD, j - PAD, H, W, flip)
    if pipeline == "torchvision":
        if train:
            i, j, ch, cw = with_shim(TorchShim(draws), lambda: T.RandomResizedCrop.get_params(
                coords(h, w), [0.08, 1.0], [3.0 / 4.0, 4.0 / 3.0]))
            return (h, w, i, j, ch, cw, flip)
        bh, bw = F._compute_resized_output_size((h, w), [S])
        i, j = views(bh, bw, H, W)[view % 5]
        return (bh, bw, i, j, H, W, flip)
    # paper
    bh, bw = F._compute_resized_output_size((h, w), [S])
    sy, sx = corner(F.center_crop(coords(bh, bw), [S, S]))
    if train:
        i, j, _, _ = with_shim(TorchShim(draws), lambda: T.RandomCrop.get_params(coords(S, S), (H, W)))
    else:
        i, j = views(S, S, H, W)[view % 5]
    return (bh, bw, sy + i, sx + j, H, W, flip)


def main():
    out = open(sys.argv[1] if len(sys.argv) > 1 else "tests/golden/pipeline.txt", "w")
    out.write("# tools/pipeline_golden.py: pipeline H W h w train view seed epoch image -> "
              "base_h base_w y x crop_h crop_w flip\n")
    sizes = [(256, 256), (375, 500), (500, 375), (300, 256), (256, 257), (1000, 200),
             (40, 1000), (227, 227), (28, 28), (32, 32), (4000, 3000)]
    inputs = {"pad-crop": [(32, 32), (28, 28)], "paper": [(227, 227), (224, 224)],
              "torchvision": [(224, 224), (227, 227)]}
    seed = 1234
    for pipeline, ins in inputs.items():
        for H, W in ins:
            for h, w in sizes:
                if pipeline == "pad-crop" and (h, w) not in [(28, 28), (32, 32), (256, 256)]:
                    continue
                for epoch in (0, 3):
                    for image in (0, 1, 7, 1000):
                        g = geometry(pipeline, H, W, h, w, True, 0, seed, epoch, image)
                        out.write(f"{pipeline} {H} {W} {h} {w} 1 0 {seed} {epoch} {image} -> "
                                  + " ".join(str(int(v)) for v in g) + "\n")
                for view in range(10):
                    g = geometry(pipeline, H, W, h, w, False, view, seed, 0, 0)
                    out.write(f"{pipeline} {H} {W} {h} {w} 0 {view} {seed} 0 0 -> "
                              + " ".join(str(int(v)) for v in g) + "\n")
    out.close()


if __name__ == "__main__":
    main()
