#!/bin/sh
# Regenerates onnx.pb.go from onnx.proto (run by go generate in this directory).
set -eu
go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12 # the runtime version in go.mod
bin=$(go env GOBIN)
[ -n "$bin" ] || bin=$(go env GOPATH)/bin
protoc --plugin=protoc-gen-go="$bin/protoc-gen-go" --proto_path=. --go_out=. --go_opt=paths=source_relative \
  --go_opt=Monnx.proto=github.com/stheno-ml/stheno/onnx/internal/pb onnx.proto
