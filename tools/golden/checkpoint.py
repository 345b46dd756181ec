#!/usr/bin/env python3
"""Cross-checks Stheno checkpoints (safetensors) against PyTorch 1.13.

Run from the repository root:  /usr/bin/python3 tools/golden/checkpoint.py

1. Go -> PyTorch: loads models/testdata/go_mlp.safetensors and go_cnn.safetensors (written by the Go
   test TestGoCheckpointGolden with -update) into the equivalent torch.nn.Sequential models and checks
   their logits for the stored input equal the Go logits in models/testdata/go_logits.json.
   A third model, "bn", adds BatchNorm2d (running statistics, int64 num_batches_tracked).
2. PyTorch -> Go: builds the same models with a fixed torch seed, writes their state_dicts to
   models/testdata/torch_mlp.safetensors and torch_cnn.safetensors, and their logits for a fixed input
   to models/testdata/torch_logits.json; the Go test TestTorchCheckpoint loads them and compares.

torch 1.13 has no safetensors package, so the format is read and written here with json+struct+numpy:
8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, raw data.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

TESTDATA = os.path.join(os.path.dirname(__file__), "..", "..", "models", "testdata")
DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
NAMES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}


def mlp():
    # models.MLP(4, []int{8}, 3, layers.ReLU{})
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def cnn():
    # models.CNN(tinyCNN): 1x8x8 input, conv widths 2 and 4, hidden 8, 3 classes
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 2 * 2, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))


def bn():
    # layers.Sequential{Conv2D{1, 2, 3, pad 1}, BatchNorm2D{2}, ReLU, Flatten, Linear{32, 3}}
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(32, 3))


MODELS = {"mlp": (mlp, [2, 4]), "cnn": (cnn, [2, 1, 8, 8]), "bn": (bn, [2, 1, 4, 4])}


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def write_safetensors(path, state):
    header, chunks, pos = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        arr = np.ascontiguousarray(t.detach().cpu().numpy())
        arr = arr.astype(arr.dtype.newbyteorder("<"))
        b = arr.tobytes()
        header[name] = {"dtype": NAMES[arr.dtype.newbyteorder("=")], "shape": list(arr.shape),
                        "data_offsets": [pos, pos + len(b)]}
        chunks.append(b)
        pos += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
    os.replace(tmp, path)


def check_go():
    with open(os.path.join(TESTDATA, "go_logits.json")) as f:
        gold = json.load(f)
    ok = True
    for key, case in gold.items():
        make, _ = MODELS[key]
        dt = torch.float64 if case["dtype"] == "float64" else torch.float32
        m = make().to(dt).eval()
        m.load_state_dict(read_safetensors(os.path.join(TESTDATA, case["file"])), strict=True)
        x = torch.tensor(case["input"], dtype=dt).reshape(case["input_shape"])
        with torch.no_grad():
            got = m(x).numpy().ravel()
        want = np.array(case["logits"])
        tol = 1e-12 if dt == torch.float64 else 1e-5
        err = np.max(np.abs(got - want) / np.maximum(1, np.abs(want)))
        print(f"Go -> torch {key} ({case['dtype']}): max rel. error {err:.3g}")
        ok = ok and err <= tol
    return ok


def write_torch():
    out = {}
    for key, dt, name in [("mlp", torch.float32, "float32"), ("cnn", torch.float64, "float64"),
                          ("bn", torch.float32, "float32")]:
        make, shape = MODELS[key]
        torch.manual_seed(1234)
        m = make().to(dt).train()
        for _ in range(3):  # move BatchNorm's running statistics away from their initial values
            m(torch.randn(shape, dtype=dt) * 2 + 1)
        m.eval()
        x = torch.linspace(-2, 2, int(np.prod(shape)), dtype=dt).reshape(shape)
        with torch.no_grad():
            y = m(x)
        fname = f"torch_{key}.safetensors"
        write_safetensors(os.path.join(TESTDATA, fname), m.state_dict())
        out[key] = {"file": fname, "dtype": name, "input_shape": shape,
                    "input": x.numpy().ravel().tolist(), "logits": y.numpy().ravel().tolist(),
                    "logits_shape": list(y.shape)}
    with open(os.path.join(TESTDATA, "torch_logits.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote torch_{mlp,cnn,bn}.safetensors, torch_logits.json")


if __name__ == "__main__":
    write_torch()
    if not os.path.exists(os.path.join(TESTDATA, "go_logits.json")):
        sys.exit("no Go checkpoints yet: run go test ./models -run TestGoCheckpointGolden -update")
    sys.exit(0 if check_go() else 1)
