#!/usr/bin/python3
"""torchvision's ImageFolder + DataLoader on a folder dataset, timed as `alexnet bench --data`
times this app's pipeline: one epoch of the training images, shuffled, through the training
transforms of the paper's pipeline (shorter side to 256, centre 256x256, random 227x227 crop,
horizontal flip, to tensor, normalise; torchvision has no PCA colour jitter, so it does a
little less work), with the batch size and worker count given.

    bench_torchvision_data.py DIR [--batch 16] [--workers 1] [--size 227]

Prints one line of JSON: data_images_per_second, data_seconds, peak_rss_mib (this process
and, separately, the largest worker process). Needs Debian's python3-torchvision
(/usr/bin/python3).
"""
import argparse
import json
import resource
import time

import torch
from torchvision import datasets, transforms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--size", type=int, default=227)
    a = ap.parse_args()
    torch.set_num_threads(1)
    tf = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(256),
        transforms.RandomCrop(a.size),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    t0 = time.perf_counter()
    ds = datasets.ImageFolder(a.dir, transform=tf)
    index_s = time.perf_counter() - t0
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True,
                                         num_workers=a.workers, drop_last=False)
    t0 = time.perf_counter()
    images = 0
    for x, _ in loader:
        images += x.shape[0]
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "library": "torchvision " + __import__("torchvision").__version__,
        "batch": a.batch,
        "workers": a.workers,
        "data_images": images,
        "index_seconds": index_s,
        "data_seconds": seconds,
        "data_images_per_second": images / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "worker_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
