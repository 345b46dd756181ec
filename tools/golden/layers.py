#!/usr/bin/python3
"""Golden values for package layers, computed with PyTorch 1.13.

Writes layers/testdata/<layer>.json. Each file holds a list of cases; every case has the layer
configuration, the input x, the parameters and buffers (PyTorch state_dict names and layouts), the
output of the layer, and the gradients of sum(out * r) (r a fixed random tensor) with respect to x
and every parameter. BatchNorm cases also hold the buffers after one forward pass.

Cases come in float64 and float32 (same inputs, computed by torch in that dtype).

Run from the repository root:  /usr/bin/python3 tools/golden/layers.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "layers", "testdata")


def arr(t):
    t = t.detach()
    vals = t.reshape(-1).tolist()
    if t.dtype == torch.float32:  # the shortest decimal that reads back as the same float32
        vals = [float(str(np.float32(v))) for v in vals]
    return {"shape": list(t.shape), "data": [float(v) for v in vals]}


def short(t):
    """t with every value rounded to 6 significant digits: the inputs of a case (x, r, parameters,
    buffers) are then exactly their short decimal form in the JSON, in both dtypes; the outputs
    are stored in full."""
    vals = [float("%.6g" % v) for v in t.detach().reshape(-1).tolist()]
    return torch.tensor(vals, dtype=t.dtype).reshape(t.shape)


def run(name, module, x64, train, cfg, layer, dtype):
    """Runs module (already holding float64 weights) on x64 in dtype and returns one case."""
    dt = torch.float64 if dtype == "float64" else torch.float32
    with torch.no_grad():
        for v in list(module.parameters()) + list(module.buffers()):
            if v.is_floating_point():
                v.copy_(short(v))
    module = module.to(dt)
    module.train(train)
    x = x64.clone().to(dt).requires_grad_(True)
    params_before = {k: arr(v) for k, v in module.named_parameters()}
    buffers_before = {k: arr(v) for k, v in module.named_buffers()}
    out = module(x)
    g = torch.Generator().manual_seed(7)
    r = short(torch.randn(out.shape, generator=g, dtype=torch.float64)).to(dt)
    (out * r).sum().backward()
    case = {
        "name": name,
        "layer": layer,
        "dtype": dtype,
        "train": train,
        "cfg": cfg,
        "x": arr(x),
        "r": arr(r),
        "params": params_before,
        "buffers": buffers_before,
        "out": arr(out),
        "grad_x": arr(x.grad),
        "grads": {k: arr(v.grad) for k, v in module.named_parameters()},
        "buffers_after": {k: arr(v) for k, v in module.named_buffers()},
    }
    return case


def both(cases, name, make, x64, train, cfg, layer):
    for dtype in ("float64", "float32"):
        m = make()
        cases.append(run(name, m, x64, train, cfg, layer, dtype))


def randn(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return short(torch.randn(*shape, generator=g, dtype=torch.float64))


def write(fname, cases):
    path = os.path.join(OUT, fname)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"generator": "tools/golden/layers.py", "torch": torch.__version__, "cases": cases}, f)
    os.replace(tmp, path)
    print(path, os.path.getsize(path))


def seeded(make, seed):
    def f():
        torch.manual_seed(seed)
        m = make()
        return m.double()
    return f


def init_bn(m, feats, seed, tracked):
    """m with a seeded, non-trivial state: weight and bias (if affine), running statistics and
    num_batches_tracked = tracked (if it tracks them), drawn in that order."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if m.affine:
            m.weight.copy_(1 + 0.5 * torch.randn(feats, generator=g, dtype=torch.float64))
            m.bias.copy_(0.5 * torch.randn(feats, generator=g, dtype=torch.float64))
        if m.track_running_stats:
            m.running_mean.copy_(0.3 * torch.randn(feats, generator=g, dtype=torch.float64))
            m.running_var.copy_(0.5 + torch.rand(feats, generator=g, dtype=torch.float64))
            m.num_batches_tracked.fill_(tracked)
    return m


def main():
    os.makedirs(OUT, exist_ok=True)

    # Linear
    cases = []
    for i, (n, fin, fout, bias) in enumerate([(4, 5, 3, True), (4, 5, 3, False), (1, 7, 2, True)]):
        cfg = {"in": fin, "out": fout, "nobias": 0 if bias else 1}
        both(cases, "linear%d" % i, seeded(lambda: nn.Linear(fin, fout, bias=bias), i), randn(n, fin, seed=i),
             True, cfg, "Linear")
    write("linear.json", cases)

    # Conv2D
    cases = []
    combos = [
        # n, c, h, w, o, k, s, p, bias
        (2, 2, 6, 6, 4, 3, 1, 0, True),
        (2, 2, 6, 6, 3, 3, 1, 1, True),
        (2, 3, 7, 6, 4, 3, 2, 1, False),
        (2, 2, 8, 8, 3, 2, 2, 0, True),
        (1, 2, 9, 7, 3, 5, 3, 2, True),
        (3, 1, 5, 5, 2, 1, 1, 0, False),
    ]
    for i, (n, c, h, w, o, k, s, p, bias) in enumerate(combos):
        cfg = {"in": c, "out": o, "kernel": k, "stride": s, "padding": p, "nobias": 0 if bias else 1}
        both(cases, "conv%d" % i,
             seeded(lambda: nn.Conv2d(c, o, k, stride=s, padding=p, bias=bias), 10 + i),
             randn(n, c, h, w, seed=10 + i), True, cfg, "Conv2D")
    write("conv2d.json", cases)

    # Pools
    cases = []
    for i, (k, s, p, shape) in enumerate([(2, 2, 0, (2, 3, 6, 6)), (3, 2, 1, (2, 2, 7, 7)),
                                          (2, 1, 0, (1, 2, 5, 4)), (3, 3, 0, (2, 1, 8, 7))]):
        cfg = {"kernel": k, "stride": s, "padding": p}
        both(cases, "maxpool%d" % i, lambda: nn.MaxPool2d(k, stride=s, padding=p), randn(*shape, seed=20 + i),
             True, cfg, "MaxPool2D")
        both(cases, "avgpool%d" % i, lambda: nn.AvgPool2d(k, stride=s, padding=p), randn(*shape, seed=20 + i),
             True, cfg, "AvgPool2D")
    write("pool.json", cases)

    # BatchNorm
    cases = []

    def bn(cls, feats, seed, momentum=0.1, eps=1e-5):
        def f():
            return init_bn(cls(feats, eps=eps, momentum=momentum).double(), feats, seed, 3)
        return f

    for train in (True, False):
        t = "train" if train else "eval"
        both(cases, "bn1d_%s" % t, bn(nn.BatchNorm1d, 4, 30), 2 + 3 * randn(6, 4, seed=30), train,
             {"features": 4}, "BatchNorm1D")
        both(cases, "bn1d3_%s" % t, bn(nn.BatchNorm1d, 3, 31, momentum=0.3), randn(5, 3, 4, seed=31), train,
             {"features": 3, "momentum": 0.3}, "BatchNorm1D")
        both(cases, "bn2d_%s" % t, bn(nn.BatchNorm2d, 4, 32), 1 + randn(3, 4, 5, 5, seed=32), train,
             {"features": 4}, "BatchNorm2D")
        both(cases, "bn2d_eps_%s" % t, bn(nn.BatchNorm2d, 2, 33, eps=1e-3), randn(2, 2, 3, 4, seed=33), train,
             {"features": 2, "eps": 1e-3}, "BatchNorm2D")
    write("batchnorm.json", cases)

    # Activations and shape layers
    cases = []
    x = 2 * randn(3, 4, 5, seed=40)
    both(cases, "relu", lambda: nn.ReLU(), x, True, {}, "ReLU")
    both(cases, "leaky", lambda: nn.LeakyReLU(), x, True, {}, "LeakyReLU")
    both(cases, "leaky02", lambda: nn.LeakyReLU(0.2), x, True, {"slope": 0.2}, "LeakyReLU")
    both(cases, "tanh", lambda: nn.Tanh(), x, True, {}, "Tanh")
    both(cases, "sigmoid", lambda: nn.Sigmoid(), x, True, {}, "Sigmoid")
    both(cases, "gelu", lambda: nn.GELU(), 3 * randn(4, 6, seed=41), True, {}, "GELU")
    both(cases, "flatten", lambda: nn.Flatten(), randn(2, 3, 4, 5, seed=42), True, {}, "Flatten")
    both(cases, "mlp", seeded(lambda: nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)), 43),
         randn(4, 6, seed=43), True, {}, "MLP")
    both(cases, "cnn", seeded(lambda: nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                                                    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 4 * 4, 4)), 44),
         randn(2, 1, 8, 8, seed=44), True, {}, "CNN")
    write("activation.json", cases)

    write("defaults.json", defaults())
    write("conv2d_options.json", conv_options())
    write("pool_options.json", pool_options())
    write("batchnorm_options.json", batchnorm_options())
    write("activation_options.json", activation_options())
    write("blocks.json", blocks())
    write("pad.json", pads())
    write("adaptive.json", adaptive())
    write("unpool.json", unpool())
    write("conv1d.json", one_d())
    write_block_checkpoints()
    check_go_blocks()


def hw(v):
    return [v, v] if isinstance(v, int) else list(v)


def conv_options():
    """Conv2d with non-square kernel/stride/padding, dilation, groups (depthwise), padding='same',
    1×1 and unbatched inputs. cfg "sq": 1 means the Go layer uses the int forms."""
    cases = []
    combos = [
        # name, x shape, out, kernel, stride, padding, dilation, groups, bias, sq
        ("nonsquare", (2, 3, 7, 6), 4, (3, 2), (2, 1), (1, 0), 1, 1, True, False),
        ("dilation2", (2, 2, 8, 8), 3, 3, 1, 2, 2, 1, True, True),
        ("dilation_nonsquare", (1, 2, 9, 7), 2, (2, 3), (1, 2), (1, 1), (2, 1), 1, True, False),
        ("groups2", (2, 4, 6, 6), 6, 3, 1, 1, 1, 2, True, True),
        ("depthwise", (2, 3, 5, 5), 3, 3, 1, 1, 1, 3, False, True),
        ("depthwise_mult2_stride2", (1, 2, 5, 6), 4, 3, 2, 0, 1, 2, True, True),
        ("same_odd", (2, 2, 5, 5), 3, 3, 1, "same", 1, 1, True, True),
        ("same_even_uneven", (2, 2, 6, 5), 2, (4, 2), 1, "same", 1, 1, True, False),
        ("same_dilated", (1, 2, 7, 7), 2, 3, 1, "same", 2, 1, True, True),
        ("valid", (1, 2, 5, 5), 2, 3, 1, "valid", 1, 1, True, True),
        ("pointwise", (2, 4, 5, 5), 3, 1, 1, 0, 1, 1, True, True),
        ("resnet_stem", (1, 3, 12, 12), 4, 7, 2, 3, 1, 1, False, True),
        ("groups_kernel_path", (1, 4, 4, 4), 32, 3, 1, 1, 1, 2, True, True),
        ("unbatched", (3, 6, 6), 2, 3, 1, 1, 1, 1, True, True),
        ("depthwise_s2p1", (2, 3, 7, 8), 3, 3, 2, 1, 1, 3, True, True),
        ("depthwise_s3_dilated_nonsquare", (1, 2, 7, 10), 4, (3, 2), (1, 3), (2, 1), (2, 1), 2, True, False),
        ("depthwise_s2_odd_width", (1, 2, 5, 9), 2, 3, 2, 1, 1, 2, True, True),
    ]
    for i, (name, shape, o, k, st, pad, d, groups, bias, sq) in enumerate(combos):
        c = shape[0] if len(shape) == 3 else shape[1]
        cfg = {"in": c, "out": o, "groups": groups, "nobias": 0 if bias else 1, "sq": 1 if sq else 0}
        for key, v in (("kernel", k), ("stride", st), ("dilation", d)):
            cfg[key] = hw(v)
        if pad == "same":
            cfg["same"] = 1
        elif pad != "valid":
            cfg["padding"] = hw(pad)
        both(cases, name, seeded(lambda: nn.Conv2d(c, o, k, stride=st, padding=pad, dilation=d, groups=groups,
                                                   bias=bias), 60 + i),
             randn(*shape, seed=60 + i), True, cfg, "Conv2DOpt")
    return cases


def pool_options():
    """MaxPool2d and AvgPool2d with non-square windows, dilation, ceil_mode, count_include_pad=False,
    divisor_override and unbatched inputs."""
    cases = []
    maxes = [
        # name, x shape, kernel, stride, padding, dilation, ceil
        ("max_nonsquare", (2, 2, 7, 6), (3, 2), (2, 1), (1, 0), 1, False),
        ("max_dilation2", (1, 2, 8, 8), 3, 1, 0, 2, False),
        ("max_dilation_nonsquare", (1, 2, 9, 8), (2, 3), (2, 1), (1, 1), (2, 1), False),
        ("max_ceil", (2, 2, 8, 8), 3, 2, 0, 1, True),
        ("max_ceil_pad", (1, 2, 6, 7), 3, 2, 1, 1, True),
        ("max_ceil_dilation", (1, 1, 7, 7), 2, 2, 0, 2, True),
        ("max_2x2_ceil_odd", (1, 2, 5, 7), 2, 2, 0, 1, True),
        ("max_unbatched", (2, 6, 6), 2, 2, 0, 1, False),
    ]
    for i, (name, shape, k, st, pad, d, ceil) in enumerate(maxes):
        cfg = {"kernel": hw(k), "stride": hw(st), "padding": hw(pad), "dilation": hw(d), "ceil": int(ceil)}
        both(cases, name, lambda: nn.MaxPool2d(k, stride=st, padding=pad, dilation=d, ceil_mode=ceil),
             randn(*shape, seed=80 + i), True, cfg, "MaxPool2DOpt")
    avgs = [
        # name, x shape, kernel, stride, padding, ceil, count_include_pad, divisor_override
        ("avg_nonsquare", (2, 2, 7, 6), (3, 2), (2, 1), (1, 1), False, True, None),
        ("avg_ceil", (2, 2, 8, 8), 3, 2, 0, True, True, None),
        ("avg_exclude_pad", (1, 2, 7, 7), 3, 2, 1, False, False, None),
        ("avg_ceil_exclude_pad", (1, 2, 6, 6), 3, 2, 1, True, False, None),
        ("avg_ceil_include_pad", (1, 2, 6, 6), 3, 2, 1, True, True, None),
        ("avg_divisor", (1, 2, 4, 6), 2, 2, 0, False, True, 5),
        ("avg_divisor_pad_ceil", (1, 1, 7, 6), 3, 2, 1, True, True, 4),
        ("avg_unbatched", (2, 5, 5), 2, 1, 0, False, True, None),
    ]
    for i, (name, shape, k, st, pad, ceil, incl, div) in enumerate(avgs):
        cfg = {"kernel": hw(k), "stride": hw(st), "padding": hw(pad), "ceil": int(ceil),
               "exclude_pad": 0 if incl else 1, "divisor": div or 0}
        both(cases, name, lambda: nn.AvgPool2d(k, stride=st, padding=pad, ceil_mode=ceil, count_include_pad=incl,
                                               divisor_override=div),
             randn(*shape, seed=90 + i), True, cfg, "AvgPool2DOpt")
    return cases


def batchnorm_options():
    """BatchNorm with affine=False, track_running_stats=False (batch statistics in eval mode too)
    and momentum=None, in train and eval mode."""
    cases = []

    def make(cls, feats, seed, **kw):
        def f():
            return init_bn(cls(feats, **kw).double(), feats, seed, 2)
        return f

    for train in (True, False):
        t = "train" if train else "eval"
        for name, cls, feats, shape, kw in [
            ("bn1d_noaffine", nn.BatchNorm1d, 3, (5, 3), {"affine": False}),
            ("bn2d_noaffine", nn.BatchNorm2d, 2, (3, 2, 3, 4), {"affine": False}),
            ("bn1d3_norunning", nn.BatchNorm1d, 3, (4, 3, 2), {"track_running_stats": False}),
            ("bn2d_norunning", nn.BatchNorm2d, 2, (3, 2, 3, 3), {"track_running_stats": False}),
            ("bn2d_bare", nn.BatchNorm2d, 3, (2, 3, 2, 3), {"affine": False, "track_running_stats": False}),
            ("bn1d_noaffine_momentumNone", nn.BatchNorm1d, 4, (6, 4), {"affine": False, "momentum": None}),
        ]:
            cfg = {"features": feats, "noaffine": int(not kw.get("affine", True)),
                   "norunning": int(not kw.get("track_running_stats", True)),
                   "cumulative": int("momentum" in kw and kw["momentum"] is None)}
            layer = "BatchNorm1D" if cls is nn.BatchNorm1d else "BatchNorm2D"
            both(cases, "%s_%s" % (name, t), make(cls, feats, 100 + len(cases), **kw), 1 + randn(*shape, seed=100 + len(cases)),
                 train, cfg, layer)
    return cases


def activation_options():
    """GELU(approximate='tanh') and Flatten(start_dim, end_dim)."""
    cases = []
    both(cases, "gelu_tanh", lambda: nn.GELU(approximate="tanh"), 3 * randn(4, 6, seed=110), True,
         {"approximate": "tanh"}, "GELUOpt")
    both(cases, "gelu_none", lambda: nn.GELU(approximate="none"), 3 * randn(4, 6, seed=111), True,
         {"approximate": "none"}, "GELUOpt")
    x = randn(2, 3, 4, 5, seed=112)
    for name, start, end in [("flatten_all", 0, -1), ("flatten_mid", 1, 2), ("flatten_tail", 2, 3),
                             ("flatten_neg", -3, -2), ("flatten_one", 2, 2), ("flatten_lead", 0, 1)]:
        both(cases, name, lambda: nn.Flatten(start, end), x, True, {"start": start, "end": end}, "FlattenOpt")
    return cases


def blocks():
    """Models built from the new options with PyTorch's weights: a MobileNet-style block
    (depthwise 3×3 + BatchNorm + ReLU, pointwise 1×1 + BatchNorm + ReLU) and a ResNet stem
    (7×7/2 convolution without bias, BatchNorm, ReLU, 3×3/2 max pooling with padding 1 and
    ceil_mode, which on this 11×11 input keeps a last window a floor-mode pooling drops), in train
    and eval mode."""
    cases = []
    mobilenet = lambda: nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.Conv2d(4, 8, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
    stem = lambda: nn.Sequential(nn.Conv2d(3, 4, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                                 nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True))
    for train in (True, False):
        t = "train" if train else "eval"
        both(cases, "mobilenet_" + t, seeded(mobilenet, 120), randn(2, 4, 6, 6, seed=120), train, {}, "MobileNetBlock")
        both(cases, "resnet_stem_" + t, seeded(stem, 121), randn(1, 3, 11, 11, seed=121), train, {}, "ResNetStem")
    return cases


def pads():
    """ZeroPad2d, ConstantPad2d, ReflectionPad2d and ReplicationPad2d (int and (left, right, top,
    bottom) forms, batched and unbatched), and Conv2d's padding_mode reflect/replicate/circular."""
    cases = []
    x = randn(2, 2, 4, 5, seed=130)
    for name, make, cfg, xx in [
        ("zero_int", lambda: nn.ZeroPad2d(2), {"mode": "zero", "padding": [2, 2, 2, 2]}, x),
        ("zero_lrtb", lambda: nn.ZeroPad2d((1, 0, 2, 1)), {"mode": "zero", "padding": [1, 0, 2, 1]}, x),
        ("constant", lambda: nn.ConstantPad2d((1, 2, 0, 1), 3.5), {"mode": "constant", "padding": [1, 2, 0, 1], "value": 3.5}, x),
        ("reflect", lambda: nn.ReflectionPad2d((2, 1, 1, 3)), {"mode": "reflect", "padding": [2, 1, 1, 3]}, x),
        ("reflect_unbatched", lambda: nn.ReflectionPad2d(1), {"mode": "reflect", "padding": [1, 1, 1, 1]}, randn(2, 3, 3, seed=131)),
        ("replicate", lambda: nn.ReplicationPad2d((3, 0, 1, 2)), {"mode": "replicate", "padding": [3, 0, 1, 2]}, x),
        ("replicate_int", lambda: nn.ReplicationPad2d(2), {"mode": "replicate", "padding": [2, 2, 2, 2]}, x),
    ]:
        both(cases, name, make, xx, True, cfg, "Pad")
    convs = [
        # name, x shape, out, kernel, padding, stride, mode
        ("conv_reflect", (2, 2, 6, 5), 3, 3, (1, 2), 1, "reflect"),
        ("conv_replicate", (1, 2, 5, 6), 2, (3, 2), 1, (2, 1), "replicate"),
        ("conv_circular", (2, 2, 5, 5), 2, 3, (2, 1), 1, "circular"),
        ("conv_same_reflect", (1, 2, 6, 5), 2, (4, 3), "same", 1, "reflect"),
    ]
    for i, (name, shape, o, k, pad, st, mode) in enumerate(convs):
        cfg = {"in": shape[1], "out": o, "groups": 1, "nobias": 0, "sq": 0, "kernel": hw(k), "stride": hw(st),
               "dilation": [1, 1], "padding_mode": mode}
        if pad == "same":
            cfg["same"] = 1
        else:
            cfg["padding"] = hw(pad)
        both(cases, name, seeded(lambda: nn.Conv2d(shape[1], o, k, stride=st, padding=pad, padding_mode=mode), 140 + i),
             randn(*shape, seed=140 + i), True, cfg, "Conv2DOpt")
    return cases


def adaptive():
    """AdaptiveAvgPool2d and AdaptiveMaxPool2d: global (1), uneven windows, None entries, outputs
    larger than the input (overlapping windows) and unbatched inputs."""
    cases = []
    for name, shape, out in [("global", (2, 3, 5, 4), 1), ("uneven", (1, 2, 13, 10), (7, 3)),
                             ("none_h", (2, 2, 5, 6), (None, 4)), ("upsample", (1, 2, 3, 4), (5, 6)),
                             ("square", (2, 2, 8, 8), 3), ("unbatched", (2, 7, 5), (3, 2))]:
        hwv = [out, out] if isinstance(out, int) else [0 if v is None else v for v in out]
        cfg = {"out": hwv, "sq": 1 if isinstance(out, int) else 0}
        both(cases, "avg_" + name, lambda: nn.AdaptiveAvgPool2d(out), randn(*shape, seed=150), True, cfg, "AdaptiveAvgPool2D")
        both(cases, "max_" + name, lambda: nn.AdaptiveMaxPool2d(out), randn(*shape, seed=151), True, cfg, "AdaptiveMaxPool2D")
    return cases


class PoolUnpool(nn.Module):
    """MaxPool2d(return_indices=True) followed by MaxUnpool2d of its output and indices."""

    def __init__(self, pool, unpool, size=None):
        super().__init__()
        self.pool, self.unpool, self.size = pool, unpool, size

    def forward(self, x):
        y, idx = self.pool(x)
        return self.unpool(y, idx, output_size=self.size)


def unpool():
    """MaxPool2d's and MaxPool1d's return_indices (the indices are stored) and MaxUnpool2d and
    MaxUnpool1d, with padding, ceil mode, non-square windows, dilation (1-D), output_size and
    unbatched inputs; gradients flow through both."""
    cases = []
    for name, shape, k, st, pad, ceil, size in [
        ("k2", (2, 2, 4, 6), 2, 2, 0, False, None),
        ("k3s2p1", (1, 2, 7, 7), 3, 2, 1, False, None),
        ("nonsquare", (1, 2, 6, 7), (2, 3), (2, 2), (1, 1), False, None),
        ("overlap_s1", (1, 1, 5, 5), 3, 1, 0, False, None),
        ("output_size", (1, 2, 5, 5), 2, 2, 0, False, (5, 5)),
        ("ceil", (1, 2, 5, 7), 2, 2, 0, True, None),
        ("unbatched", (2, 4, 4), 2, 2, 0, False, None),
    ]:
        cfg = {"kernel": hw(k), "stride": hw(st), "padding": hw(pad), "ceil": int(ceil), "size": list(size or (0, 0))}
        x = randn(*shape, seed=160)
        for dtype in ("float64", "float32"):
            dt = torch.float64 if dtype == "float64" else torch.float32
            pool = nn.MaxPool2d(k, stride=st, padding=pad, ceil_mode=ceil, return_indices=True)
            m = PoolUnpool(pool, nn.MaxUnpool2d(k, stride=st, padding=pad),
                           None if size is None else list(shape[:-2]) + list(size))
            c = run(name, m, x, True, cfg, "PoolUnpool", dtype)
            _, idx = pool(x.clone().to(dt))
            c["indices"] = {"shape": list(idx.shape), "data": [float(v) for v in idx.reshape(-1).tolist()]}
            cases.append(c)
    # MaxPool1d(return_indices=True) and MaxUnpool1d; "stride" 0 is the Go zero value (PyTorch's None).
    for name, shape, k, st, pad, d, ceil, size in [
        ("1d_k2", (2, 2, 8), 2, None, 0, 1, False, None),
        ("1d_k3s2p1", (1, 2, 9), 3, 2, 1, 1, False, None),
        ("1d_k3s3p1", (2, 1, 10), 3, 3, 1, 1, False, None),
        ("1d_dilation_ceil", (1, 2, 10), 2, 3, 0, 2, True, None),
        ("1d_ceil", (1, 2, 7), 2, 2, 0, 1, True, None),
        ("1d_output_size", (1, 2, 7), 2, 2, 0, 1, False, 7),
        ("1d_unbatched", (3, 6), 2, 2, 0, 1, False, None),
    ]:
        cfg = {"kernel": k, "stride": st or 0, "padding": pad, "dilation": d, "ceil": int(ceil), "size": size or 0}
        x = randn(*shape, seed=162)
        for dtype in ("float64", "float32"):
            dt = torch.float64 if dtype == "float64" else torch.float32
            pool = nn.MaxPool1d(k, stride=st, padding=pad, dilation=d, ceil_mode=ceil, return_indices=True)
            m = PoolUnpool(pool, nn.MaxUnpool1d(k, stride=st, padding=pad),
                           None if size is None else list(shape[:-1]) + [size])
            c = run(name, m, x, True, cfg, "PoolUnpool1D", dtype)
            _, idx = pool(x.clone().to(dt))
            c["indices"] = {"shape": list(idx.shape), "data": [float(v) for v in idx.reshape(-1).tolist()]}
            cases.append(c)
    for name, shape, out in [("adaptive_uneven", (1, 2, 7, 5), (3, 2)), ("adaptive_unbatched", (2, 6, 6), (4, 4))]:
        x = randn(*shape, seed=161)
        for dtype in ("float64", "float32"):
            dt = torch.float64 if dtype == "float64" else torch.float32
            c = run("indices_" + name, nn.AdaptiveMaxPool2d(out), x, True, {"out": list(out), "sq": 0}, "AdaptiveMaxPool2D", dtype)
            _, idx = nn.AdaptiveMaxPool2d(out, return_indices=True)(x.clone().to(dt))
            c["indices"] = {"shape": list(idx.shape), "data": [float(v) for v in idx.reshape(-1).tolist()]}
            cases.append(c)
    return cases


def one_d():
    """Conv1d (stride, padding, dilation, groups, 'same', padding_mode, unbatched), MaxPool1d and
    AvgPool1d."""
    cases = []
    convs = [
        # name, x shape, out, kernel, stride, padding, dilation, groups, bias, mode
        ("conv1d", (2, 3, 9), 4, 3, 1, 0, 1, 1, True, "zeros"),
        ("conv1d_s2p2d2", (2, 2, 11), 3, 3, 2, 2, 2, 1, True, "zeros"),
        ("conv1d_depthwise", (2, 4, 8), 4, 5, 1, 2, 1, 4, False, "zeros"),
        ("conv1d_same_even", (1, 2, 7), 3, 4, 1, "same", 1, 1, True, "zeros"),
        ("conv1d_reflect", (1, 2, 6), 2, 3, 1, 2, 1, 1, True, "reflect"),
        ("conv1d_unbatched", (3, 7), 2, 3, 1, 1, 1, 1, True, "zeros"),
    ]
    for i, (name, shape, o, k, st, pad, d, groups, bias, mode) in enumerate(convs):
        c = shape[-2]
        cfg = {"in": c, "out": o, "kernel": k, "stride": st, "dilation": d, "groups": groups,
               "nobias": 0 if bias else 1, "padding_mode": mode}
        if pad == "same":
            cfg["same"] = 1
        else:
            cfg["padding"] = pad
        both(cases, name, seeded(lambda: nn.Conv1d(c, o, k, stride=st, padding=pad, dilation=d, groups=groups,
                                                   bias=bias, padding_mode=mode), 170 + i),
             randn(*shape, seed=170 + i), True, cfg, "Conv1D")
    for i, (name, shape, k, st, pad, d, ceil) in enumerate([
            ("maxpool1d", (2, 2, 9), 3, 2, 1, 1, False), ("maxpool1d_dil_ceil", (1, 2, 10), 2, 2, 0, 2, True),
            ("maxpool1d_unbatched", (2, 8), 2, None, 0, 1, False)]):
        cfg = {"kernel": k, "stride": st or 0, "padding": pad, "dilation": d, "ceil": int(ceil)}
        both(cases, name, lambda: nn.MaxPool1d(k, stride=st, padding=pad, dilation=d, ceil_mode=ceil),
             randn(*shape, seed=180 + i), True, cfg, "MaxPool1D")
    for i, (name, shape, k, st, pad, ceil, incl) in enumerate([
            ("avgpool1d", (2, 2, 9), 3, 2, 1, False, True), ("avgpool1d_ceil_exclude", (1, 2, 8), 3, 2, 1, True, False)]):
        cfg = {"kernel": k, "stride": st, "padding": pad, "ceil": int(ceil), "exclude_pad": 0 if incl else 1}
        both(cases, name, lambda: nn.AvgPool1d(k, stride=st, padding=pad, ceil_mode=ceil, count_include_pad=incl),
             randn(*shape, seed=190 + i), True, cfg, "AvgPool1D")
    return cases


def write_block_checkpoints():
    """The MobileNet-style block and the ResNet stem of blocks(), their BatchNorm statistics moved by
    three training batches, saved as PyTorch state_dicts in safetensors (float32, int64
    num_batches_tracked; the writer of tools/golden/checkpoint.py) with an input and the eval-mode
    output in blocks_torch.json, for the Go test that loads them with models.Load."""
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from checkpoint import write_safetensors
    mobilenet = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.Conv2d(4, 8, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
    stem = nn.Sequential(nn.Conv2d(3, 4, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True))
    out = {}
    for key, m, shape in [("mobilenet", mobilenet, (2, 4, 6, 6)), ("resnet_stem", stem, (1, 3, 11, 11))]:
        torch.manual_seed(5)
        m.train()
        for _ in range(3):
            m(torch.randn(shape) * 2 + 1)
        m.eval()
        x = torch.linspace(-2, 2, int(torch.tensor(shape).prod())).reshape(shape)
        with torch.no_grad():
            y = m(x)
        fname = "blocks_torch_%s.safetensors" % key
        write_safetensors(os.path.join(OUT, fname), m.state_dict())
        out[key] = {"file": fname, "x": arr(x), "out": arr(y)}
    with open(os.path.join(OUT, "blocks_torch.json"), "w") as f:
        json.dump(out, f)
    print("wrote blocks_torch_*.safetensors, blocks_torch.json")


def check_go_blocks():
    """The Go -> PyTorch direction: loads the blocks' states Stheno wrote
    (layers/testdata/blocks_go_<block>_<dtype>.safetensors, from go test ./layers -run
    TestBlocksGoCheckpointInPyTorch -update) into the PyTorch modules of write_block_checkpoints
    with load_state_dict(strict=True), runs them in eval mode on a fixed input in that dtype and
    records the input and PyTorch's output in blocks_go.json, which the Go test compares Stheno's
    outputs on the same files with."""
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from checkpoint import read_safetensors
    make = {
        "mobilenet": (lambda: nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), nn.BatchNorm2d(4),
                                            nn.ReLU(), nn.Conv2d(4, 8, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU()),
                      (2, 4, 6, 6)),
        "resnet_stem": (lambda: nn.Sequential(nn.Conv2d(3, 4, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(4),
                                              nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)),
                        (1, 3, 11, 11)),
    }
    out = {}
    for key, (f, shape) in make.items():
        for dtype, dt in (("float64", torch.float64), ("float32", torch.float32)):
            fname = "blocks_go_%s_%s.safetensors" % (key, dtype)
            path = os.path.join(OUT, fname)
            if not os.path.exists(path):
                raise SystemExit("%s missing: run go test ./layers -run TestBlocksGoCheckpointInPyTorch -update" % path)
            state = read_safetensors(path)
            nbt = [v for k, v in state.items() if k.endswith("num_batches_tracked")]
            assert nbt and all(int(v) == 3 for v in nbt), "Go's BatchNorm counters should be 3"
            m = f().to(dt)
            m.load_state_dict(state, strict=True)
            m.eval()
            x = (1 + randn(*shape, seed=200)).to(dt)
            with torch.no_grad():
                y = m(x)
            out["%s_%s" % (key, dtype)] = {"file": fname, "dtype": dtype, "x": arr(x), "out": arr(y)}
    path = os.path.join(OUT, "blocks_go.json")
    with open(path + ".tmp", "w") as fh:
        json.dump({k: out[k] for k in sorted(out)}, fh)
    os.replace(path + ".tmp", path)
    print("wrote blocks_go.json (PyTorch's outputs on Stheno's blocks_go_*.safetensors)")


def defaults():
    """Each layer's Go zero value (required sizes only) against PyTorch's default-constructed
    module, and the settings whose zero PyTorch reads literally (slope 0, momentum 0, p 0, dim 0,
    eps 0) against PyTorch given that zero; "attrs" records PyTorch's defaults by name."""
    import warnings
    warnings.filterwarnings("ignore", message="Implicit dimension choice")
    cases = []

    def add(name, make, x, train=True, attrs=None):
        for dtype in ("float64", "float32"):
            torch.manual_seed(len(cases))
            m = make().double()
            c = run(name, m, x, train, {}, name, dtype)
            c["attrs"] = attrs or {}
            cases.append(c)

    x4 = randn(2, 3, 4, 3, seed=50)
    add("Linear", lambda: nn.Linear(5, 3), randn(4, 5, seed=51), attrs={"bias": True})
    add("Conv2D", lambda: nn.Conv2d(3, 2, 3), x4,
        attrs={"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True})
    add("MaxPool2D", lambda: nn.MaxPool2d(2), x4, attrs={"padding": 0, "dilation": 1})
    add("AvgPool2D", lambda: nn.AvgPool2d(2), x4, attrs={"padding": 0})
    bn1 = nn.BatchNorm1d(4)
    add("BatchNorm1D_train", lambda: nn.BatchNorm1d(4), 1 + 2 * randn(6, 4, seed=52),
        attrs={"eps": bn1.eps, "momentum": bn1.momentum})
    add("BatchNorm1D_eval", lambda: nn.BatchNorm1d(4), randn(6, 4, 3, seed=53), train=False)
    add("BatchNorm2D_train", lambda: nn.BatchNorm2d(3), x4)
    add("BatchNorm2D_eval", lambda: nn.BatchNorm2d(3), x4, train=False)
    add("Dropout_eval", lambda: nn.Dropout(), x4, train=False, attrs={"p": nn.Dropout().p})
    add("ReLU", lambda: nn.ReLU(), x4)
    add("LeakyReLU", lambda: nn.LeakyReLU(), x4, attrs={"negative_slope": nn.LeakyReLU().negative_slope})
    add("Tanh", lambda: nn.Tanh(), x4)
    add("Sigmoid", lambda: nn.Sigmoid(), x4)
    add("GELU", lambda: nn.GELU(), x4)
    add("Flatten", lambda: nn.Flatten(), x4)
    add("Sequential", lambda: nn.Sequential(), x4)
    for cls in (nn.Softmax, nn.LogSoftmax):
        n = cls.__name__
        add(n + "_1d", lambda: cls(), randn(5, seed=54))
        add(n + "_2d", lambda: cls(), randn(4, 5, seed=55))
        add(n + "_3d", lambda: cls(), randn(3, 4, 2, seed=56))
        add(n + "_4d", lambda: cls(), x4)
        add(n + "_dim0", lambda: cls(dim=0), randn(4, 5, seed=55))
    # Zeros PyTorch reads literally.
    add("LeakyReLU_slope0", lambda: nn.LeakyReLU(0.0), x4)
    add("Dropout_p0", lambda: nn.Dropout(0.0), x4)

    def bn_preset(m):
        with torch.no_grad():
            m.running_mean.fill_(0.25)
            m.running_var.fill_(2.0)
            m.num_batches_tracked.fill_(3)
        return m
    add("BatchNorm1D_momentum0", lambda: bn_preset(nn.BatchNorm1d(4, momentum=0.0)), randn(6, 4, seed=57))
    add("BatchNorm1D_momentumNone", lambda: bn_preset(nn.BatchNorm1d(4, momentum=None)), randn(6, 4, seed=57))
    add("BatchNorm2D_eps0", lambda: nn.BatchNorm2d(3, eps=0.0), x4)
    # Layers added later, with only their required arguments.
    x3 = randn(2, 3, 7, seed=58)
    add("Conv1D", lambda: nn.Conv1d(3, 2, 3), x3, attrs={"stride": 1, "padding": 0, "dilation": 1, "groups": 1})
    add("MaxPool1D", lambda: nn.MaxPool1d(2), x3)
    add("AvgPool1D", lambda: nn.AvgPool1d(2), x3)
    add("AdaptiveAvgPool2D", lambda: nn.AdaptiveAvgPool2d(2), x4)
    add("AdaptiveMaxPool2D", lambda: nn.AdaptiveMaxPool2d(2), x4)
    add("ZeroPad2D", lambda: nn.ZeroPad2d(1), x4)
    add("ConstantPad2D", lambda: nn.ConstantPad2d(1, 0.0), x4)
    add("ReflectionPad2D", lambda: nn.ReflectionPad2d(1), x4)
    add("ReplicationPad2D", lambda: nn.ReplicationPad2d(1), x4)
    return cases


if __name__ == "__main__":
    main()
