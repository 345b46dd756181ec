#!/usr/bin/python3
"""Golden trajectories of torch.optim (PyTorch 1.13) for Stheno's Adadelta,
Adamax, NAdam and RAdam, and for the schedules ExponentialLR, MultiStepLR, ConstantLR,
PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR and ReduceLROnPlateau (alone and composed
with the others).

Writes solvers/solvertest/testdata/{adadelta,adamax,nadam,radam}.json (the
conformance suite's embedded goldens) and solvers/testdata/schedules_breadth.json,
in the format of tools/golden/solvers.py: every case optimises two
parameters (a vector of 4 and a 2x3 matrix) with one explicit gradient
sequence shared by the cases of a file (it includes an all-zero gradient, one
with a 1e6 element and one of ~1e-6), and records both parameters after
every step, in float64 and float32, on the single-tensor (foreach=False)
path. Schedule cases also record the learning rate of every step and, for
ReduceLROnPlateau, the metric reported after every step.

Run: /usr/bin/python3 tools/golden/solvers_breadth.py  (from the repository root)
"""
import itertools
import json
import os

import numpy as np
import torch

from solvers import SHAPES, make_data  # tools/golden/solvers.py: one gradient sequence rule

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "solvertest", "testdata")
SCHED_OUT = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "testdata")


def as_dtype(v, dt):
    return np.asarray(v, dtype=np.float32).astype(np.float64).tolist() if dt == "float32" else list(v)


CLASSES = {"adadelta": torch.optim.Adadelta, "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam,
           "radam": torch.optim.RAdam, "sgd": torch.optim.SGD, "adam": torch.optim.Adam,
           "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop}


def make_opt(solver, params, opts):
    o = dict(opts)
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    return CLASSES[solver](params, foreach=False, **o)


def make_sched(opt, spec):
    """Returns (schedulers stepped without a metric, the plateau scheduler or None)."""
    S = torch.optim.lr_scheduler
    t = spec["type"]
    if t == "exponential":
        return [S.ExponentialLR(opt, gamma=spec["gamma"])], None
    if t == "multistep":
        return [S.MultiStepLR(opt, milestones=spec["milestones"], gamma=spec["gamma"])], None
    if t == "constant":
        return [S.ConstantLR(opt, factor=spec["factor"], total_iters=spec["total_iters"])], None
    if t == "polynomial":
        return [S.PolynomialLR(opt, total_iters=spec["total_iters"], power=spec["power"])], None
    if t == "warm_restarts":
        return [S.CosineAnnealingWarmRestarts(opt, T_0=spec["t_0"], T_mult=spec["t_mult"], eta_min=spec["eta_min"])], None
    if t == "onecycle":
        kw = {k: spec[k] for k in ("pct_start", "div_factor", "final_div_factor", "three_phase", "cycle_momentum",
                                   "base_momentum", "max_momentum") if k in spec}
        if "anneal" in spec:
            kw["anneal_strategy"] = spec["anneal"]
        # max_lr 0 in the spec stands for Stheno's "the solver's rate".
        max_lr = spec["max_lr"] or opt.param_groups[0]["lr"]
        return [S.OneCycleLR(opt, max_lr=max_lr, total_steps=spec["total_steps"], **kw)], None
    if t == "cyclic":
        kw = {k: spec[k] for k in ("step_size_up", "step_size_down", "mode", "gamma", "cycle_momentum",
                                   "base_momentum", "max_momentum") if k in spec}
        return [S.CyclicLR(opt, base_lr=opt.param_groups[0]["lr"], max_lr=spec["max_lr"], **kw)], None
    if t == "plateau":
        kw = {k: spec[k] for k in ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                                   "min_lr", "eps") if k in spec}
        inner = []
        for s in spec.get("with", []):
            inner += make_sched(opt, s)[0]
        return inner, S.ReduceLROnPlateau(opt, **kw)
    if t == "warmup_exponential":
        w = S.LinearLR(opt, start_factor=spec["start"], end_factor=1.0, total_iters=spec["warmup"])
        e = S.ExponentialLR(opt, gamma=spec["gamma"])
        return [S.SequentialLR(opt, [w, e], milestones=[spec["warmup"]])], None
    if t == "chained":
        return [S.ChainedScheduler([make_sched(opt, s)[0][0] for s in spec["schedules"]])], None
    raise ValueError(t)


def run_case(solver, opts, dt, init, grads, sched=None, metrics=None):
    tdt = torch.float64 if dt == "float64" else torch.float32
    params = {n: torch.tensor(as_dtype(init[n], dt), dtype=tdt).reshape(SHAPES[n]).requires_grad_() for n in SHAPES}
    opt = make_opt(solver, list(params.values()), opts)
    scheds, plateau = make_sched(opt, sched) if sched is not None else ([], None)
    traj, lrs = [], []
    for k in range(len(grads)):
        for n, p in params.items():
            p.grad = torch.tensor(as_dtype(grads[k][n], dt), dtype=tdt).reshape(SHAPES[n])
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        traj.append({n: p.detach().double().ravel().tolist() for n, p in params.items()})
        if k == len(grads) - 1:
            break  # OneCycleLR raises if stepped past total_steps
        for s in scheds:
            s.step()
        if plateau is not None:
            plateau.step(metrics[k])
    c = {"solver": solver, "dtype": dt, "options": opts, "schedule": sched, "clip": None, "lrs": lrs, "params": traj}
    if metrics is not None:
        c["metrics"] = metrics
    return c


def combos(grid):
    keys = list(grid)
    for vals in itertools.product(*(grid[k] for k in keys)):
        yield {k: v for k, v in zip(keys, vals) if v is not None}


def write(name, init, grads, cases, out=OUT):
    doc = {"shapes": SHAPES, "init": init, "grads": grads, "cases": cases}
    path = os.path.join(out, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(path, len(cases), "cases", os.path.getsize(path), "bytes")


def optimizer_file(solver, grid, base, init, grads):
    cases = []
    for o in itertools.chain([None], combos(grid)):
        o = {} if o is None else {**base, **o}  # first: torch's defaults
        for dt in ("float64", "float32"):
            cases.append(run_case(solver, o, dt, init, grads))
    write(solver, init, grads, cases)


# Metrics reported after each step for ReduceLROnPlateau: improvements,
# plateaus shorter and longer than the patience, changes below the
# thresholds (rel 0.1 of ~8 is 0.8; abs 0.1).
METRICS = [10, 9, 9.5, 9.2, 9.1, 8.0, 8.0, 7.5, 7.95, 7.9, 5, 5, 5, 4.96, 5, 5, 3, 3, 3, 3]


def schedules(init, grads):
    cases = []
    scheds = [
        {"type": "exponential", "gamma": 0.8},
        {"type": "exponential", "gamma": 1.0},
        {"type": "multistep", "milestones": [2, 5, 5, 9], "gamma": 0.5},
        {"type": "multistep", "milestones": [0, 12], "gamma": 0.1},
        {"type": "warmup_exponential", "start": 0.1, "warmup": 3, "gamma": 0.9},
        {"type": "constant", "factor": 0.5, "total_iters": 4},
        {"type": "constant", "factor": 1.0 / 3, "total_iters": 0},
        {"type": "polynomial", "total_iters": 8, "power": 1.0},
        {"type": "polynomial", "total_iters": 12, "power": 2.0},
        {"type": "polynomial", "total_iters": 30, "power": 0.5},
        {"type": "warm_restarts", "t_0": 3, "t_mult": 2, "eta_min": 0.001},
        {"type": "warm_restarts", "t_0": 4, "t_mult": 1, "eta_min": 0.0},
        {"type": "warm_restarts", "t_0": 1, "t_mult": 3, "eta_min": 0.01},
        {"type": "chained", "schedules": [{"type": "exponential", "gamma": 0.9},
                                          {"type": "multistep", "milestones": [3, 6], "gamma": 0.5}]},
    ]
    for anneal, three, total, pct, maxlr in itertools.product(
            ["cos", "linear"], [False, True], [20, 19, 40], [0.3, 0.25], [0.2, 0]):
        scheds.append({"type": "onecycle", "max_lr": maxlr, "total_steps": total, "pct_start": pct,
                       "anneal": anneal, "three_phase": three, "cycle_momentum": False})
    scheds.append({"type": "onecycle", "max_lr": 0.1, "total_steps": 20, "div_factor": 10.0,
                   "final_div_factor": 100.0, "cycle_momentum": False})
    # cycle_momentum=True (torch's default): SGD's momentum or Adam's beta1 moves too.
    cycling = [{"type": "onecycle", "max_lr": 0.1, "total_steps": 20},  # torch's defaults
               {"type": "onecycle", "max_lr": 0.1, "total_steps": 19, "three_phase": True, "anneal": "linear",
                "base_momentum": 0.8, "max_momentum": 0.9}]
    scheds += cycling
    cyclic = [{"type": "cyclic", "max_lr": 0.2, "step_size_up": 3, "step_size_down": 2},
              {"type": "cyclic", "max_lr": 0.2, "step_size_up": 2, "mode": "triangular2"},
              {"type": "cyclic", "max_lr": 0.2, "step_size_up": 4, "mode": "exp_range", "gamma": 0.9,
               "base_momentum": 0.7, "max_momentum": 0.95},
              {"type": "cyclic", "max_lr": 0.2, "step_size_up": 3, "cycle_momentum": False}]
    scheds += cyclic
    for o in combos({"mode": ["min", "max"], "threshold_mode": ["rel", "abs"], "cooldown": [0, 2],
                     "min_lr": [0, 0.01], "patience": [2, 0]}):
        scheds.append({"type": "plateau", "factor": 0.5, "threshold": 0.1, **o})
    scheds.append({"type": "plateau", "factor": 0.5, "patience": 0, "threshold": 0.0, "eps": 3e-3})
    scheds.append({"type": "plateau", "patience": 1})  # defaults otherwise
    scheds.append({"type": "plateau", "factor": 0.5, "patience": 1, "threshold": 0.1,
                   "with": [{"type": "exponential", "gamma": 0.9}]})
    scheds.append({"type": "plateau", "factor": 0.5, "patience": 1, "threshold": 0.1,
                   "with": [{"type": "multistep", "milestones": [4, 8], "gamma": 0.5}]})
    # Schedules are computed in float64 whatever the parameters' dtype:
    # every schedule drives SGD with momentum in float64; float32 and Adam
    # (whose bias corrections see the scheduled rate differently) get the
    # OneCycleLR and ReduceLROnPlateau cases. Only the last step's
    # parameters are stored (with every step's rate): a wrong rate at any
    # step changes them.
    for s in scheds:
        metrics = None
        if s["type"] == "plateau":
            metrics = [float(m) if s.get("mode", "min") == "min" else -float(m) for m in METRICS]
        runs = [("sgd", "float64")]
        if s["type"] in ("onecycle", "plateau"):
            runs += [("sgd", "float32"), ("adam", "float64")]
        if s["type"] == "cyclic":
            runs += [("sgd", "float32"), ("rmsprop", "float64")]
            if s.get("cycle_momentum") is False:
                runs += [("adam", "float64")]
        if s in cycling:
            runs += [(o, dt) for o in ("adam", "adamw", "adamax", "nadam", "radam", "rmsprop") for dt in ("float64", "float32")
                     if (o, dt) not in runs]
        for solver, dt in runs:
            o = {"sgd": {"lr": 0.05, "momentum": 0.9}, "rmsprop": {"lr": 0.01, "momentum": 0.5}}.get(solver, {"lr": 0.05})
            c = run_case(solver, o, dt, init, grads, sched=s, metrics=metrics)
            c["final"] = c.pop("params")[-1]
            cases.append(c)
    write("schedules_breadth", init, grads, cases, SCHED_OUT)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(SCHED_OUT, exist_ok=True)
    init, grads = make_data(12, 4321)
    optimizer_file("adadelta", {"lr": [None, 0.5], "rho": [None, 0.5], "eps": [None, 1e-3],
                                "weight_decay": [0, 0.1], "maximize": [False, True]}, {}, init, grads)
    adam_like = {"betas": [None, [0.8, 0.9]], "eps": [None, 1e-3], "weight_decay": [0, 0.1]}
    optimizer_file("adamax", {**adam_like, "maximize": [False, True]}, {"lr": 0.05}, init, grads)
    optimizer_file("nadam", {**adam_like, "momentum_decay": [None, 0.1, 0.0]}, {"lr": 0.05}, init, grads)
    optimizer_file("radam", adam_like, {"lr": 0.05}, init, grads)
    sinit, sgrads = make_data(20, 8765)
    schedules(sinit, sgrads)


if __name__ == "__main__":
    main()
