#!/usr/bin/env bash
# CI for package ops: the pure-Go fallback of the vector kernels (build tag
# purego) and the AVX2 level are tested too (TestGoldenVectorLevels runs
# every level the CPU has); vet under purego.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ops: purego build (no assembly)"
go vet -tags purego ./ops/...
go test -tags purego ./ops/...

# staticcheck 2025.1.1 (v0.6.1, used for layers) reports methods reached only
# through a generic interface (loss[T], rangeKernel[T]) as unused; v0.8.2 does not.
echo "== staticcheck ./ops/... (both builds)"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./ops/...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags purego ./ops/...
