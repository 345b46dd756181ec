#!/usr/bin/env bash
# The assembly kernels' fallbacks: every package with assembly is tested again with the pure-Go
# loops (build tag purego) and with AVX-512 turned off (the AVX2 kernels), besides the default
# run of `go test ./...` (AVX-512 where the CPU has it). The goldens hold at every level.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs="./internal/gemm/... ./ops/... ./solvers/... ./layers/..."

echo "== pure-Go kernels (purego)"
go test -count=1 -tags purego $pkgs

echo "== AVX2 kernels (AVX-512 off)"
GODEBUG=cpu.avx512f=off go test -count=1 $pkgs

echo "== internal/gemm: the generated assembly matches its generators"
(cd internal/gemm && go generate && git diff --exit-code -- kernels_amd64.s transpose_amd64.s)
