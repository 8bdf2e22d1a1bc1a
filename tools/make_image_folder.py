#!/usr/bin/python3
"""Writes a folder dataset of generated JPEGs for benchmarks: OUT/<class>/<n>.jpg.

    make_image_folder.py OUT COUNT [--size 256x256] [--classes 10] [--quality 90]

Each image is a smooth colour field with noise and a few shapes (so that JPEG sizes are
close to photos'), drawn from a seeded generator: the same arguments give the same files.
Never commit its output.
"""
import argparse
import os
import random

from PIL import Image, ImageDraw, ImageFilter


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("count", type=int)
    ap.add_argument("--size", default="256x256")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--quality", type=int, default=90)
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    rng = random.Random(1)
    noise = [Image.effect_noise((w, h), 40 + 10 * k) for k in range(4)]
    for c in range(a.classes):
        os.makedirs(os.path.join(a.out, "class%03d" % c), exist_ok=True)
    for i in range(a.count):
        c = i % a.classes
        base = Image.new("RGB", (w, h), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        d = ImageDraw.Draw(base)
        for _ in range(6):
            x0, y0 = rng.randrange(w), rng.randrange(h)
            x1, y1 = x0 + rng.randrange(w // 2), y0 + rng.randrange(h // 2)
            d.ellipse((x0, y0, x1, y1), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        base = base.filter(ImageFilter.GaussianBlur(3))
        grain = noise[i % 4].convert("RGB")
        img = Image.blend(base, grain, 0.15)
        img.save(os.path.join(a.out, "class%03d" % c, "%06d.jpg" % i), quality=a.quality)


if __name__ == "__main__":
    main()
