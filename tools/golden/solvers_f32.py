#!/usr/bin/python3
"""Bit-exact float32 trajectories of torch.optim (PyTorch 1.13) for Stheno's solvers.

Writes solvers/solvertest/testdata/float32.json: 20-step float32 trajectories of every solver with
every option set, on twelve parameters updated together (1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000
and 200003 elements: the vector main loop, every tail length of 8- and 16-lane kernels, and the
parallel split of Stheno's solvers, which cuts 200003 elements into three parts at 66667 and
133335). Gradients: a zero step, huge (x1e4), tiny (x1e-6) and mixed steps among ordinary ones.

The data are not stored but generated (here and in package solvertest) from a splitmix64 hash of
(seed, index), exactly representable in float32. The file keeps, per case and step, a hash of every
parameter's bits and a few sampled elements (first, last, both sides of each parallel cut), so that
it stays small.

Before writing, every trajectory is replayed in numpy float32 in the operation order Stheno claims
PyTorch uses (fused multiply-add for add(..., alpha=) and addcmul, addcdiv as self + (v*t1)/t2,
Adam's denominator sqrt(v)/sqrt(bc2) + eps) and must match PyTorch bit for bit; the same replay
without fused multiply-adds must not (the check would otherwise prove nothing).

Run: /usr/bin/python3 tools/golden/solvers_f32.py  (from the repository root)
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "solvers", "solvertest", "testdata", "float32.json")
STEPS = 20
SIZES = [1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000, 200003]
NAMES = ["p%d" % n for n in SIZES]
GRADS = ["normal"] * STEPS
for k, kind in {2: "zero", 5: "huge", 8: "tiny", 11: "mixed", 15: "huge", 17: "tiny"}.items():
    GRADS[k] = kind
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
F = np.float32


def mix(z):
    """splitmix64's finaliser on a uint64 array."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def gen(seed, n):
    """n float32 in [-1, 1) from (seed, index): mix(seed<<32 | j + golden gamma), top 24 bits."""
    with np.errstate(over="ignore"):
        z = mix((np.uint64(seed) << np.uint64(32)) + np.arange(n, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15))
    u = (z >> np.uint64(40)).astype(np.int64) - (1 << 23)
    return (u.astype(np.float64) / (1 << 23)).astype(np.float32)


def init(i):
    return gen(1000 * i, SIZES[i]) * F(2)


def grad(k, i):
    g = gen(1000 * i + k + 1, SIZES[i])
    kind = GRADS[k]
    if kind == "zero":
        return np.zeros_like(g)
    if kind == "huge":
        return g * F(1e4)
    if kind == "tiny":
        return g * F(1e-6)
    if kind == "mixed":
        j = np.arange(g.size) % 3
        return np.where(j == 0, F(0), np.where(j == 1, g * F(1e4), g * F(1e-6))).astype(np.float32)
    return g


def bits_hash(x):
    """Order-sensitive hash of a float32 array: the top 32 bits of the sum of mix(bits ^ (j << 32))
    mod 2^64, as 8 hex digits."""
    b = x.view(np.uint32).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = mix(b ^ (np.arange(x.size, dtype=np.uint64) << np.uint64(32))).sum(dtype=np.uint64)
    return "%08x" % (int(h) >> 32)


def samples(n):
    """Elements whose values are stored: the last (a tail element) and both sides of each parallel cut."""
    idx = {n - 1}
    if n >= 2 * 65536:  # Stheno's parallel split (par.Parts/Bounds with minWork 64Ki)
        parts = min(n // 65536, 8)
        for p in range(1, parts):
            c = n * p // parts
            idx |= {c - 1, c}
    return sorted(idx)


# ---- the operation order, replayed in numpy float32 ----

def fma(a, b, c, fused=True):
    """float32 a*b + c rounded once (exact product in float64, round-to-odd sum, then to float32)."""
    a, b, c = (np.asarray(x, np.float32) for x in (a, b, c))
    if not fused:
        return (a * b + c).astype(np.float32)
    a, b, c = (x.astype(np.float64) for x in (a, b, c))
    p = a * b
    s = p + c
    bb = s - p
    e = (p - (s - bb)) + (c - bb)
    bits = s.view(np.uint64).copy()
    fix = (e != 0) & np.isfinite(s) & ((bits & np.uint64(1)) == 0)
    up = (e > 0) == (s > 0)
    bits = np.where(fix, np.where(up, bits + np.uint64(1), bits - np.uint64(1)), bits)
    return bits.view(np.float64).astype(np.float32)


def replay_step(solver, o, st, p, g, k, lr, fused):
    """One step of solver on float32 arrays in PyTorch 1.13's order (state st is updated)."""
    f = lambda a, b, c: fma(a, b, c, fused)
    d = -g if o.get("maximize") else g
    wd = o.get("weight_decay", 0.01 if solver == "adamw" else 0)
    if solver == "adamw":
        p = p * F(1 - lr * wd)
    elif wd:
        d = f(p, F(wd), d)
    if solver == "sgd":
        mom, damp = o.get("momentum", 0), o.get("dampening", 0)
        if mom:
            buf = st.get("b")
            buf = d.copy() if buf is None else f(d, F(1 - damp), buf * F(mom))
            st["b"] = buf
            d = f(buf, F(mom), d) if o.get("nesterov") else buf
        return f(d, F(-lr), p)
    if solver in ("adam", "adamw"):
        b1, b2 = o.get("betas", (0.9, 0.999))
        m = f(d, F(1 - b1), st.get("m", np.zeros_like(p)) * F(b1))
        v = f(d * F(1 - b2), d, st.get("v", np.zeros_like(p)) * F(b2))
        st["m"], st["v"] = m, v
        bc1, bc2 = 1 - b1 ** k, 1 - b2 ** k
        if o.get("amsgrad"):
            v = st["x"] = np.maximum(st.get("x", np.zeros_like(p)), v)
        den = np.sqrt(v) / F(math.sqrt(bc2)) + F(o.get("eps", 1e-8))
        return p + (F(-(lr / bc1)) * m) / den
    if solver == "rmsprop":
        alpha = o.get("alpha", 0.99)
        sq = st["sq"] = f(d * F(1 - alpha), d, st.get("sq", np.zeros_like(p)) * F(alpha))
        if o.get("centered"):
            ga = st["ga"] = f(d, F(1 - alpha), st.get("ga", np.zeros_like(p)) * F(alpha))
            avg = np.sqrt(f(-ga, ga, sq))
        else:
            avg = np.sqrt(sq)
        avg = avg + F(o.get("eps", 1e-8))
        if o.get("momentum", 0) > 0:
            b = st["b"] = st.get("b", np.zeros_like(p)) * F(o["momentum"]) + d / avg
            return f(b, F(-lr), p)
        return p + (F(-lr) * d) / avg
    if solver == "adagrad":
        clr = lr / (1 + (k - 1) * o.get("lr_decay", 0))
        s = st["s"] = f(d, d, st.get("s", np.full_like(p, F(o.get("initial_accumulator_value", 0)))))
        return p + (F(-clr) * d) / (np.sqrt(s) + F(o.get("eps", 1e-10)))
    raise ValueError(solver)


# ---- PyTorch ----

def make_sched(opt, spec):
    if spec is None:
        return None
    S = torch.optim.lr_scheduler
    if spec["type"] == "step":
        return S.StepLR(opt, step_size=spec["step_size"], gamma=spec["gamma"])
    if spec["type"] == "warmup_cosine":
        w = S.LinearLR(opt, start_factor=spec["start"], end_factor=1.0, total_iters=spec["warmup"])
        c = S.CosineAnnealingLR(opt, T_max=spec["t_max"], eta_min=spec["eta_min"])
        return S.SequentialLR(opt, [w, c], milestones=[spec["warmup"]])
    raise ValueError(spec)


CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}


def run_case(solver, opts, sched=None, clip=None):
    params = [torch.tensor(init(i)).requires_grad_() for i in range(len(SIZES))]
    o = dict(opts)
    if "betas" in o:
        o["betas"] = tuple(o["betas"])
    opt = CLASSES[solver](params, foreach=False, **o)
    sch = make_sched(opt, sched)
    replays = {fused: ([init(i) for i in range(len(SIZES))], [{} for _ in SIZES]) for fused in (True, False)}
    lrs, hashes, values = [], [], []
    unfused_diff = 0
    for k in range(STEPS):
        for i, p in enumerate(params):
            p.grad = torch.tensor(grad(k, i))
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        lr = opt.param_groups[0]["lr"]
        lrs.append(lr)
        opt.step()
        if sch is not None:
            sch.step()
        got = [p.detach().numpy() for p in params]
        if clip is None:
            for fused, (ps, sts) in replays.items():
                for i in range(len(SIZES)):
                    ps[i] = replay_step(solver, o, sts[i], ps[i], grad(k, i), k + 1, lr, fused)
                    same = np.array_equal(ps[i].view(np.uint32), got[i].view(np.uint32))
                    if fused and not same:
                        bad = int((ps[i].view(np.uint32) != got[i].view(np.uint32)).sum())
                        raise SystemExit("%s %s step %d %s: the replay in PyTorch's order differs from PyTorch in %d elements"
                                         % (solver, opts, k, NAMES[i], bad))
                    if not fused and not same:
                        unfused_diff += 1
        hashes.append([bits_hash(x) for x in got])
        # repr of a float32 is its shortest round-trip decimal
        values.append([[float(repr(x[j])) for j in samples(x.size)] for x in got])
    return {"solver": solver, "dtype": "float32", "options": opts, "schedule": sched, "clip": clip, "exact": clip is None,
            "lrs": lrs, "hashes": hashes, "values": values}, unfused_diff


OPTION_SETS = {
    "sgd": [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "momentum": 0.9},
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1, "maximize": True},
            {"lr": 0.05, "maximize": True}],
    "adam": [{}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "amsgrad": True},
             {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
             {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-3}],
    "rmsprop": [{}, {"lr": 0.01, "alpha": 0.9, "weight_decay": 0.1}, {"lr": 0.01, "momentum": 0.9},
                {"lr": 0.01, "centered": True}, {"lr": 0.01, "centered": True, "momentum": 0.9},
                {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}],
    "adagrad": [{}, {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1},
                {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3}, {"lr": 0.1, "maximize": True}],
}
OPTION_SETS["adamw"] = [dict(o) for o in OPTION_SETS["adam"]]
OPTION_SETS["adamw"][1]["weight_decay"] = 0.05


def main():
    cases = []
    for solver, sets in OPTION_SETS.items():
        for o in sets:
            c, unfused = run_case(solver, o)
            if unfused == 0:
                raise SystemExit("%s %s: the unfused replay matches PyTorch too; the golden does not tell the orders apart" % (solver, o))
            print(solver, o, "bit-identical; the unfused order differs in %d of %d parameter-steps" % (unfused, STEPS * len(SIZES)))
            cases.append(c)
    for solver, o, s in [("sgd", {"lr": 0.05, "momentum": 0.9}, {"type": "step", "step_size": 4, "gamma": 0.5}),
                         ("adam", {"lr": 0.05}, {"type": "warmup_cosine", "start": 0.1, "warmup": 3, "t_max": 17, "eta_min": 0.0})]:
        cases.append(run_case(solver, o, sched=s)[0])
    for solver, o in [("sgd", {"lr": 0.05, "momentum": 0.9}), ("adam", {"lr": 0.05})]:
        cases.append(run_case(solver, o, clip=1.0)[0])
    doc = {"generated": {"kind": "splitmix", "names": NAMES, "sizes": SIZES, "init_scale": 2.0, "grads": GRADS,
                         "samples": [samples(n) for n in SIZES]},
           "torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()
           if hasattr(torch.backends, "cpu") and hasattr(torch.backends.cpu, "get_cpu_capability") else "AVX2",
           "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
    print(OUT, len(cases), "cases", os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
