#!/usr/bin/env bash
# Brief fuzzing of every decoder of untrusted bytes: the IDX reader, the safetensors decoder, the
# solver state, the checkpoint manifest and the demo's run state. Found crashers land in the
# package's testdata/fuzz and fail `go test ./...` from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz() { # package target seconds
  echo "== fuzz $2 ($1)"
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$3" "$1"
}
fuzz ./data/ FuzzReadIDX 20s
fuzz ./models/ FuzzDecode 15s
fuzz ./solvers/ FuzzLoadState 15s
fuzz ./checkpoint/ FuzzManifest 15s
fuzz ./cmd/demo/ FuzzRunState 15s
