#!/bin/sh
# Regenerates onnx.pb.go from onnx.proto (run by go generate in this directory).
#
# onnx.proto is ONNX's official file, unchanged. It is compiled with its protobuf package renamed
# from "onnx" to "stheno.onnx" and under a path of its own, so that the names this package
# registers with google.golang.org/protobuf ("stheno.onnx.ModelProto", file
# "github.com/stheno-ml/stheno/onnx/internal/pb/onnx.proto") cannot clash with another Go
# package compiled from onnx.proto (the runtime panics at start-up on a clash). Package names do
# not appear in the encoding, so the files are the same ONNX files.
set -eu
go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12 # the runtime version in go.mod
bin=$(go env GOBIN)
[ -n "$bin" ] || bin=$(go env GOPATH)/bin
rel=github.com/stheno-ml/stheno/onnx/internal/pb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/$rel" "$tmp/out"
sed 's/^package onnx;$/package stheno.onnx;/' onnx.proto >"$tmp/src/$rel/onnx.proto"
grep -q '^package stheno.onnx;$' "$tmp/src/$rel/onnx.proto"
protoc --plugin=protoc-gen-go="$bin/protoc-gen-go" --proto_path="$tmp/src" --go_out="$tmp/out" \
  --go_opt=paths=source_relative --go_opt="M$rel/onnx.proto=$rel" "$rel/onnx.proto"
cp "$tmp/out/$rel/onnx.pb.go" onnx.pb.go
