#!/usr/bin/python3
"""Golden trajectories of torch.optim (PyTorch 1.13) for Stheno's solvers.

Writes solvers/solvertest/testdata/{sgd,adam,adamw,rmsprop,adagrad,extras}.json (the conformance
suite's embedded goldens) and solvers/testdata/rosenbrock.json.
Every case optimises two parameters (a vector of 4 and a 2x3 matrix) with one
explicit gradient sequence (shared by all cases; it includes an all-zero
gradient and one with a 1e6 element), and records both parameters after every
step, in float64 and float32. Uses the single-tensor (foreach=False) path.

Run: /usr/bin/python3 tools/golden/solvers.py  (from the repository root)
"""
import itertools
import json
import math
import os

import numpy as np
import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "solvertest", "testdata")
ROSEN = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "testdata")
STEPS = 7
SHAPES = {"vec": [4], "mat": [2, 3]}



def make_data(steps, seed):
    """Initial values of the parameters of SHAPES and steps gradients for them, from a
    seeded generator: step 2's gradient is all zero, step 4 has a 1e6 element in "mat"
    and step 7 (from the eighth step on) is scaled down to ~1e-6."""
    rng = np.random.default_rng(seed)
    init = {n: rng.normal(size=s).ravel().tolist() for n, s in SHAPES.items()}
    grads = []  # grads[k][name] = flat list
    for k in range(steps):
        step = {}
        for n, s in SHAPES.items():
            g = rng.normal(size=s)
            if k == 2:
                g = np.zeros(s)
            if k == 4 and n == "mat":
                g.flat[1] = 1e6
            if k == 7:
                g = g * 1e-6
            step[n] = g.ravel().tolist()
        grads.append(step)
    return init, grads


INIT, GRADS = make_data(STEPS, 1234)


def as_dtype(v, dt):
    return np.asarray(v, dtype=np.float32).astype(np.float64).tolist() if dt == "float32" else list(v)


def make_sched(opt, spec):
    if spec is None:
        return None
    S = torch.optim.lr_scheduler
    t = spec["type"]
    if t == "step":
        return S.StepLR(opt, step_size=spec["step_size"], gamma=spec["gamma"])
    if t == "cosine":
        return S.CosineAnnealingLR(opt, T_max=spec["t_max"], eta_min=spec["eta_min"])
    if t == "linear":
        return S.LinearLR(opt, start_factor=spec["start"], end_factor=spec["end"], total_iters=spec["total"])
    if t == "warmup_cosine":
        w = S.LinearLR(opt, start_factor=spec["start"], end_factor=1.0, total_iters=spec["warmup"])
        c = S.CosineAnnealingLR(opt, T_max=spec["t_max"], eta_min=spec["eta_min"])
        return S.SequentialLR(opt, [w, c], milestones=[spec["warmup"]])
    raise ValueError(t)


def make_opt(solver, params, opts):
    o = dict(opts)
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[solver]
    return cls(params, foreach=False, **o)


def run_case(solver, opts, dt, sched=None, clip=None):
    tdt = torch.float64 if dt == "float64" else torch.float32
    params = {n: torch.tensor(as_dtype(INIT[n], dt), dtype=tdt).reshape(SHAPES[n]).requires_grad_() for n in SHAPES}
    opt = make_opt(solver, list(params.values()), opts)
    sch = make_sched(opt, sched)
    traj, lrs = [], []
    for k in range(STEPS):
        for n, p in params.items():
            p.grad = torch.tensor(as_dtype(GRADS[k][n], dt), dtype=tdt).reshape(SHAPES[n])
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(list(params.values()), clip)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if sch is not None:
            sch.step()
        traj.append({n: p.detach().double().ravel().tolist() for n, p in params.items()})
    return {"solver": solver, "dtype": dt, "options": opts, "schedule": sched, "clip": clip,
            "lrs": lrs, "params": traj}


def combos(grid):
    keys = list(grid)
    for vals in itertools.product(*(grid[k] for k in keys)):
        yield {k: v for k, v in zip(keys, vals) if v is not None}


def cases_for(solver, grid, base, valid=lambda o: True):
    out = []
    for o in combos(grid):
        o = {**base, **o}
        if not valid(o):
            continue
        for dt in ("float64", "float32"):
            out.append(run_case(solver, o, dt))
    return out


def write(name, cases):
    doc = {"shapes": SHAPES, "init": INIT, "grads": GRADS, "cases": cases}
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(path, len(cases), "cases", os.path.getsize(path), "bytes")


def rosenbrock():
    """Minimise Rosenbrock from (-1.5, 2) with each solver; record the point every 100 steps."""
    runs = [("sgd", {"lr": 1e-3, "momentum": 0.9}, 2000),
            ("adam", {"lr": 1e-2}, 3000),
            ("adamw", {"lr": 1e-2, "weight_decay": 0.0}, 3000),
            ("rmsprop", {"lr": 1e-3}, 3000),
            ("adagrad", {"lr": 0.5}, 3000)]
    out = []
    for solver, opts, n in runs:
        xy = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = make_opt(solver, [xy], opts)
        pts = []
        for k in range(n):
            opt.zero_grad()
            x, y = xy[0], xy[1]
            f = (1 - x) ** 2 + 100 * (y - x * x) ** 2
            f.backward()
            opt.step()
            if (k + 1) % 100 == 0:
                pts.append(xy.detach().tolist())
        out.append({"solver": solver, "options": opts, "steps": n, "points": pts})
    path = os.path.join(ROSEN, "rosenbrock.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    write("sgd", cases_for("sgd", {"momentum": [0, 0.9], "dampening": [0, 0.5], "nesterov": [False, True],
                                   "weight_decay": [0, 0.1], "maximize": [False, True]}, {"lr": 0.05},
                           lambda o: not o["nesterov"] or (o["momentum"] > 0 and o["dampening"] == 0)))
    adam_grid = {"amsgrad": [False, True], "weight_decay": [0, 0.1], "maximize": [False, True],
                 "betas": [None, [0.8, 0.9]], "eps": [None, 1e-3]}
    write("adam", cases_for("adam", adam_grid, {"lr": 0.05}))
    write("adamw", cases_for("adamw", adam_grid, {"lr": 0.05}))
    write("rmsprop", cases_for("rmsprop", {"alpha": [0.99, 0.9], "centered": [False, True], "momentum": [0, 0.9],
                                           "weight_decay": [0, 0.1], "maximize": [False, True]}, {"lr": 0.01}))
    write("adagrad", cases_for("adagrad", {"lr_decay": [0, 0.1], "initial_accumulator_value": [0, 0.5],
                                           "weight_decay": [0, 0.1], "eps": [None, 1e-3],
                                           "maximize": [False, True]}, {"lr": 0.1}))
    extras = []
    scheds = [{"type": "step", "step_size": 2, "gamma": 0.5},
              {"type": "cosine", "t_max": 5, "eta_min": 0.001},
              {"type": "linear", "start": 0.25, "end": 1.0, "total": 3},
              {"type": "warmup_cosine", "start": 0.1, "warmup": 3, "t_max": 4, "eta_min": 0.0}]
    for dt in ("float64", "float32"):
        for s in scheds:
            extras.append(run_case("sgd", {"lr": 0.05, "momentum": 0.9}, dt, sched=s))
            extras.append(run_case("adam", {"lr": 0.05}, dt, sched=s))
        for solver, o in [("sgd", {"lr": 0.05, "momentum": 0.9}), ("adam", {"lr": 0.05}),
                          ("adamw", {"lr": 0.05}), ("rmsprop", {"lr": 0.01}), ("adagrad", {"lr": 0.1})]:
            for clip in (1.0, 100.0):
                extras.append(run_case(solver, o, dt, clip=clip))
        extras.append(run_case("adamw", {"lr": 0.05}, dt, sched=scheds[3], clip=1.0))
        # defaults (no options but lr for SGD)
        for solver in ("adam", "adamw", "rmsprop", "adagrad"):
            extras.append(run_case(solver, {}, dt))
    write("extras", extras)
    rosenbrock()


if __name__ == "__main__":
    main()
