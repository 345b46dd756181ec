#!/usr/bin/env bash
# The memory budget: the largest test binary (cmd/demo's, 3 GB before issue 8) stays under 1 GB
# of peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."

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
