#!/usr/bin/python3
"""Bit-exact float32 trajectories of torch.optim (PyTorch 1.13) for Adadelta, Adamax, NAdam and RAdam.

Writes solvers/solvertest/testdata/float32_breadth.json in the format of tools/golden/solvers_f32.py
(whose parameters, gradients, hashes and samples it reuses): 20 float32 steps of twelve parameters
of 1 to 200003 elements updated together (every tail length of the vector loops and the parallel
split), with zero, huge (x1e4), tiny (x1e-6) and mixed gradient steps, for every option of each
solver. Package solvertest replays them and asks for PyTorch's bits.

Run: /usr/bin/python3 tools/golden/solvers_breadth_f32.py  (from the repository root)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import solvers_f32 as f32  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "solvertest", "testdata", "float32_breadth.json")

CLASSES = {"adadelta": torch.optim.Adadelta, "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam,
           "radam": torch.optim.RAdam}

OPTION_SETS = {
    "adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-3}, {"lr": 0.5, "weight_decay": 0.1},
                 {"lr": 0.5, "weight_decay": 0.1, "maximize": True}],
    "adamax": [{}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-3},
               {"lr": 0.05, "weight_decay": 0.1, "maximize": True}],
    "nadam": [{}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-3},
              {"lr": 0.05, "momentum_decay": 0.1}, {"lr": 0.05, "momentum_decay": 0.0}],
    "radam": [{}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-3}],
}


def run_case(solver, opts):
    n = len(f32.SIZES)
    params = [torch.tensor(f32.init(i)).requires_grad_() for i in range(n)]
    o = dict(opts)
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    opt = CLASSES[solver](params, foreach=False, **o)
    lrs, hashes, values = [], [], []
    for k in range(f32.STEPS):
        for i, p in enumerate(params):
            p.grad = torch.tensor(f32.grad(k, i))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        got = [p.detach().numpy() for p in params]
        hashes.append([f32.bits_hash(x) for x in got])
        values.append([[float(repr(x[j])) for j in f32.samples(x.size)] for x in got])
    return {"solver": solver, "dtype": "float32", "options": opts, "schedule": None, "clip": None, "exact": True,
            "lrs": lrs, "hashes": hashes, "values": values}


def main():
    cases = [run_case(s, o) for s, sets in OPTION_SETS.items() for o in sets]
    doc = {"generated": {"kind": "splitmix", "names": f32.NAMES, "sizes": f32.SIZES, "init_scale": 2.0,
                         "grads": f32.GRADS, "samples": [f32.samples(n) for n in f32.SIZES]},
           "torch": torch.__version__, "cpu_capability": "AVX2", "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
    print(OUT, len(cases), "cases", os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
