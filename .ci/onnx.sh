#!/usr/bin/env bash
# ONNX export checked by ONNX Runtime and by the ONNX checker. Installs what is missing of
# python3-onnx, Node.js and npm (Debian), and the npm package onnxruntime-node, which carries
# ONNX Runtime's CPU library (no further download with --ignore-scripts), into .ci/ort
# (gitignored); then runs the onnx tests with STHENO_ONNX_REQUIRED=1, so that a missing runtime
# or checker fails the run instead of skipping the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.30.0 # the version the tests were written against; float64 gaps are per version

need=()
/usr/bin/python3 -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${need[@]}"
fi

have=$(node -p "require('./.ci/ort/node_modules/onnxruntime-node/package.json').version" 2>/dev/null || true)
if [ "$have" != "$ORT_VERSION" ]; then
  mkdir -p .ci/ort
  npm install --prefix .ci/ort --ignore-scripts --no-audit --no-fund "onnxruntime-node@$ORT_VERSION"
fi

STHENO_ONNX_REQUIRED=1 STHENO_ORT_DIR="$PWD/.ci/ort" STHENO_PYTHON=/usr/bin/python3 \
  go test -count=1 -v -run 'ONNXRuntime|Checker' ./onnx/
