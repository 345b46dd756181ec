"""The layers rows of the side-by-side suite (issue 12), imported by torch_bench.py: the same work
as tools/bench/stheno/layers.go — one forward and backward pass (gradients of the input, weight
and bias) of a float32 Conv2d for a fixed output gradient."""
import torch
import torch.nn as nn


def conv(n, c, hw, o, k, stride, pad, groups):
    def setup():
        torch.manual_seed(4)
        m = nn.Conv2d(c, o, k, stride=stride, padding=pad, groups=groups)
        x = torch.randn(n, c, hw, hw, requires_grad=True)
        with torch.no_grad():
            gy = torch.randn_like(m(x))

        def step():
            x.grad = None
            m.zero_grad(set_to_none=True)
            m(x).backward(gy)
        return step, None
    return setup


# name: (warm-up calls, timed calls, setup) — the same as stheno/layers.go.
LAYER_WORKLOADS = {
    "dwconv3x3_64x56": (3, 20, conv(8, 64, 56, 64, 3, 1, 1, 64)),
    "dwconv3x3s2_64x56": (3, 40, conv(8, 64, 56, 64, 3, 2, 1, 64)),
    "pwconv1x1_64to128x56": (3, 20, conv(8, 64, 56, 128, 1, 1, 0, 1)),
}
