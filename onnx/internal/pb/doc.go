// Package pb holds the Go types of ONNX's protobuf schema, generated from the official onnx.proto
// (ONNX 1.12, IR version 8, Apache-2.0, copied unchanged from Debian's python3-onnx:
// /usr/lib/python3/dist-packages/onnx/onnx.proto) by protoc-gen-go for google.golang.org/protobuf.
//
// To regenerate (Debian: apt-get install -y protobuf-compiler protoc-gen-go python3-onnx):
//
//	cp /usr/lib/python3/dist-packages/onnx/onnx.proto onnx/internal/pb/
//	go generate ./onnx/internal/pb
//
// onnx.proto has no go_package option, so the import path is given with -M on the command line.
package pb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go_opt=Monnx.proto=github.com/stheno-ml/stheno/onnx/internal/pb onnx.proto
