#!/usr/bin/python3
"""Times the AlexNet Studio presets in PyTorch the way `alexnet bench` times them.

Median over --steps of one training step (forward, cross-entropy, backward, SGD with momentum
0.9 and weight decay 5e-4) and of one inference forward, after warm-up steps; peak RSS.
  /usr/bin/python3 tools/bench_pytorch.py --model alexnet-cifar --batch 128 --steps 10 --threads 2
Prints one JSON object with the same keys as `alexnet bench --json`.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch_presets  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="alexnet-tiny")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--classes", type=int, default=0)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    classes = a.classes
    model, (c, h, w) = torch_presets.build(a.model, 10, a.channels)
    if classes == 0:
        classes = 1000 if h >= 200 else 10
    model, (c, h, w) = torch_presets.build(a.model, classes, a.channels)
    model = model.to(dev)
    x = torch.randn(a.batch, c, h, w, device=dev)
    y = torch.arange(a.batch, device=dev) % classes
    opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9, weight_decay=5e-4)
    loss_fn = torch.nn.CrossEntropyLoss()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    model.train()
    train = []
    for s in range(a.steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sync()
        if s >= 2:
            train.append(time.perf_counter() - t0)
    model.eval()
    infer = []
    with torch.no_grad():
        for s in range(a.steps + 1):
            t0 = time.perf_counter()
            model(x)
            sync()
            if s >= 1:
                infer.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out = {
        "model": a.model, "device": a.device, "batch": a.batch, "steps": a.steps,
        "threads": torch.get_num_threads(), "framework": f"pytorch {torch.__version__}",
        "params": sum(p.numel() for p in model.parameters()),
        "train_images_per_second": round(a.batch / statistics.median(train), 2),
        "infer_images_per_second": round(a.batch / statistics.median(infer), 2),
        "train_step_ms": round(1000 * statistics.median(train), 3),
        "peak_rss_mib": round(rss, 1),
    }
    if dev.type == "cuda":
        out["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
