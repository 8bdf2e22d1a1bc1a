#!/usr/bin/python3
"""Times the AlexNet Studio presets in PyTorch the way `alexnet bench` times them, alone or side
by side with `alexnet bench`.

Alone: the median over --steps of one training step (forward, cross-entropy, backward, SGD with
momentum 0.9 and weight decay 5e-4) and of one inference forward, after warm-up steps; peak RSS.
Prints one JSON object with the same keys as `alexnet bench --json`.
  /usr/bin/python3 tools/bench_pytorch.py --model alexnet-cifar --batch 128 --steps 10 --threads 2

Side by side (--compare): for every preset, --pairs pairs of runs, each pair one `alexnet bench`
and one PyTorch run in separate processes, the order alternating from pair to pair; the ratios
ours / PyTorch are taken within each pair and the table gives their median with the smallest and
largest. The SGEMM ceiling (tools/kernels/bench-sgemm: the fastest of OpenBLAS and oneDNN's SGEMM
at 1024^3) is measured between the pairs, and the
alexnet-cifar training rate is given as a share of it. Prints a Markdown table and every run.
  /usr/bin/python3 tools/bench_pytorch.py --compare --build build --threads 2
"""
import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# preset and batch of the comparison: the large presets at a batch that fits two cores' patience
PRESETS = "alexnet-tiny:128,alexnet-cifar:128,alexnet-tv:16,alexnet-2012:16"


def default_classes(h):
    return 1000 if h >= 200 else 10


def run_pytorch(a):
    import torch  # noqa: E402
    import torch_presets  # noqa: E402

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
        classes = default_classes(h)
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


def forward_gflop(model_name):
    """Multiply-adds x 2 of one image's forward pass through the convolutions and linear
    layers, counted from the PyTorch modules' shapes (an independent count)."""
    import torch  # noqa: E402
    import torch_presets  # noqa: E402

    model, (c, h, w) = torch_presets.build(model_name, 10, 3)
    model, (c, h, w) = torch_presets.build(model_name, default_classes(h), 3)
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, torch.nn.Conv2d):
            k = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
            total[0] += 2 * out.numel() * k
        elif isinstance(m, torch.nn.Linear):
            total[0] += 2 * m.in_features * m.out_features

    for m in model.modules():
        m.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, c, h, w))
    return total[0] / 1e9


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ceiling_now(sgemm, threads):
    """The fastest 1024^3 SGEMM this machine does right now on `threads` threads: OpenBLAS with
    the kernels the application selects, oneDNN's SGEMM (both from bench-sgemm), and OpenBLAS's
    AVX-512 kernels forced where the processor has AVX-512 and the environment chose others."""
    best = run_json([sgemm, str(threads), "11"])["ceiling_gflops"]
    with open("/proc/cpuinfo") as f:
        avx512 = " avx512f " in f.read()
    if avx512 and os.environ.get("OPENBLAS_CORETYPE", "").lower() != "skylakex":
        env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")
        out = subprocess.run([sgemm, str(threads), "11"], check=True, capture_output=True,
                             text=True, env=env).stdout
        best = max(best, json.loads(out.strip().splitlines()[-1])["ceiling_gflops"])
    return best


def spread(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def compare(a):
    here = os.path.dirname(os.path.abspath(__file__))
    alexnet = os.path.join(a.build, "src", "cli", "alexnet")
    sgemm = os.path.join(a.build, "tools", "kernels", "bench-sgemm")
    threads = a.threads if a.threads > 0 else os.cpu_count()
    model_info = ""
    try:
        with open("/proc/cpuinfo") as f:
            model_info = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        model_info = platform.processor()
    print(f"# {datetime.datetime.now().isoformat(timespec='minutes')}, {model_info}, "
          f"{os.cpu_count()} cores, {threads} threads, load {os.getloadavg()}")
    info = subprocess.run([alexnet, "info"], capture_output=True, text=True).stdout.splitlines()
    print("# " + " / ".join(l for l in info if l.startswith(("AlexNet", "BLAS", "CPU"))))

    ceilings, rows, raw = [], [], []
    for spec in a.models.split(","):
        name, batch = spec.split(":")
        ours_cmd = [alexnet, "bench", "--model", name, "--batch", batch, "--steps", str(a.steps),
                    "--threads", str(threads), "--json"]
        torch_cmd = [sys.executable, os.path.abspath(__file__), "--model", name, "--batch",
                     batch, "--steps", str(a.steps), "--threads", str(threads)]
        ours, theirs = [], []
        for pair in range(a.pairs):
            ceilings.append(ceiling_now(sgemm, threads))
            if pair % 2 == 0:
                ours.append(run_json(ours_cmd))
                theirs.append(run_json(torch_cmd))
            else:
                theirs.append(run_json(torch_cmd))
                ours.append(run_json(ours_cmd))
            print(f"# {name} pair {pair + 1}: ours {ours[-1]['train_images_per_second']:.1f} / "
                  f"{ours[-1]['infer_images_per_second']:.1f} img/s, PyTorch "
                  f"{theirs[-1]['train_images_per_second']:.1f} / "
                  f"{theirs[-1]['infer_images_per_second']:.1f}, load {os.getloadavg()[0]:.2f}",
                  flush=True)
        tr = [o["train_images_per_second"] / t["train_images_per_second"]
              for o, t in zip(ours, theirs)]
        ir = [o["infer_images_per_second"] / t["infer_images_per_second"]
              for o, t in zip(ours, theirs)]
        med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
        rows.append((name, batch, ours, theirs, tr, ir, med))
        raw.append((name, ours, theirs))

    print()
    print("| preset | batch | training img/s: ours / PyTorch | ratio (min-max) | "
          "inference img/s: ours / PyTorch | ratio (min-max) | peak RSS MiB: ours / PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for name, batch, ours, theirs, tr, ir, med in rows:
        print(f"| {name} | {batch} | {med(ours, 'train_images_per_second'):.1f} / "
              f"{med(theirs, 'train_images_per_second'):.1f} | {spread(tr)} | "
              f"{med(ours, 'infer_images_per_second'):.1f} / "
              f"{med(theirs, 'infer_images_per_second'):.1f} | {spread(ir)} | "
              f"{med(ours, 'peak_rss_mib'):.0f} / {med(theirs, 'peak_rss_mib'):.0f} |")
    print()
    ceiling = statistics.median(ceilings)
    print(f"SGEMM 1024^3 ceiling (the fastest of OpenBLAS and oneDNN): median {ceiling:.1f} GFLOP/s "
          f"({', '.join(f'{c:.1f}' for c in ceilings)})")
    for name, batch, ours, theirs, tr, ir, med in rows:
        if name == "alexnet-cifar":
            gflop = 3 * forward_gflop(name)
            rate = med(ours, "train_images_per_second") * gflop
            print(f"alexnet-cifar training: {gflop:.3f} GFLOP per image x "
                  f"{med(ours, 'train_images_per_second'):.1f} images/s = {rate:.1f} GFLOP/s, "
                  f"{100 * rate / ceiling:.0f}% of the ceiling")
    print()
    for name, ours, theirs in raw:
        fmt = lambda runs, key: ", ".join(f"{r[key]:.1f}" for r in runs)  # noqa: E731
        print(f"{name}: ours training {fmt(ours, 'train_images_per_second')}; inference "
              f"{fmt(ours, 'infer_images_per_second')}; RSS {fmt(ours, 'peak_rss_mib')}")
        print(f"{name}: PyTorch training {fmt(theirs, 'train_images_per_second')}; inference "
              f"{fmt(theirs, 'infer_images_per_second')}; RSS {fmt(theirs, 'peak_rss_mib')}")
    print(f"# done {datetime.datetime.now().isoformat(timespec='minutes')}, load "
          f"{os.getloadavg()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="alexnet-tiny")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--classes", type=int, default=0)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--compare", action="store_true",
                    help="run alexnet bench and PyTorch side by side on every preset")
    ap.add_argument("--build", default="build", help="--compare: the meson build directory")
    ap.add_argument("--models", default=PRESETS, help="--compare: preset:batch,...")
    ap.add_argument("--pairs", type=int, default=3, help="--compare: interleaved pairs")
    a = ap.parse_args()
    if a.compare:
        compare(a)
    else:
        run_pytorch(a)


if __name__ == "__main__":
    main()
