// Package pb holds the Go types of ONNX's protobuf schema, generated from the official onnx.proto
// (ONNX 1.12, IR version 8, Apache-2.0, copied unchanged from Debian's python3-onnx:
// /usr/lib/python3/dist-packages/onnx/onnx.proto) by protoc-gen-go for google.golang.org/protobuf.
//
// The types are registered as "stheno.onnx.*" (file
// "github.com/stheno-ml/stheno/onnx/internal/pb/onnx.proto") rather than "onnx.*": gen.sh renames
// the protobuf package when it compiles the file, so that a program may also link another Go
// package compiled from onnx.proto without the protobuf runtime panicking at start-up over the
// duplicate names. Package names are not part of the encoding.
//
// To regenerate (Debian: apt-get install -y protobuf-compiler python3-onnx), from this directory:
//
//	cp /usr/lib/python3/dist-packages/onnx/onnx.proto .
//	go generate
//
// which runs gen.sh: it installs protoc-gen-go at the version of google.golang.org/protobuf in
// go.mod (Debian's protoc-gen-go 1.28 works too, but its output uses an API that newer runtimes
// deprecate) and runs protoc.
package pb

//go:generate sh gen.sh
