#!/usr/bin/python3
"""Golden values for package ops (stheno/ops), from PyTorch 1.13.

Run from the repository root:  /usr/bin/python3 tools/golden/ops.py
Writes ops/testdata/{crossentropy,nll,bce,bcewithlogits,softmax}.json and,
for the regression and distribution losses,
ops/testdata/{mse,l1,smoothl1,huber,kldiv,gaussiannll,poissonnll}.json,
whose cases also hold the gradients with respect to the target
("grad_target") and, for GaussianNLL, the variance ("grad_var").

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


SHARED = ["x", "target", "weight", "pos_weight", "gout", "var"]


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


def run_many(fn, inputs, dtype):
    """Like run, for a loss of several inputs (input, target[, var]): the
    gradients of sum(out * gout) with respect to each of them."""
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    out = fn(*leaves)
    gen = torch.Generator().manual_seed(7)
    gout = torch.rand(out.shape, generator=gen, dtype=torch.float64).to(out.dtype) + 0.5
    if out.dim() == 0:
        gout = torch.ones((), dtype=out.dtype)
    (out * gout).sum().backward()
    case = {
        "x_shape": list(leaves[0].shape), "x": flat(leaves[0], dtype),
        "target_shape": list(leaves[1].shape), "target": flat(leaves[1], dtype),
        "out_shape": list(out.shape), "out": flat(out, dtype),
        "gout": flat(gout, dtype), "grad": flat(leaves[0].grad, dtype),
        "grad_target": flat(leaves[1].grad, dtype),
    }
    if len(leaves) > 2:
        case.update({"var_shape": list(leaves[2].shape), "var": flat(leaves[2], dtype),
                     "grad_var": flat(leaves[2].grad, dtype)})
    return case


# shapes of the regression losses: any shape, scalars too (not GaussianNLL,
# whose variance shapes need a last dimension)
REG_SHAPES = [(3, 4), (2, 3, 2), (5,), ()]


def reg_inputs(loss, shape, dtype, seed):
    """Input and target for a regression or distribution loss, with the
    edge cases each one has (ties, |d| = beta, zero targets, ...)."""
    g = torch.Generator().manual_seed(seed)
    dt = DTYPES[dtype]
    r = lambda: torch.randn(shape, generator=g, dtype=torch.float64)
    u = lambda: torch.rand(shape, generator=g, dtype=torch.float64)
    if shape == ():
        if loss == "kldiv":
            return torch.tensor(-0.7, dtype=dt), torch.tensor(0.3, dtype=dt)
        if loss == "poissonnll":
            return torch.tensor(0.4, dtype=dt), torch.tensor(3.0, dtype=dt)
        return torch.tensor(1.25, dtype=dt), torch.tensor(-0.5, dtype=dt)
    if loss == "kldiv":
        last = len(shape) - 1
        x = torch.log_softmax(r(), dim=last)
        t = torch.softmax(r() * 2, dim=last)
        t.reshape(-1)[1] = 0.0  # a zero target: loss 0, target gradient NaN as in PyTorch
        return x.to(dt), t.to(dt)
    if loss == "poissonnll":
        x = r()
        t = torch.floor(u() * 5)
        tf = t.reshape(-1)
        tf[0], tf[1], tf[2] = 0.0, 1.0, 2.5
        return x.to(dt), t.to(dt)
    x, t = r() * 2, r() * 2
    xf, tf = x.reshape(-1), t.reshape(-1)
    xf[0] = tf[0]  # a tie: d = 0
    return x.to(dt), t.to(dt)


def reg_cases(loss):
    cases = []
    for dtype, shape in itertools.product(DTYPES, REG_SHAPES):
        if loss == "gaussiannll" and shape == ():
            continue
        seed = len(cases) + 31
        x, t = reg_inputs(loss, shape, dtype, seed)
        dt = DTYPES[dtype]
        reds = REDUCTIONS + (["batchmean"] if loss == "kldiv" else [])
        if loss == "mse":
            opts = [{}]
        elif loss == "l1":
            opts = [{}]
        elif loss == "smoothl1":
            opts = [{}, {"beta": 0.5}, {"beta": 0.0}, {"beta": 2.0}]
        elif loss == "huber":
            opts = [{}, {"delta": 0.5}, {"delta": 2.0}]
        elif loss == "kldiv":
            opts = [{}, {"log_target": True}]
        elif loss == "gaussiannll":
            opts = [{}, {"full": True}, {"eps": 0.1}, {"full": True, "eps": 0.1}]
        elif loss == "poissonnll":
            opts = [{}, {"log_input": False}, {"full": True}, {"log_input": False, "full": True},
                    {"log_input": False, "eps": 0.5}]
        var_shapes = [None]
        if loss == "gaussiannll":
            var_shapes = [shape, shape[:-1], shape[:-1] + (1,)]
        for kw, red, vs in itertools.product(opts, reds, var_shapes):
            kw = dict(kw)
            xi, ti = x, t
            if loss == "poissonnll" and kw.get("log_input") is False:
                xi = x.abs() + 0.05  # rates
                if xi.numel() > 3:
                    xi.reshape(-1)[3] = 0.0  # log(0 + eps)
            if loss == "kldiv" and kw.get("log_target"):
                ti = torch.log(t.to(torch.float64) + 0.05).to(dt)
            inputs = [xi, ti]
            if vs is not None:
                g = torch.Generator().manual_seed(seed + 1000)
                v = torch.rand(vs, generator=g, dtype=torch.float64) + 0.2
                v.reshape(-1)[0] = 1e-3  # below eps = 0.1: clamped
                inputs.append(v.to(dt))
            f = {
                "mse": lambda a, b: F.mse_loss(a, b, reduction=red),
                "l1": lambda a, b: F.l1_loss(a, b, reduction=red),
                "smoothl1": lambda a, b: F.smooth_l1_loss(a, b, reduction=red, **kw),
                "huber": lambda a, b: F.huber_loss(a, b, reduction=red, **kw),
                "kldiv": lambda a, b: F.kl_div(a, b, reduction=red, **kw),
                "gaussiannll": lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction=red, **kw),
                "poissonnll": lambda a, b: F.poisson_nll_loss(a, b, reduction=red, **kw),
            }[loss]
            case = run_many(f, inputs, dtype)
            case.update({"dtype": dtype, "reduction": red})
            case.update(kw)
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
    for loss in ["mse", "l1", "smoothl1", "huber", "kldiv", "gaussiannll", "poissonnll"]:
        write(loss, reg_cases(loss))
