#!/usr/bin/env bash
# CI steps for package layers: staticcheck (pinned; v0.6.1 is staticcheck 2025.1.1, the version the
# Go proxy serves under a semver tag). Goldens and finite differences run in `go test ./...`, the
# race detector in .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== staticcheck ./layers/..."
go run honnef.co/go/tools/cmd/staticcheck@v0.6.1 ./layers/...
