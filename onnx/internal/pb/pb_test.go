package pb

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestRegistrationNames: the types are registered under names of their own, so that another Go
// package compiled from onnx.proto (registering "onnx.proto" and "onnx.ModelProto") can be linked
// into the same program.
func TestRegistrationNames(t *testing.T) {
	d := (&ModelProto{}).ProtoReflect().Descriptor()
	if d.FullName() != "stheno.onnx.ModelProto" {
		t.Errorf("ModelProto is registered as %q", d.FullName())
	}
	if p := d.ParentFile().Path(); p != "github.com/stheno-ml/stheno/onnx/internal/pb/onnx.proto" {
		t.Errorf("file registered as %q", p)
	}
	if _, err := protoregistry.GlobalFiles.FindFileByPath("onnx.proto"); err == nil {
		t.Error(`"onnx.proto" is registered`)
	}
	if _, err := protoregistry.GlobalTypes.FindMessageByName("onnx.ModelProto"); err == nil {
		t.Error(`"onnx.ModelProto" is registered`)
	}
}
