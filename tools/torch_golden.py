#!/usr/bin/python3
"""Writes the golden files of tests/golden: exact PyTorch (float64) values that the C tests
check the engine against.

  ops.bin         every op on small, odd shapes: forward values and every gradient
  model-micro.bin the tests/golden/micro.preset net: logits, loss, every gradient, 10 SGD steps

Usage: /usr/bin/python3 tools/torch_golden.py [OUTPUT_DIR]   (default: tests/golden)
Needs PyTorch (Debian's python3-torch, 1.13). Deterministic: the same files on every run.
File format and tensor names: tests/golden/README.md.

Every input is rounded to a float32 value before the float64 computation, so the C side
starts from exactly the same numbers and any difference is its own float32 arithmetic.
"""

import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

MAGIC = b"ANGOLD01"
VERSION = 1

# --- the counter-based RNG of src/engine/an-rng.h, bit for bit --------------------------------

MASK64 = (1 << 64) - 1
GOLDEN_RATIO64 = 0x9E3779B97F4A7C15
AN_RNG_DROPOUT = 2


def rng_mix64(z):
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def rng_stream(kind, layer, step):
    return ((kind << 56) | ((layer & 0xFFFF) << 40) | (step & 0xFFFFFFFFFF)) & MASK64


def rng_u64(seed, stream, index):
    key = rng_mix64(seed ^ rng_mix64((stream + GOLDEN_RATIO64) & MASK64))
    return rng_mix64((key + index * GOLDEN_RATIO64) & MASK64)


def rng_uniform(seed, stream, index):
    """24 random bits: exactly the float the C code computes."""
    return (rng_u64(seed, stream, index) >> 40) / 16777216.0


def rng_normal(seed, stream, index):
    u1 = ((rng_u64(seed, stream, 2 * index) >> 11) + 0.5) * (1.0 / 9007199254740992.0)
    u2 = (rng_u64(seed, stream, 2 * index + 1) >> 11) * (1.0 / 9007199254740992.0)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)


# --- helpers ---------------------------------------------------------------------------------


def f32(value):
    """The float32 value nearest to value (a tensor or a number), as float64."""
    if isinstance(value, torch.Tensor):
        return value.float().double()
    return struct.unpack("<f", struct.pack("<f", value))[0]


class GoldenFile:
    def __init__(self):
        self.tensors = []
        self.names = set()

    def add(self, name, value):
        if name in self.names:
            raise ValueError("tensor %s written twice" % name)
        self.names.add(name)
        if not isinstance(value, torch.Tensor):
            value = torch.tensor(value, dtype=torch.float64)
        self.tensors.append((name, value.detach().double().clone()))  # a snapshot

    def write(self, path):
        with open(path, "wb") as out:
            out.write(MAGIC)
            out.write(struct.pack("<II", VERSION, len(self.tensors)))
            for name, t in self.tensors:
                encoded = name.encode("utf-8")
                out.write(struct.pack("<I", len(encoded)))
                out.write(encoded)
                out.write(struct.pack("<I", t.dim()))
                out.write(struct.pack("<%dI" % t.dim(), *t.shape))
                out.write(struct.pack("<%dd" % t.numel(), *t.flatten().tolist()))
        print("wrote %s: %d tensors, %d bytes" % (path, len(self.tensors), os.path.getsize(path)))


def randn(gen, *shape, std=1.0):
    return f32(torch.randn(*shape, generator=gen, dtype=torch.float64) * std)


def lrn_grouped(x, size, torch_alpha, beta, k, groups):
    """PyTorch's LRN applied to each channel group on its own: the window never crosses a
    group, as in the two-tower net. torch divides alpha by size (the "code" convention)."""
    parts = [F.local_response_norm(part, size, alpha=torch_alpha, beta=beta, k=k)
             for part in x.chunk(groups, dim=1)]
    return torch.cat(parts, dim=1)


def lrn_scale(x, size, alpha, k, groups):
    """k + alpha * sum of squares over the window, with alpha as in the formula."""
    c = x.shape[1]
    per_group = c // groups
    scale = torch.empty_like(x)
    for ch in range(c):
        first = ch // per_group * per_group
        lo = max(first, ch - size // 2)
        hi = min(first + per_group - 1, ch + (size - 1) // 2)
        scale[:, ch] = k + alpha * (x[:, lo:hi + 1] ** 2).sum(dim=1)
    return scale


def grads_of(output, dy, inputs):
    return torch.autograd.grad(output, inputs, grad_outputs=dy)


# --- ops.bin ---------------------------------------------------------------------------------


def add_conv_cases(out, gen):
    # name, (n, c, h, w, oc, kh, kw, sh, sw, ph, pw, groups)
    cases = [
        ("conv_a", (2, 4, 7, 9, 6, 3, 3, 2, 2, 1, 1, 1)),
        ("conv_b", (2, 4, 9, 7, 6, 3, 5, 1, 2, 1, 2, 2)),
        ("conv_c", (1, 6, 5, 6, 9, 2, 2, 1, 1, 0, 0, 3)),
    ]
    for name, desc in cases:
        n, c, h, w, oc, kh, kw, sh, sw, ph, pw, groups = desc
        x = randn(gen, n, c, h, w).requires_grad_()
        wt = randn(gen, oc, c // groups, kh, kw, std=0.5).requires_grad_()
        b = randn(gen, oc, std=0.5).requires_grad_()
        y = F.conv2d(x, wt, b, stride=(sh, sw), padding=(ph, pw), groups=groups)
        dy = randn(gen, *y.shape)
        dx, dw, db = grads_of(y, dy, (x, wt, b))
        out.add(name + ".desc", torch.tensor(desc, dtype=torch.float64))
        for key, value in (("x", x), ("w", wt), ("b", b), ("y", y), ("dy", dy), ("dx", dx),
                           ("dw", dw), ("db", db)):
            out.add("%s.%s" % (name, key), value)


def add_lrn_cases(out, gen):
    # name, (n, c, h, w), size, groups, our alpha (as in the formula), beta, k.
    # lrn_code: the code convention, torch alpha 0.5 -> ours 0.5 / 5 = 0.1.
    # lrn_paper: the paper convention, paper alpha 0.2 is ours as it is; torch gets 3 * 0.2.
    # lrn_even: an even size, whose window is not symmetric (i - 2 .. i + 1).
    cases = [
        ("lrn_code", (2, 8, 3, 4), 5, 2, 0.5 / 5, 0.75, 2.0),
        ("lrn_paper", (2, 5, 3, 3), 3, 1, 0.2, 0.75, 1.0),
        ("lrn_even", (1, 10, 3, 2), 4, 2, 0.1, 0.6, 1.5),
    ]
    for name, shape, size, groups, alpha, beta, k in cases:
        alpha, beta, k = f32(alpha), f32(beta), f32(k)
        torch_alpha = alpha * size
        x = randn(gen, *shape, std=1.5).requires_grad_()
        y = lrn_grouped(x, size, torch_alpha, beta, k, groups)
        dy = randn(gen, *y.shape)
        (dx,) = grads_of(y, dy, (x,))
        scale = lrn_scale(x.detach(), size, alpha, k, groups)
        out.add(name + ".desc", torch.tensor(list(shape) + [size, groups, alpha, beta, k,
                                                            torch_alpha], dtype=torch.float64))
        for key, value in (("x", x), ("y", y), ("scale", scale), ("dy", dy), ("dx", dx)):
            out.add("%s.%s" % (name, key), value)


def add_maxpool_cases(out, gen):
    # name, (n, c, h, w), k, s, values: distinct, or few (ties: the first maximum must win)
    cases = [
        ("pool_a", (2, 3, 9, 8), 3, 2, "distinct"),
        ("pool_b", (2, 3, 7, 7), 2, 2, "distinct"),
        ("pool_ties", (1, 2, 7, 6), 3, 2, "ties"),
    ]
    for name, shape, k, s, values in cases:
        count = math.prod(shape)
        if values == "distinct":
            flat = (torch.randperm(count, generator=gen).double() - count // 2) * 0.0625
        else:
            flat = torch.randint(0, 3, (count,), generator=gen).double()
        x = flat.reshape(shape).requires_grad_()
        y, argmax = F.max_pool2d(x, k, s, return_indices=True)
        check_first_maximum(x.detach(), k, s, argmax)
        dy = randn(gen, *y.shape)
        (dx,) = grads_of(y, dy, (x,))
        out.add(name + ".desc", torch.tensor(list(shape) + [k, k, s, s], dtype=torch.float64))
        for key, value in (("x", x), ("y", y), ("argmax", argmax.double()), ("dy", dy),
                           ("dx", dx)):
            out.add("%s.%s" % (name, key), value)


def check_first_maximum(x, k, s, argmax):
    """The convention we document (first maximum in row-major window order) is PyTorch's."""
    n, c, h, w = x.shape
    for b in range(n):
        for ch in range(c):
            for oy in range(argmax.shape[2]):
                for ox in range(argmax.shape[3]):
                    window = [(oy * s + ky) * w + ox * s + kx for ky in range(k) for kx in range(k)]
                    plane = x[b, ch].flatten()
                    best = window[0]
                    for idx in window:
                        if plane[idx] > plane[best]:
                            best = idx
                    assert best == argmax[b, ch, oy, ox].item(), "torch broke first-max-wins"


def add_avgpool_cases(out, gen):
    cases = [
        ("avgpool_a", (2, 3, 7, 9), (3, 4)),
        ("avgpool_b", (1, 2, 5, 3), (6, 4)),
    ]
    for name, shape, size in cases:
        x = randn(gen, *shape).requires_grad_()
        y = F.adaptive_avg_pool2d(x, size)
        dy = randn(gen, *y.shape)
        (dx,) = grads_of(y, dy, (x,))
        out.add(name + ".desc", torch.tensor(list(shape) + list(size), dtype=torch.float64))
        for key, value in (("x", x), ("y", y), ("dy", dy), ("dx", dx)):
            out.add("%s.%s" % (name, key), value)


def add_linear_case(out, gen):
    n, fan_in, fan_out = 3, 7, 5
    x = randn(gen, n, fan_in).requires_grad_()
    w = randn(gen, fan_out, fan_in, std=0.5).requires_grad_()
    b = randn(gen, fan_out).requires_grad_()
    y = F.linear(x, w, b)
    dy = randn(gen, n, fan_out)
    dx, dw, db = grads_of(y, dy, (x, w, b))
    out.add("linear.desc", torch.tensor([n, fan_in, fan_out], dtype=torch.float64))
    for key, value in (("x", x), ("w", w), ("b", b), ("y", y), ("dy", dy), ("dx", dx),
                       ("dw", dw), ("db", db)):
        out.add("linear." + key, value)


def add_xent_case(out, gen):
    n, k = 4, 10
    logits = randn(gen, n, k, std=3.0)
    logits[2] += 60.0  # a row far from 0: exp would overflow float32 without the max shift
    logits = f32(logits).requires_grad_()
    labels = torch.randint(0, k, (n,), generator=gen)
    loss = F.cross_entropy(logits, labels, reduction="mean")
    (dlogits,) = torch.autograd.grad(loss, (logits,))
    out.add("xent.logits", logits)
    out.add("xent.labels", labels.double())
    out.add("xent.loss", loss)
    out.add("xent.probs", torch.softmax(logits, dim=1))
    out.add("xent.dlogits", dlogits)


def dropout_mask(n, cols, total_cols, col_offset, p, seed, stream):
    """The mask of an-backend.h's AnDropoutDesc: kept iff uniform >= p (p as a float32)."""
    mask = torch.zeros(n, cols, dtype=torch.float64)
    for r in range(n):
        for j in range(cols):
            if rng_uniform(seed, stream, r * total_cols + col_offset + j) >= p:
                mask[r, j] = 1.0 / (1.0 - p)
    return mask


def add_dropout_cases(out, gen):
    # name, n, cols, total_cols, col_offset, p, seed, (kind, layer, step)
    cases = [
        ("dropout_a", 4, 16, 16, 0, 0.5, 1234, (AN_RNG_DROPOUT, 18, 1)),
        ("dropout_b", 3, 5, 10, 5, 0.3, 99, (AN_RNG_DROPOUT, 21, 7)),
    ]
    for name, n, cols, total, offset, p, seed, (kind, layer, step) in cases:
        p = f32(p)
        mask = dropout_mask(n, cols, total, offset, p, seed, rng_stream(kind, layer, step))
        x = randn(gen, n, cols)
        out.add(name + ".desc", torch.tensor([n, cols, total, offset, p, seed, kind, layer, step],
                                             dtype=torch.float64))
        out.add(name + ".x", x)
        out.add(name + ".mask", mask)
        out.add(name + ".y", x * mask)


def add_rng_vectors(out):
    # (seed, kind, layer, step, index): u64 split in two 32-bit halves (float64 holds them exactly)
    args = [(0, 0, 0, 0, 0), (1234, AN_RNG_DROPOUT, 18, 1, 0), (1234, AN_RNG_DROPOUT, 18, 1, 63),
            (42, 1, 7, 0, 123456789), (2 ** 32 + 5, 3, 0, 99, 2 ** 40 + 3),
            (7, 5, 0xFFFF, 2 ** 40 - 1, 17)]
    hi, lo, uni, nor = [], [], [], []
    for seed, kind, layer, step, index in args:
        stream = rng_stream(kind, layer, step)
        value = rng_u64(seed, stream, index)
        hi.append(value >> 32)
        lo.append(value & 0xFFFFFFFF)
        uni.append(rng_uniform(seed, stream, index))
        nor.append(rng_normal(seed, stream, index))
    out.add("rng.args", torch.tensor(args, dtype=torch.float64))
    out.add("rng.u64_hi", torch.tensor(hi, dtype=torch.float64))
    out.add("rng.u64_lo", torch.tensor(lo, dtype=torch.float64))
    out.add("rng.uniform", torch.tensor(uni, dtype=torch.float64))
    out.add("rng.normal", torch.tensor(nor, dtype=torch.float64))


def sgd_paper_step(w, v, g, lr, momentum, weight_decay):
    v.mul_(momentum).sub_(weight_decay * lr * w).sub_(lr * g)
    w.add_(v)


def add_sgd_case(out, gen):
    count, momentum, weight_decay = 20, f32(0.9), f32(0.01)
    lrs = [f32(0.1), f32(0.05), f32(0.02)]  # the rules differ because lr changes
    w0 = randn(gen, count)
    grads = [randn(gen, count) for _ in lrs]
    out.add("sgd.desc", torch.tensor([count, momentum, weight_decay] + lrs, dtype=torch.float64))
    out.add("sgd.w0", w0)
    for s, g in enumerate(grads, start=1):
        out.add("sgd.g%d" % s, g)

    param = torch.nn.Parameter(w0.clone())
    opt = torch.optim.SGD([param], lr=lrs[0], momentum=momentum, weight_decay=weight_decay)
    for s, (g, lr) in enumerate(zip(grads, lrs), start=1):
        for group in opt.param_groups:
            group["lr"] = lr
        param.grad = g.clone()
        opt.step()
        out.add("sgd_pytorch.w%d" % s, param.detach())
    out.add("sgd_pytorch.v3", opt.state[param]["momentum_buffer"])

    w, v = w0.clone(), torch.zeros(count, dtype=torch.float64)
    for s, (g, lr) in enumerate(zip(grads, lrs), start=1):
        sgd_paper_step(w, v, g, lr, momentum, weight_decay)
        out.add("sgd_paper.w%d" % s, w)
    out.add("sgd_paper.v3", v)


def add_misc_cases(out, gen):
    x = randn(gen, 1000, std=2.0)
    out.add("sumsq.x", x)
    out.add("sumsq.value", (x * x).sum())

    a, b = randn(gen, 2, 3, 4), randn(gen, 2, 5, 4)
    out.add("concat.a", a)
    out.add("concat.b", b)
    out.add("concat.y", torch.cat([a, b], dim=1))


def write_ops(path):
    gen = torch.Generator().manual_seed(20120101)
    out = GoldenFile()
    add_conv_cases(out, gen)
    add_lrn_cases(out, gen)
    add_maxpool_cases(out, gen)
    add_avgpool_cases(out, gen)
    add_linear_case(out, gen)
    add_xent_case(out, gen)
    add_dropout_cases(out, gen)
    add_rng_vectors(out)
    add_sgd_case(out, gen)
    add_misc_cases(out, gen)
    out.write(path)


# --- model-micro.bin: tests/golden/micro.preset on one device --------------------------------

MICRO_BATCH, MICRO_CLASSES, MICRO_STEPS, MICRO_SEED = 4, 10, 10, 1234
MICRO_DROPOUT_LAYERS = {"drop6": 18, "drop7": 21}  # 0-based position among the preset's layers
MICRO_LRN = dict(size=3, torch_alpha=0.5, beta=0.75, k=2.0, groups=2)

# name, weight shape: (out, in / groups, kh, kw) for a conv, (out, in) for a linear layer
MICRO_PARAMS = [
    ("conv1", (8, 3, 3, 3)),
    ("conv2", (12, 4, 3, 3)),
    ("conv3", (16, 12, 3, 3)),
    ("conv4", (12, 8, 3, 3)),
    ("conv5", (8, 6, 3, 3)),
    ("fc6", (16, 32)),
    ("fc7", (16, 16)),
    ("fc8", (MICRO_CLASSES, 16)),
]


def micro_init(gen):
    """He-scaled normal weights, biases around 0.1: alive ReLUs and an LRN that matters."""
    params = {}
    for name, shape in MICRO_PARAMS:
        fan_in = math.prod(shape[1:])
        params[name + ".weight"] = randn(gen, *shape, std=math.sqrt(2.0 / fan_in))
        params[name + ".bias"] = f32(0.1 + 0.1 * torch.randn(shape[0], generator=gen,
                                                             dtype=torch.float64))
    return params


def micro_dropout(h, layer, step, train):
    if not train:
        return h
    n, cols = h.shape
    mask = dropout_mask(n, cols, cols, 0, 0.5, MICRO_SEED, rng_stream(AN_RNG_DROPOUT, layer, step))
    return h * mask


def micro_forward(p, x, train, step, stats=None):
    lrn = dict(MICRO_LRN)
    h = F.relu(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1))
    before_lrn = h
    h = lrn_grouped(h, lrn["size"], lrn["torch_alpha"], lrn["beta"], lrn["k"], lrn["groups"])
    if stats is not None:
        stats["relu1 alive"] = (before_lrn > 0).double().mean().item()
        stats["lrn1 out/in"] = (h.norm() / before_lrn.norm()).item()
        stats["lrn1 out/in without the sum"] = lrn["k"] ** -lrn["beta"]
    h = F.max_pool2d(h, 3, 2)
    h = F.relu(F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1, groups=2))
    h = lrn_grouped(h, lrn["size"], lrn["torch_alpha"], lrn["beta"], lrn["k"], lrn["groups"])
    h = F.max_pool2d(h, 3, 2)
    h = F.relu(F.conv2d(h, p["conv3.weight"], p["conv3.bias"], padding=1))
    h = F.relu(F.conv2d(h, p["conv4.weight"], p["conv4.bias"], padding=1, groups=2))
    h = F.relu(F.conv2d(h, p["conv5.weight"], p["conv5.bias"], padding=1, groups=2))
    h = F.max_pool2d(h, 2, 1)
    h = torch.flatten(h, 1)
    h = F.relu(F.linear(h, p["fc6.weight"], p["fc6.bias"]))
    h = micro_dropout(h, MICRO_DROPOUT_LAYERS["drop6"], step, train)
    h = F.relu(F.linear(h, p["fc7.weight"], p["fc7.bias"]))
    if stats is not None:
        stats["relu7 alive"] = (h > 0).double().mean().item()
    h = micro_dropout(h, MICRO_DROPOUT_LAYERS["drop7"], step, train)
    return F.linear(h, p["fc8.weight"], p["fc8.bias"])


def micro_train(init, xs, labels, rule, lrs, momentum, weight_decay):
    """SGD over the steps 1..len(lrs); returns the losses and the final parameters."""
    params = {name: value.clone().requires_grad_() for name, value in init.items()}
    velocity = {name: torch.zeros_like(value) for name, value in init.items()}
    losses = []
    for step, lr in enumerate(lrs, start=1):
        logits = micro_forward(params, xs[step - 1], True, step)
        loss = F.cross_entropy(logits, labels[step - 1], reduction="mean")
        grads = torch.autograd.grad(loss, list(params.values()))
        losses.append(loss.item())
        with torch.no_grad():
            for (name, w), g in zip(params.items(), grads):
                v = velocity[name]
                if rule == "pytorch":
                    v.mul_(momentum).add_(g + weight_decay * w)
                    w.sub_(lr * v)
                else:
                    sgd_paper_step(w, v, g, lr, momentum, weight_decay)
    return torch.tensor(losses, dtype=torch.float64), params


def check_pytorch_rule(init, xs, labels, lr, momentum, weight_decay, final):
    """Our PyTorch-rule loop must be torch.optim.SGD itself."""
    params = [init[name].clone().requires_grad_() for name in init]
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    for step in range(1, MICRO_STEPS + 1):
        opt.zero_grad()
        named = dict(zip(init.keys(), params))
        loss = F.cross_entropy(micro_forward(named, xs[step - 1], True, step), labels[step - 1])
        loss.backward()
        opt.step()
    worst = max((p - final[name]).abs().max().item() for name, p in zip(init.keys(), params))
    assert worst < 1e-12, "hand-written PyTorch rule differs from torch.optim.SGD by %g" % worst


def write_micro(path):
    gen = torch.Generator().manual_seed(19890602)
    init = micro_init(gen)
    xs = randn(gen, MICRO_STEPS, MICRO_BATCH, 3, 16, 16)
    labels = torch.randint(0, MICRO_CLASSES, (MICRO_STEPS, MICRO_BATCH), generator=gen)
    lr, momentum, weight_decay = f32(0.01), f32(0.9), f32(5e-4)

    out = GoldenFile()
    for name, value in init.items():
        out.add("params." + name, value)
    out.add("x", xs)
    out.add("labels", labels.double())

    params = {name: value.clone().requires_grad_() for name, value in init.items()}
    stats = {}
    logits = micro_forward(params, xs[0], True, 1, stats)
    loss = F.cross_entropy(logits, labels[0], reduction="mean")
    grads = torch.autograd.grad(loss, list(params.values()))
    out.add("step1.logits", logits)
    out.add("step1.loss", loss)
    for name, g in zip(params, grads):
        out.add("step1.grad." + name, g)

    losses, final = micro_train(init, xs, labels, "pytorch", [lr] * MICRO_STEPS, momentum,
                                weight_decay)
    check_pytorch_rule(init, xs, labels, lr, momentum, weight_decay, final)
    out.add("losses", losses)
    for name, value in final.items():
        out.add("final." + name, value)

    paper_lrs = [lr] * 5 + [f32(0.005)] * 5
    losses_paper, final_paper = micro_train(init, xs, labels, "paper", paper_lrs, momentum,
                                            weight_decay)
    out.add("losses_paper", losses_paper)
    for name, value in final_paper.items():
        out.add("final_paper." + name, value)

    with torch.no_grad():
        out.add("eval.logits", micro_forward(init, xs[0], False, 0))
    out.write(path)

    for key, value in stats.items():
        print("  %s: %.3f" % (key, value))
    print("  losses:       " + " ".join("%.4f" % v for v in losses.tolist()))
    print("  losses_paper: " + " ".join("%.4f" % v for v in losses_paper.tolist()))


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "golden")
    os.makedirs(out_dir, exist_ok=True)
    write_ops(os.path.join(out_dir, "ops.bin"))
    write_micro(os.path.join(out_dir, "model-micro.bin"))


if __name__ == "__main__":
    main()
