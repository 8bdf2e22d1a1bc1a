#!/usr/bin/env python3
"""Writes tests/golden/schedules.txt: learning rates that PyTorch's own schedulers
(ReduceLROnPlateau, StepLR, CosineAnnealingLR) produce for fixed metric sequences, some
with a rate set by hand in the middle of the run. tests/state/test-schedule.c
replays the sequences through an_schedule_epoch_end and expects the same rates.

Usage: /usr/bin/python3 tools/schedule_golden.py tests/golden/schedules.txt
"""
import math
import random
import sys

import torch


def noisy_curve(rng, n, start, floor, rate, noise):
    """A validation-loss-like curve: exponential decay to a floor, plus noise."""
    return [floor + (start - floor) * math.exp(-rate * i) + rng.gauss(0.0, noise)
            for i in range(n)]


def run_torch(settings, metrics, hand=None):
    """hand: {epoch: lr}, the rate set by hand before that epoch's scheduler step."""
    hand = hand or {}
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=float(settings["lr"]), momentum=0.9)
    kind = settings["schedule"]
    if kind == "plateau" or kind == "paper":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode="min", threshold_mode="rel",
            factor=0.1 if kind == "paper" else float(settings["plateau_factor"]),
            patience=int(settings["plateau_patience"]),
            threshold=float(settings["plateau_threshold"]),
            cooldown=int(settings["plateau_cooldown"]),
            min_lr=float(settings["min_lr"]))
    elif kind == "step":
        sched = torch.optim.lr_scheduler.StepLR(
            opt, step_size=int(settings["step_size"]), gamma=float(settings["step_gamma"]))
    elif kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(
            opt, T_max=int(settings["epochs"]), eta_min=float(settings["min_lr"]))
    else:
        sched = None
    lrs = []
    for e, m in enumerate(metrics, start=1):
        opt.step()
        if e in hand:
            opt.param_groups[0]["lr"] = hand[e]
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(m)
        elif sched is not None:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def plateau_settings(**over):
    s = {"schedule": "plateau", "lr": "0.01", "plateau_factor": "0.5", "plateau_patience": "3",
         "plateau_threshold": "0.0001", "plateau_cooldown": "0", "min_lr": "1e-06"}
    s.update({k: str(v) for k, v in over.items()})
    return s


def cases():
    rng = random.Random(20120101)
    # The teaching article's settings on a loss curve that flattens out: several halvings.
    yield "article-plateau", plateau_settings(), noisy_curve(rng, 60, 2.3, 0.3, 0.15, 0.01)
    # Improvements smaller than the relative threshold count as bad epochs.
    base = [1.0, 0.99995, 0.9999, 0.99989, 0.99988, 0.99987, 0.9, 0.89995, 0.89994, 0.89993,
            0.89992, 0.89991, 0.8999, 0.7]
    yield "below-threshold", plateau_settings(plateau_patience=2), base
    # Cooldown, patience 1, clamping at min_lr, NaN and inf metrics (never better).
    flat = [0.5] * 30
    flat[5] = float("nan")
    flat[9] = float("inf")
    flat[12] = 0.4
    yield "cooldown-min-lr", plateau_settings(lr=0.1, plateau_factor=0.3, plateau_patience=1,
                                              plateau_threshold=0.01, plateau_cooldown=2,
                                              min_lr=0.0001), flat
    # Reductions smaller than 1e-8 are ignored.
    yield "tiny-lr", plateau_settings(lr=3e-8, plateau_patience=0, min_lr=0), [1.0] * 6
    # The paper's rule: divide by 10 when the validation error stops improving.
    err = [max(0.0, e) for e in noisy_curve(rng, 90, 0.9, 0.4, 0.08, 0.005)]
    yield "paper", plateau_settings(schedule="paper", plateau_patience=4), err
    # StepLR.
    yield "step-3-0.5", {"schedule": "step", "lr": "0.1", "step_size": "3",
                         "step_gamma": "0.5"}, [0.0] * 20
    yield "step-30-0.1", {"schedule": "step", "lr": "0.01", "step_size": "30",
                          "step_gamma": "0.1"}, [0.0] * 100
    yield "constant", {"schedule": "constant", "lr": "0.05"}, [1.0, 2.0, 3.0]
    # CosineAnnealingLR over the run's epochs, down to min_lr (only epochs up to T_max: past it
    # PyTorch starts a rising half-period, while the app holds the last rate).
    yield "cosine-10", {"schedule": "cosine", "lr": "0.01", "epochs": "10",
                        "min_lr": "1e-06"}, [0.0] * 10
    yield "cosine-90-to-0", {"schedule": "cosine", "lr": "0.05", "epochs": "90",
                             "min_lr": "0"}, [0.0] * 90
    # A rate set by hand before epoch 7's end: the cosine keeps scaling the distance to min_lr.
    yield "cosine-hand", {"schedule": "cosine", "lr": "0.01", "epochs": "20",
                          "min_lr": "0.0001"}, [0.0] * 20, {7: 0.03}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/golden/schedules.txt"
    lines = ["# Learning rates from PyTorch %s's ReduceLROnPlateau, StepLR and CosineAnnealingLR for"
             % torch.__version__.split("a")[0],
             "# fixed metric sequences. Written by tools/schedule_golden.py; do not edit.",
             "# case NAME / set KEY=VALUE (run configuration) / hand EPOCH LR (rate set by hand",
             "# before that epoch's end) / metrics (one per epoch, given as both val_loss and",
             "# val_error) / lrs (after each epoch) / end"]
    for name, settings, metrics, *rest in cases():
        hand = rest[0] if rest else {}
        lrs = run_torch(settings, metrics, hand)
        lines.append("case " + name)
        lines += ["set %s=%s" % kv for kv in settings.items()]
        lines += ["hand %d %r" % (e, float(v)) for e, v in sorted(hand.items())]
        lines.append("metrics " + " ".join(repr(float(m)) for m in metrics))
        lines.append("lrs " + " ".join(repr(float(x)) for x in lrs))
        lines.append("end")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
