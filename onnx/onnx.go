package onnx

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/report"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/onnx/internal/pb"
)

// Opset is the version of the default ONNX operator set the exported models import.
const Opset = 13

// IRVersion is the ONNX IR version of the exported models (IR 7 is the one of opset 13).
const IRVersion = 7

// InputName and OutputName are the names of the exported graph's input and output, and BatchDim
// is the symbolic name of their first (batch) dimension.
const (
	InputName  = "input"
	OutputName = "output"
	BatchDim   = "N"
)

// Marshal returns the ONNX encoding of model m with the weights of s, for inputs of shape
// (N, sample...) where N, the batch, is a dynamic dimension named BatchDim. The graph's input is
// InputName and its output OutputName, both of the store's dtype (float32 or float64).
//
// m must be made of Stheno's layers (see the package documentation); the weights are the tensors
// of s, created by building m if they do not exist yet. m is built once in eval mode, at batch 1,
// to check that it accepts the sample shape.
func Marshal(m graph.Module, s *graph.Store, sample ...int) ([]byte, error) {
	mp, err := model(m, s, sample)
	if err != nil {
		return nil, err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return nil, errors.Wrap(err, "onnx: encoding the model")
	}
	return b, nil
}

// Write writes the ONNX encoding of m (see Marshal) to w.
func Write(w io.Writer, m graph.Module, s *graph.Store, sample ...int) error {
	b, err := Marshal(m, s, sample...)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, bytes.NewReader(b)); err != nil {
		return errors.Wrap(err, "onnx: writing the model")
	}
	return nil
}

// WriteFile writes the ONNX encoding of m (see Marshal) to path atomically: on any error, or a
// crash at any moment, path keeps its previous content (or stays absent).
func WriteFile(path string, m graph.Module, s *graph.Store, sample ...int) error {
	b, err := Marshal(m, s, sample...)
	if err != nil {
		return err
	}
	return report.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// model converts m to a ModelProto.
func model(m graph.Module, s *graph.Store, sample []int) (*pb.ModelProto, error) {
	if m == nil {
		return nil, errors.New("onnx: nil module")
	}
	if s == nil {
		return nil, errors.New("onnx: nil store")
	}
	var elem pb.TensorProto_DataType
	switch s.Dtype() {
	case tensor.Float32:
		elem = pb.TensorProto_FLOAT
	case tensor.Float64:
		elem = pb.TensorProto_DOUBLE
	default:
		return nil, errors.Errorf("onnx: store dtype %v is not supported (want float32 or float64)", s.Dtype())
	}
	for i, d := range sample {
		if d <= 0 {
			return nil, errors.Errorf("onnx: sample shape %v: dimension %d is %d, want > 0", sample, i, d)
		}
	}
	outShape, err := check(m, s, sample)
	if err != nil {
		return nil, err
	}
	e := &exporter{store: s, elem: elem, used: map[string]bool{}}
	out, err := e.module(m, "", InputName)
	if err != nil {
		return nil, err
	}
	if n := len(e.nodes); n > 0 && out == e.nodes[n-1].Output[0] {
		e.nodes[n-1].Output[0] = OutputName
	} else { // the model is the identity (e.g. a lone Dropout)
		e.node("Identity", "/Identity", []string{out}, nil, OutputName)
	}
	g := &pb.GraphProto{
		Name:        proto.String("stheno"),
		Node:        e.nodes,
		Initializer: e.inits,
		Input:       []*pb.ValueInfoProto{valueInfo(InputName, elem, sample)},
		Output:      []*pb.ValueInfoProto{valueInfo(OutputName, elem, outShape[1:])},
	}
	return &pb.ModelProto{
		IrVersion:       proto.Int64(IRVersion),
		OpsetImport:     []*pb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:    proto.String("stheno"),
		ProducerVersion: proto.String("0"),
		Graph:           g,
	}, nil
}

// check builds m in eval mode at batch 1 and returns its output shape.
func check(m graph.Module, s *graph.Store, sample []int) (out tensor.Shape, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errors.Errorf("onnx: building the model: %v", r)
		}
	}()
	g := gorgonia.NewGraph()
	shape := append(tensor.Shape{1}, sample...)
	x := gorgonia.NewTensor(g, s.Dtype(), len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(InputName))
	y, err := m.Forward(graph.NewBuilder(g, s, false), x)
	if err != nil {
		return nil, errors.Wrapf(err, "onnx: building the model for input shape (N, %v)", sample)
	}
	if y.Shape().Dims() == 0 || y.Shape()[0] != 1 {
		return nil, errors.Errorf("onnx: the model's output shape %v does not start with the batch", y.Shape())
	}
	return y.Shape().Clone(), nil
}

// valueInfo describes a tensor of shape (N, sample...).
func valueInfo(name string, elem pb.TensorProto_DataType, sample []int) *pb.ValueInfoProto {
	dims := []*pb.TensorShapeProto_Dimension{{Value: &pb.TensorShapeProto_Dimension_DimParam{DimParam: BatchDim}}}
	for _, d := range sample {
		dims = append(dims, &pb.TensorShapeProto_Dimension{Value: &pb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &pb.ValueInfoProto{
		Name: proto.String(name),
		Type: &pb.TypeProto{Value: &pb.TypeProto_TensorType{TensorType: &pb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(elem)),
			Shape:    &pb.TensorShapeProto{Dim: dims},
		}}},
	}
}

// exporter accumulates the nodes and initializers of one graph.
type exporter struct {
	store *graph.Store
	elem  pb.TensorProto_DataType
	nodes []*pb.NodeProto
	inits []*pb.TensorProto
	used  map[string]bool
}

// module emits the nodes of m, built in scope (a dotted state_dict prefix), on the value named in;
// it returns the name of the output value.
func (e *exporter) module(m graph.Module, scope, in string) (string, error) {
	if v := reflect.ValueOf(m); v.Kind() == reflect.Pointer && !v.IsNil() {
		if d, ok := v.Elem().Interface().(graph.Module); ok {
			m = d
		}
	}
	// Node names are PyTorch's style: "/0/Conv", "/3/Relu".
	path := ""
	if scope != "" {
		path = "/" + strings.ReplaceAll(scope, ".", "/")
	}
	single := func(op string, attrs []*pb.AttributeProto, inputs ...string) string {
		name := path + "/" + op
		return e.node(op, name, inputs, attrs, name+"_output_0")
	}
	switch l := m.(type) {
	case layers.Sequential:
		var err error
		for i, c := range l {
			if in, err = e.module(c, join(scope, strconv.Itoa(i)), in); err != nil {
				return "", err
			}
		}
		return in, nil
	case layers.Linear:
		inputs := []string{in, e.init(join(scope, "weight"))}
		if !l.NoBias {
			inputs = append(inputs, e.init(join(scope, "bias")))
		}
		return single("Gemm", []*pb.AttributeProto{attrInt("transB", 1)}, inputs...), nil
	case layers.Conv2D:
		inputs := []string{in, e.init(join(scope, "weight"))}
		if !l.NoBias {
			inputs = append(inputs, e.init(join(scope, "bias")))
		}
		stride := l.Stride
		if stride == 0 {
			stride = 1
		}
		p := int64(l.Padding)
		return single("Conv", []*pb.AttributeProto{
			attrInts("dilations", 1, 1),
			attrInt("group", 1),
			attrInts("kernel_shape", int64(l.Kernel), int64(l.Kernel)),
			attrInts("pads", p, p, p, p),
			attrInts("strides", int64(stride), int64(stride)),
		}, inputs...), nil
	case layers.MaxPool2D:
		return single("MaxPool", poolAttrs(l.Kernel, l.Stride, l.Padding), in), nil
	case layers.AvgPool2D:
		return single("AveragePool", append(poolAttrs(l.Kernel, l.Stride, l.Padding), attrInt("count_include_pad", 1)), in), nil
	case layers.BatchNorm1D:
		return single("BatchNormalization", bnAttrs(l.Eps), in, e.init(join(scope, "weight")), e.init(join(scope, "bias")),
			e.init(join(scope, "running_mean")), e.init(join(scope, "running_var"))), nil
	case layers.BatchNorm2D:
		return single("BatchNormalization", bnAttrs(l.Eps), in, e.init(join(scope, "weight")), e.init(join(scope, "bias")),
			e.init(join(scope, "running_mean")), e.init(join(scope, "running_var"))), nil
	case layers.Dropout: // the identity in eval mode: no node
		return in, nil
	case layers.Flatten:
		return single("Flatten", []*pb.AttributeProto{attrInt("axis", 1)}, in), nil
	case layers.ReLU:
		return single("Relu", nil, in), nil
	case layers.LeakyReLU:
		s := l.Slope
		if s == 0 {
			s = 0.01
		}
		// Where(x > 0, x, slope·x) with constants of the model's dtype: LeakyRelu's alpha
		// attribute is a float32, which would round a float64 model's slope, and ONNX Runtime has
		// neither LeakyRelu nor PRelu for float64. It computes exactly what Stheno computes.
		p := path + "/LeakyRelu"
		pos := e.node("Greater", p+"/Greater", []string{in, e.constant(p+"/Zero", 0)}, nil, p+"/Greater_output_0")
		neg := e.node("Mul", p+"/Mul", []string{in, e.constant(p+"/Slope", s)}, nil, p+"/Mul_output_0")
		return e.node("Where", p+"/Where", []string{pos, in, neg}, nil, p+"/Where_output_0"), nil
	case layers.Tanh:
		return single("Tanh", nil, in), nil
	case layers.Sigmoid:
		return single("Sigmoid", nil, in), nil
	case layers.GELU:
		// x·½(1 + erf(x/√2)), PyTorch's exact GELU (ONNX has Gelu only from opset 20).
		p := path + "/Gelu"
		c := func(name string, v float64) string { return e.constant(p+"/"+name, v) }
		div := e.node("Div", p+"/Div", []string{in, c("Sqrt2", math.Sqrt2)}, nil, p+"/Div_output_0")
		erf := e.node("Erf", p+"/Erf", []string{div}, nil, p+"/Erf_output_0")
		add := e.node("Add", p+"/Add", []string{erf, c("One", 1)}, nil, p+"/Add_output_0")
		mul := e.node("Mul", p+"/Mul", []string{in, add}, nil, p+"/Mul_output_0")
		return e.node("Mul", p+"/Mul_1", []string{mul, c("Half", 0.5)}, nil, p+"/Mul_1_output_0"), nil
	case layers.Softmax:
		return single("Softmax", []*pb.AttributeProto{attrInt("axis", int64(l.Axis))}, in), nil
	case layers.LogSoftmax:
		return single("LogSoftmax", []*pb.AttributeProto{attrInt("axis", int64(l.Axis))}, in), nil
	}
	where := scope
	if where == "" {
		where = "the top level"
	}
	return "", errors.Errorf("onnx: module %q (%T) cannot be exported: ONNX export supports layers.Sequential, Linear, Conv2D, MaxPool2D, AvgPool2D, BatchNorm1D/2D, Dropout, Flatten, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax and LogSoftmax", where, m)
}

// node appends a node and returns its (single) output.
func (e *exporter) node(op, name string, inputs []string, attrs []*pb.AttributeProto, out string) string {
	e.nodes = append(e.nodes, &pb.NodeProto{
		OpType:    proto.String(op),
		Name:      proto.String(name),
		Input:     inputs,
		Output:    []string{out},
		Attribute: attrs,
	})
	return out
}

// init adds the store tensor name as an initializer (once) and returns its name.
func (e *exporter) init(name string) string {
	if e.used[name] {
		return name
	}
	e.used[name] = true
	t, _ := e.store.Get(name) // present: check built the model on this store
	e.inits = append(e.inits, e.tensor(name, t))
	return name
}

// tensor encodes t as a TensorProto of the store's dtype.
func (e *exporter) tensor(name string, t tensor.Tensor) *pb.TensorProto {
	var dims []int64
	for _, d := range t.Shape() {
		dims = append(dims, int64(d))
	}
	var raw []byte
	switch d := t.Data().(type) {
	case []float32:
		raw = rawData(d)
	case []float64:
		raw = rawData(d)
	}
	return &pb.TensorProto{Name: proto.String(name), Dims: dims, DataType: proto.Int32(int32(e.elem)), RawData: raw}
}

// constant adds a Constant node called name whose value is the scalar v in the model's dtype, and
// returns its output.
func (e *exporter) constant(name string, v float64) string {
	t := &pb.TensorProto{DataType: proto.Int32(int32(e.elem))}
	if e.elem == pb.TensorProto_FLOAT {
		t.RawData = rawData([]float32{float32(v)})
	} else {
		t.RawData = rawData([]float64{v})
	}
	return e.node("Constant", name, nil, []*pb.AttributeProto{attrTensor("value", t)}, name+"_output_0")
}

// rawData is d in little-endian byte order, as TensorProto.raw_data wants it.
func rawData[T float32 | float64](d []T) []byte {
	var z T
	size := int(reflect.TypeOf(z).Size())
	b := make([]byte, len(d)*size)
	for i, v := range d {
		switch x := any(v).(type) {
		case float32:
			binary.LittleEndian.PutUint32(b[i*size:], math.Float32bits(x))
		case float64:
			binary.LittleEndian.PutUint64(b[i*size:], math.Float64bits(x))
		}
	}
	return b
}

func poolAttrs(k, stride, pad int) []*pb.AttributeProto {
	if stride == 0 {
		stride = k
	}
	p := int64(pad)
	return []*pb.AttributeProto{
		attrInt("ceil_mode", 0),
		attrInts("kernel_shape", int64(k), int64(k)),
		attrInts("pads", p, p, p, p),
		attrInts("strides", int64(stride), int64(stride)),
	}
}

func bnAttrs(eps float64) []*pb.AttributeProto {
	if eps == 0 {
		eps = 1e-5
	}
	return []*pb.AttributeProto{attrFloat("epsilon", eps)}
}

func attrInt(name string, v int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func attrInts(name string, v ...int64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_INTS.Enum(), Ints: v}
}

func attrFloat(name string, v float64) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_FLOAT.Enum(), F: proto.Float32(float32(v))}
}

func attrTensor(name string, t *pb.TensorProto) *pb.AttributeProto {
	return &pb.AttributeProto{Name: proto.String(name), Type: pb.AttributeProto_TENSOR.Enum(), T: t}
}

// join appends a local name to a dotted scope, like graph.Builder.Name.
func join(scope, local string) string {
	if scope == "" {
		return local
	}
	return scope + "." + local
}
