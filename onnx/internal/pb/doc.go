// Package pb holds the Go types of ONNX's protobuf schema, generated from the official onnx.proto
// (ONNX 1.12, IR version 8, Apache-2.0, copied unchanged from Debian's python3-onnx:
// /usr/lib/python3/dist-packages/onnx/onnx.proto) by protoc-gen-go for google.golang.org/protobuf.
//
// To regenerate (Debian: apt-get install -y protobuf-compiler python3-onnx), from this directory:
//
//	cp /usr/lib/python3/dist-packages/onnx/onnx.proto .
//	go generate
//
// which runs gen.sh: it installs protoc-gen-go at the version of google.golang.org/protobuf in go.mod (Debian's
// protoc-gen-go 1.28 works too, but its output uses an API that newer runtimes deprecate) and runs
// protoc. onnx.proto has no go_package option, so the import path is given with -M.
package pb

//go:generate sh gen.sh
