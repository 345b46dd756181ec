package onnx

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/onnx/internal/pb"
)

func decode(t *testing.T, b []byte) *pb.ModelProto {
	t.Helper()
	var m pb.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestModelProto checks the model's header, its input and output and that its initializers are
// the store's tensors under their state_dict names, in both dtypes.
func TestModelProto(t *testing.T) {
	t.Run("float32", testModelProto[float32])
	t.Run("float64", testModelProto[float64])
}

func testModelProto[T float32 | float64](t *testing.T) {
	dt, _, _ := dtypeOf[T]()
	elem := map[tensor.Dtype]int32{tensor.Float32: 1, tensor.Float64: 11}[dt]
	s := graph.NewStore(dt, 3)
	b, err := Marshal(everyLayer(), s, 3, 12, 12)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, b)
	if m.GetIrVersion() != 7 || len(m.OpsetImport) != 1 || m.OpsetImport[0].GetDomain() != "" || m.OpsetImport[0].GetVersion() != 13 {
		t.Errorf("IR %d, opsets %v; want IR 7 and the default opset 13", m.GetIrVersion(), m.OpsetImport)
	}
	g := m.Graph
	io := func(v *pb.ValueInfoProto) string {
		tt := v.GetType().GetTensorType()
		var dims []string
		for _, d := range tt.GetShape().GetDim() {
			if d.GetDimParam() != "" {
				dims = append(dims, d.GetDimParam())
			} else {
				dims = append(dims, fmt.Sprint(d.GetDimValue()))
			}
		}
		return fmt.Sprintf("%s %d (%s)", v.GetName(), tt.GetElemType(), strings.Join(dims, ", "))
	}
	if len(g.Input) != 1 || len(g.Output) != 1 {
		t.Fatalf("%d inputs and %d outputs, want 1 and 1", len(g.Input), len(g.Output))
	}
	if got, want := io(g.Input[0]), fmt.Sprintf("input %d (N, 3, 12, 12)", elem); got != want {
		t.Errorf("input %q, want %q", got, want)
	}
	if got, want := io(g.Output[0]), fmt.Sprintf("output %d (N, 5)", elem); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if last := g.Node[len(g.Node)-1]; last.GetOpType() != "Softmax" || last.Output[0] != "output" {
		t.Errorf("last node %s → %v, want Softmax → output", last.GetOpType(), last.Output)
	}
	// The initializers are the store's tensors except num_batches_tracked, in the store's order.
	var want []string
	for _, n := range s.Names() {
		if !strings.HasSuffix(n, "num_batches_tracked") {
			want = append(want, n)
		}
	}
	var got []string
	for _, init := range g.Initializer {
		got = append(got, init.GetName())
		st, ok := s.Get(init.GetName())
		if !ok {
			t.Errorf("initializer %q is not in the store", init.GetName())
			continue
		}
		var dims []int64
		for _, d := range st.Shape() {
			dims = append(dims, int64(d))
		}
		if fmt.Sprint(init.Dims) != fmt.Sprint(dims) || init.GetDataType() != elem {
			t.Errorf("%s: dims %v type %d, want %v type %d", init.GetName(), init.Dims, init.GetDataType(), dims, elem)
		}
		var raw []byte
		switch d := st.Data().(type) {
		case []float32:
			raw = rawData(d)
		case []float64:
			raw = rawData(d)
		}
		if !bytes.Equal(init.RawData, raw) {
			t.Errorf("%s: raw data differs from the store's tensor", init.GetName())
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("initializers\n%v\nwant the store's\n%v", got, want)
	}
	if len(got) == 0 || got[0] != "0.weight" || got[2] != "1.weight" {
		t.Errorf("initializers %v do not start with 0.weight, 0.bias, 1.weight", got)
	}
}

// TestSameGraphBothDtypes: float32 and float64 exports have the same nodes; only the element
// type differs.
func TestSameGraphBothDtypes(t *testing.T) {
	ops := func(dt tensor.Dtype) string {
		b, err := Marshal(everyLayer(), graph.NewStore(dt, 1), 3, 12, 12)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, n := range decode(t, b).Graph.Node {
			fmt.Fprintf(&sb, "%s %s %v %v\n", n.GetOpType(), n.GetName(), n.Input, n.Output)
		}
		return sb.String()
	}
	f32, f64 := ops(tensor.Float32), ops(tensor.Float64)
	if f32 != f64 {
		t.Errorf("float32 graph\n%s\nfloat64 graph\n%s", f32, f64)
	}
	for _, op := range []string{"Conv", "BatchNormalization", "Where", "MaxPool", "Erf", "AveragePool", "Tanh", "Flatten", "Gemm", "Sigmoid", "Relu", "Softmax"} {
		if !strings.Contains(f32, op+" ") {
			t.Errorf("no %s node in\n%s", op, f32)
		}
	}
	if strings.Contains(f32, "Dropout") {
		t.Errorf("a Dropout node in the eval-mode graph:\n%s", f32)
	}
}

// custom is a module the exporter does not know.
type custom struct{}

func (custom) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) { return x, nil }

func TestErrors(t *testing.T) {
	s := graph.NewStore(tensor.Float32, 1)
	for _, c := range []struct {
		name   string
		m      graph.Module
		s      *graph.Store
		sample []int
		want   string
	}{
		{"nil module", nil, s, []int{3}, "nil module"},
		{"nil store", layers.ReLU{}, nil, []int{3}, "nil store"},
		{"int store", layers.ReLU{}, graph.NewStore(tensor.Int, 1), []int{3}, "dtype int is not supported"},
		{"zero dim", layers.ReLU{}, s, []int{3, 0}, "dimension 1 is 0"},
		{"wrong features", models.MLP(784, nil, 10, nil), s, []int{100}, `input has 100 features, want 784`},
		{"invalid CNN", models.CNN(models.CNNConfig{}), s, []int{1, 28, 28}, "invalid CNNConfig"},
		{"unknown module", layers.Sequential{layers.ReLU{}, custom{}}, s, []int{3}, `module "1" (onnx.custom) cannot be exported`},
		{"unknown top module", custom{}, s, []int{3}, `module "the top level" (onnx.custom) cannot be exported`},
		{"divisor and ceil", layers.Sequential{layers.AvgPool2D{Kernel: 2, CeilMode: true, DivisorOverride: 3}}, s, []int{1, 5, 5},
			`module "0" (layers.AvgPool2D): DivisorOverride with CeilMode has no ONNX equivalent`},
	} {
		_, err := Marshal(c.m, c.s, c.sample...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestPointerModules: pointers to layers export like the layers.
func TestPointerModules(t *testing.T) {
	s := graph.NewStore(tensor.Float64, 1)
	a, err := Marshal(layers.Sequential{&layers.Linear{In: 3, Out: 2}, &layers.Tanh{}}, s, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(layers.Sequential{layers.Linear{In: 3, Out: 2}, layers.Tanh{}}, s, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("pointer layers export differently from values")
	}
}

// TestWriteFile: the file holds what Marshal returns, and a failed export leaves the old file.
func TestWriteFile(t *testing.T) {
	s := graph.NewStore(tensor.Float32, 1)
	m := models.MLP(4, []int{3}, 2, layers.ReLU{})
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := WriteFile(path, m, s, 4); err != nil {
		t.Fatal(err)
	}
	want, err := Marshal(m, s, 4)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, m, s, 4); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatal("WriteFile, Write and Marshal disagree")
	}
	if err := WriteFile(path, m, s, 5); err == nil {
		t.Fatal("no error for a wrong input shape")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Error("a failed WriteFile changed the file")
	}
	if err := WriteFile(filepath.Join(path, "sub", "x.onnx"), m, s, 4); err == nil {
		t.Error("no error writing under a file")
	}
}
