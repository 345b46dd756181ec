#!/usr/bin/env python3
"""PyTorch side of the side-by-side benchmark suite (see tools/bench/README.md).

Reads lines "WORKLOAD THREADS" on stdin, runs the workload's warm-up and then
its timed loop with torch.set_num_threads(THREADS), and prints one line
"WORKLOAD THREADS CPU_SECONDS WALL_SECONDS ITERS" per request, CPU time being
time.process_time() over the timed loop only. Every workload does exactly
what the one of the same name in tools/bench/stheno/main.go does.
"""
import ctypes
import gc
import gzip
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def gemm(m, n, k):
    def setup():
        g = torch.Generator().manual_seed(1)
        a = torch.randn(m, k, generator=g)
        b = torch.randn(k, n, generator=g)
        c = torch.empty(m, n)
        return (lambda: torch.mm(a, b, out=c)), None
    return setup


def ce(n, classes):
    def setup():
        g = torch.Generator().manual_seed(2)
        x = torch.randn(n, classes, generator=g, requires_grad=True)
        t = torch.randint(0, classes, (n,), generator=g)

        def step():
            x.grad = None
            F.cross_entropy(x, t).backward()
        return step, None
    return setup


def solver(kind):
    def setup():
        n = 10_000_000
        g = torch.Generator().manual_seed(3)
        p = torch.randn(n, generator=g, requires_grad=True)
        p.grad = torch.randn(n, generator=g)
        if kind == "adam":
            opt = torch.optim.Adam([p], lr=1e-3)
        else:
            opt = torch.optim.SGD([p], lr=0.01, momentum=0.9)
        return opt.step, None
    return setup


def model(name):
    if name == "mlp128":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), (784,)
    if name == "mlp512":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10)), (784,)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)), (1, 28, 28)


def train_step(net, opt):
    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def step_bench(batch):
    def setup():
        torch.manual_seed(1)
        net, _ = model("mlp128")
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = (torch.arange(batch * 784) % 251).float().div(251).reshape(batch, 784)
        y = torch.arange(batch) % 10
        st = train_step(net, opt)
        return (lambda: st(x, y)), None
    return setup


def read_idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def epoch(name, warm):
    """One MNIST epoch; the first warm calls (the warm-up) are single steps."""
    def setup():
        d = os.environ["MNIST_DIR"]
        img = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz"))
        lab = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz"))
        batch = 64
        nb = img.shape[0] // batch
        torch.manual_seed(1)
        net, shape = model(name)
        px = img[:nb * batch].float().div(255).reshape(nb, batch, *shape)
        lb = lab[:nb * batch].long().reshape(nb, batch)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        st = train_step(net, opt)
        state = {"next": 0}

        def run():
            if state["next"] < warm:
                st(px[state["next"]], lb[state["next"]])
                state["next"] += 1
                return
            for b in range(nb):
                st(px[b], lb[b])
        return run, None
    return setup


# name: (warm-up calls, timed calls, setup) — the same as stheno/main.go.
WORKLOADS = {
    "gemm_2048": (1, 5, gemm(2048, 2048, 2048)),
    "gemm_64x512x784": (20, 400, gemm(64, 512, 784)),
    "gemm_64x10x256": (200, 20000, gemm(64, 10, 256)),
    "ce_128x10": (20, 2000, ce(128, 10)),
    "ce_4096x1000": (2, 20, ce(4096, 1000)),
    "ce_65536x10": (2, 20, ce(65536, 10)),
    "adam_10M": (2, 20, solver("adam")),
    "sgdm_10M": (2, 20, solver("sgdm")),
    "step_mlp128_b1": (50, 2000, step_bench(1)),
    "step_mlp128_b64": (20, 500, step_bench(64)),
    "epoch_mlp128": (20, 1, epoch("mlp128", 20)),
    "epoch_mlp512": (20, 1, epoch("mlp512", 20)),
    "epoch_cnn": (5, 1, epoch("cnn", 5)),
}

from torch_layers import LAYER_WORKLOADS  # noqa: E402 (the layers rows, issue 12)
WORKLOADS.update(LAYER_WORKLOADS)


def set_threads(n):
    """torch.set_num_threads, and the same for OpenBLAS: Debian's PyTorch is
    built against the generic BLAS interface, so it does not tell OpenBLAS,
    whose own pool would otherwise use every core."""
    torch.set_num_threads(n)
    for lib in ("libopenblas.so.0", "libblas.so.3"):
        try:
            ctypes.CDLL(lib).openblas_set_num_threads(n)
            return
        except (OSError, AttributeError):
            pass


def main():
    for line in sys.stdin:
        name, threads = line.split()
        threads = int(threads)
        if name not in WORKLOADS:
            print(f"{name} {threads} unknown 0 0", flush=True)
            continue
        warm, iters, setup = WORKLOADS[name]
        set_threads(threads)
        step, done = setup()
        for _ in range(warm):
            step()
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(iters):
            step()
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        if done:
            done()
        print(f"{name} {threads} {cpu / iters:.9f} {wall / iters:.9f} {iters}", flush=True)


if __name__ == "__main__":
    main()
