#!/usr/bin/python3
"""Golden values for package ops (stheno/ops), from PyTorch 1.13.

Run from the repository root:  /usr/bin/python3 tools/golden/ops.py
Writes ops/testdata/{crossentropy,nll,bce,bcewithlogits,softmax}.json.

Every case holds the inputs, the options, the loss ("out", flattened) and
the gradient of sum(out * gout) with respect to the input ("grad"). Input
arrays (x, target, weight, pos_weight, gout) are stored once per file in
"arrays" and cases refer to them by index (-1: none), which keeps the files
small (< 200 KB in all). Float64 cases are computed in float64 and written
with 17 significant digits; float32 cases in float32 with 9. NaN and
infinities are written as the strings "NaN", "Inf", "-Inf". Files are
written atomically (temp file + rename).
"""
import itertools
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ops", "testdata")
DTYPES = {"float64": torch.float64, "float32": torch.float32}
REDUCTIONS = ["mean", "sum", "none"]


def num(v, dtype):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return float(("%.17g" if dtype == "float64" else "%.9g") % v)


def flat(t, dtype):
    return [num(v, dtype) for v in t.detach().reshape(-1).tolist()]


def ints(t):
    return [int(v) for v in t.reshape(-1).tolist()]


def run(fn, x, dtype, target=None):
    x = x.clone().requires_grad_(True)
    out = fn(x)
    gen = torch.Generator().manual_seed(7)
    gout = torch.rand(out.shape, generator=gen, dtype=torch.float64).to(out.dtype) + 0.5
    if out.dim() == 0:
        gout = torch.ones((), dtype=out.dtype)
    (out * gout).sum().backward()
    return {
        "x_shape": list(x.shape), "x": flat(x, dtype),
        "out_shape": list(out.shape), "out": flat(out, dtype),
        "gout": flat(gout, dtype), "grad": flat(x.grad, dtype),
    }


SHARED = ["x", "target", "weight", "pos_weight", "gout"]


def write(name, cases):
    """Writes the cases; the arrays in SHARED are stored once in "arrays"
    and each case refers to them by index (-1 for none)."""
    arrays, index = [], {}
    for c in cases:
        for k in SHARED:
            if k not in c:
                continue
            if c[k] is None:
                c[k] = -1
                continue
            key = json.dumps(c[k])
            if key not in index:
                index[key] = len(arrays)
                arrays.append(c[k])
            c[k] = index[key]
    path = os.path.join(OUT, name + ".json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"torch": torch.__version__, "arrays": arrays, "cases": cases}, f, separators=(",", ":"))
    os.replace(tmp, path)
    print(path, len(cases), "cases", os.path.getsize(path), "bytes")


# shapes of the class losses: (N, C), (N, C, d1, d2), (C)
CLASS_SHAPES = [(3, 4), (2, 3, 1, 2), (4,)]


def class_inputs(shape, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(shape, generator=g, dtype=torch.float64) * 2).to(DTYPES[dtype])
    c = shape[1] if len(shape) > 1 else shape[0]
    pos = tuple(shape[:1] + shape[2:]) if len(shape) > 1 else ()
    t = torch.randint(0, c, pos, generator=g)
    # make sure class 1 (the ignore index used) and some other class occur
    tf = t.reshape(-1)
    tf[0] = 1
    if tf.numel() > 1:
        tf[-1] = 0
    probs = torch.softmax(torch.randn(shape, generator=g, dtype=torch.float64), dim=1 if len(shape) > 1 else 0)
    w = (torch.rand(c, generator=g, dtype=torch.float64) + 0.5).to(DTYPES[dtype])
    return x, t, probs.to(DTYPES[dtype]), w


def class_cases(loss):
    cases = []
    for dtype, shape in itertools.product(DTYPES, CLASS_SHAPES):
        x, t, probs, w = class_inputs(shape, dtype, seed=len(cases) + 1)
        kinds = ["index", "prob"] if loss == "crossentropy" else ["index"]
        smooths = [0.0, 0.1] if loss == "crossentropy" else [0.0]
        for kind, red, weighted, ignore, eps in itertools.product(kinds, REDUCTIONS, [False, True], [None, 1], smooths):
            if kind == "prob" and ignore is not None:
                continue  # PyTorch ignores ignore_index for probability targets
            target = t if kind == "index" else probs
            kw = {"reduction": red}
            if weighted:
                kw["weight"] = w
            if ignore is not None:
                kw["ignore_index"] = ignore
            if loss == "crossentropy":
                kw["label_smoothing"] = eps
                fn = lambda x: F.cross_entropy(x, target, **kw)
            else:
                fn = lambda x: F.nll_loss(x, target, **kw)
            case = run(fn, x, dtype)
            case.update({
                "dtype": dtype, "target_kind": kind, "reduction": red,
                "target_shape": list(target.shape),
                "target": ints(target) if kind == "index" else flat(target, dtype),
                "weight": flat(w, dtype) if weighted else None,
                "ignore_index": ignore, "label_smoothing": eps,
            })
            cases.append(case)
    # all targets ignored, mean: NaN as in PyTorch
    for dtype in DTYPES:
        x, t, _, w = class_inputs((3, 4), dtype, seed=99)
        t[:] = 2
        for weighted in [False, True]:
            kw = {"ignore_index": 2}
            if weighted:
                kw["weight"] = w
            if loss == "crossentropy":
                out = F.cross_entropy(x, t, **kw)
            else:
                out = F.nll_loss(x, t, **kw)
            cases.append({"dtype": dtype, "target_kind": "index", "reduction": "mean",
                          "x_shape": [3, 4], "x": flat(x, dtype), "target_shape": [3], "target": ints(t),
                          "weight": flat(w, dtype) if weighted else None, "ignore_index": 2,
                          "label_smoothing": 0.0, "out_shape": [], "out": flat(out, dtype),
                          "gout": None, "grad": None})
    return cases


def binary_cases(loss):
    cases = []
    shapes = [(3, 4), (2, 2, 3)]
    for dtype, shape in itertools.product(DTYPES, shapes):
        g = torch.Generator().manual_seed(len(cases) + 11)
        dt = DTYPES[dtype]
        y = torch.rand(shape, generator=g, dtype=torch.float64).to(dt)
        yf = y.reshape(-1)
        yf[0], yf[1], yf[2] = 0, 1, 1
        if loss == "bce":
            x = torch.rand(shape, generator=g, dtype=torch.float64).to(dt)
            xf = x.reshape(-1)
            xf[0], xf[1], xf[3] = 0, 1, 0  # p = 0 or 1, matching and mismatching targets
        else:
            x = (torch.randn(shape, generator=g, dtype=torch.float64) * 3).to(dt)
            xf = x.reshape(-1)
            xf[0], xf[1], xf[3], xf[4] = 1e4, -1e4, -1e4, 1e4
        w = (torch.rand(shape[-1:], generator=g, dtype=torch.float64) + 0.5).to(dt)
        wfull = (torch.rand(shape, generator=g, dtype=torch.float64) + 0.5).to(dt)
        pw = (torch.rand(shape[-1:], generator=g, dtype=torch.float64) * 3).to(dt)
        pws = [None, pw] if loss == "bcewithlogits" else [None]
        for red, weight, posw in itertools.product(REDUCTIONS, [None, w, wfull], pws):
            kw = {"reduction": red}
            if weight is not None:
                kw["weight"] = weight
            if posw is not None:
                kw["pos_weight"] = posw
            if loss == "bce":
                fn = lambda x: F.binary_cross_entropy(x, y, **kw)
            else:
                fn = lambda x: F.binary_cross_entropy_with_logits(x, y, **kw)
            case = run(fn, x, dtype)
            case.update({
                "dtype": dtype, "reduction": red, "target_shape": list(y.shape), "target": flat(y, dtype),
                "weight_shape": list(weight.shape) if weight is not None else None,
                "weight": flat(weight, dtype) if weight is not None else None,
                "pos_weight": flat(posw, dtype) if posw is not None else None,
            })
            cases.append(case)
    return cases


def softmax_cases():
    cases = []
    for dtype, log, (shape, axis) in itertools.product(DTYPES, [False, True], [
            ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), -1), ((5,), 0), ((3, 4), -2)]):
        g = torch.Generator().manual_seed(len(cases) + 21)
        x = (torch.randn(shape, generator=g, dtype=torch.float64) * 3).to(DTYPES[dtype])
        xf = x.reshape(-1)
        xf[-1] = 200.0  # a large logit outside row 0
        fn = (lambda x: F.log_softmax(x, dim=axis)) if log else (lambda x: F.softmax(x, dim=axis))
        case = run(fn, x, dtype)
        case.update({"dtype": dtype, "log": log, "axis": axis})
        cases.append(case)
    return cases


if __name__ == "__main__":
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    write("crossentropy", class_cases("crossentropy"))
    write("nll", class_cases("nll"))
    write("bce", binary_cases("bce"))
    write("bcewithlogits", binary_cases("bcewithlogits"))
    write("softmax", softmax_cases())
