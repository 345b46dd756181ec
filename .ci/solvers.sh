#!/usr/bin/env bash
# CI steps of package solvers (called from .ci/run): the torch.optim goldens, float32 bit for bit,
# with each kernel set this machine can run — the pure-Go loops (purego build tag) and the AVX2
# kernels (AVX-512 turned off) — besides the default (AVX-512 where present) that `go test ./...` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== solvers: goldens with the pure-Go loops and with the AVX2 kernels"
go test -count=1 -tags purego ./solvers/...
GODEBUG=cpu.avx512f=off go test -count=1 ./solvers/...

echo "== solvers: fuzz LoadState briefly"
go test -run '^$' -fuzz '^FuzzLoadState$' -fuzztime 15s ./solvers/
