#!/usr/bin/env bash
# Reliability CI (issue 8): brief fuzzing of the safetensors decoder, the checkpoint manifest and
# the demo's run state (beside the IDX fuzz in .ci/run), and the peak memory of the demo's test
# binary. The crash, kill -9 and full-disk tests run in `go test ./...` itself.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== fuzz the safetensors decoder, the checkpoint manifest and the run state briefly"
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime 15s ./models/
go test -run '^$' -fuzz '^FuzzManifest$' -fuzztime 15s ./checkpoint/
go test -run '^$' -fuzz '^FuzzRunState$' -fuzztime 15s ./cmd/demo/

echo "== peak memory of the cmd/demo tests (3 GB before issue 8; budget 1 GB)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/demo.test" ./cmd/demo
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
if [ -x /usr/bin/time ]; then
  (cd cmd/demo && /usr/bin/time -v "$tmp/demo.test" -test.short >"$tmp/out.txt" 2>"$tmp/time.txt") || { cat "$tmp/out.txt" "$tmp/time.txt"; exit 1; }
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$tmp/time.txt")
  echo "cmd/demo tests: max RSS ${rss} KiB"
  if [ "$rss" -gt 1000000 ]; then
    echo "cmd/demo tests use more than 1 GB"; exit 1
  fi
else
  echo "(no /usr/bin/time: skipping the memory check)"
fi
