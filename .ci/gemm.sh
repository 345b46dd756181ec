#!/usr/bin/env bash
# internal/gemm beyond `go test ./...`: the portable build (purego: Go kernel
# only), the race detector on the split over cores, and the generated
# assembly matching its generators.
set -euo pipefail
cd "$(dirname "$0")/.."

go test -tags purego ./internal/gemm/ ./layers/
go test -race -run 'Threads|NoAlloc|Special' ./internal/gemm/
(cd internal/gemm && go generate && git diff --exit-code -- kernels_amd64.s transpose_amd64.s)
