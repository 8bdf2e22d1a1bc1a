#!/usr/bin/python3
"""Writes tests/golden/resize.bin: small 8-bit images and what Pillow's bilinear resize
(Image.resize(..., Image.BILINEAR), the filter torchvision's Resize uses on PIL images) makes of
them. The C resampler (an_image_resize) must agree within one level per pixel
(tests/data/test-resize.c).

Usage: /usr/bin/python3 tools/resize_golden.py tests/golden   (Debian's python3-pil)

Format: the golden-file format of tests/golden/README.md (float64 tensors). Per case:
  <case>.src  channels x height x width, the source pixels (0..255)
  <case>.out  channels x out_height x out_width, Pillow's result
"""
import os
import struct
import sys

from PIL import Image

MAGIC = b"ANGOLD01"
VERSION = 1

# name, channels, source height x width, destination height x width, pattern
CASES = [
    ("noise_down", 3, (24, 35), (7, 10), "noise"),        # shrink by 3.4 and 3.5
    ("noise_down_odd", 1, (40, 30), (7, 9), "noise"),     # by 5.7 and 3.3
    ("noise_up", 3, (7, 9), (15, 20), "noise"),           # enlarge (plain bilinear)
    ("one_axis", 1, (30, 40), (30, 13), "ramp"),          # width only
    ("checker_down", 1, (32, 32), (5, 7), "checker"),     # a 1-pixel checkerboard
    ("mixed", 1, (12, 50), (30, 7), "noise"),             # taller and narrower
]


def lcg_bytes(seed, count):
    """Deterministic bytes from a 32-bit LCG (Numerical Recipes' constants), high byte."""
    state = seed & 0xFFFFFFFF
    out = bytearray()
    for _ in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out.append(state >> 24)
    return bytes(out)


def pattern(kind, channels, h, w, seed):
    """Interleaved (HWC) bytes."""
    if kind == "noise":
        return lcg_bytes(seed, h * w * channels)
    out = bytearray()
    for y in range(h):
        for x in range(w):
            for c in range(channels):
                if kind == "checker":
                    out.append(255 if (x + y) % 2 else 0)
                else:
                    out.append((7 * x + 3 * y + 40 * c) % 256)
    return bytes(out)


def chw(data, channels, h, w):
    return [data[(y * w + x) * channels + c]
            for c in range(channels) for y in range(h) for x in range(w)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: resize_golden.py OUTPUT_DIR")
    tensors = []
    for seed, (name, channels, (h, w), (oh, ow), kind) in enumerate(CASES, start=1):
        data = pattern(kind, channels, h, w, seed)
        img = Image.frombytes("L" if channels == 1 else "RGB", (w, h), data)
        out = img.resize((ow, oh), Image.BILINEAR)
        tensors.append((name + ".src", (channels, h, w), chw(data, channels, h, w)))
        tensors.append((name + ".out", (channels, oh, ow), chw(out.tobytes(), channels, oh, ow)))
    path = os.path.join(sys.argv[1], "resize.bin")
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<II", VERSION, len(tensors)))
        for name, dims, values in tensors:
            encoded = name.encode("utf-8")
            f.write(struct.pack("<I", len(encoded)))
            f.write(encoded)
            f.write(struct.pack("<I", len(dims)))
            f.write(struct.pack("<%dI" % len(dims), *dims))
            f.write(struct.pack("<%dd" % len(values), *[float(v) for v in values]))
    print("wrote %s: %d tensors, %d bytes" % (path, len(tensors), os.path.getsize(path)))


if __name__ == "__main__":
    main()
