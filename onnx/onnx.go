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
	out, _, err := e.module(m, "", InputName, sample)
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
func check(m graph.Module, s *graph.Store, sample []int) (tensor.Shape, error) {
	out, err := outShape(m, s, "", sample)
	if err != nil {
		return nil, errors.Wrapf(err, "onnx: building the model for input shape (N, %v)", sample)
	}
	return append(tensor.Shape{1}, out...), nil
}

// outShape builds m in eval mode in scope, on an input of shape (1, sample...), and returns the
// per-sample shape of its output. It creates the tensors of m in s if they do not exist.
func outShape(m graph.Module, s *graph.Store, scope string, sample []int) (out []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errors.Errorf("onnx: building the model: %v", r)
		}
	}()
	g := gorgonia.NewGraph()
	shape := append(tensor.Shape{1}, sample...)
	x := gorgonia.NewTensor(g, s.Dtype(), len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(InputName))
	b := graph.NewBuilder(g, s, false)
	if scope != "" {
		b = b.Scope(scope)
	}
	y, err := m.Forward(b, x)
	if err != nil {
		return nil, err
	}
	if y.Shape().Dims() == 0 || y.Shape()[0] != 1 {
		return nil, errors.Errorf("onnx: the output of %q has shape %v, which does not start with the batch", scope, y.Shape())
	}
	return append([]int(nil), y.Shape()[1:]...), nil
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

// module emits the nodes of m, built in scope (a dotted state_dict prefix), on the value named in
// of per-sample shape shape; it returns the name and per-sample shape of the output value.
func (e *exporter) module(m graph.Module, scope, in string, shape []int) (string, []int, error) {
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
			if in, shape, err = e.module(c, join(scope, strconv.Itoa(i)), in, shape); err != nil {
				return "", nil, err
			}
		}
		return in, shape, nil
	case layers.Dropout: // the identity in eval mode: no node
		return in, shape, nil
	}
	out, err := outShape(m, e.store, scope, shape)
	if err != nil {
		return "", nil, err
	}
	done := func(name string) (string, []int, error) { return name, out, nil }
	switch l := m.(type) {
	case layers.Linear:
		inputs := []string{in, e.init(join(scope, "weight"))}
		if !l.NoBias {
			inputs = append(inputs, e.init(join(scope, "bias")))
		}
		return done(single("Gemm", []*pb.AttributeProto{attrInt("transB", 1)}, inputs...))
	case layers.Conv2D:
		inputs := []string{in, e.init(join(scope, "weight"))}
		if !l.NoBias {
			inputs = append(inputs, e.init(join(scope, "bias")))
		}
		k := pairOf(l.Kernel, l.KernelHW, 0)
		d := pairOf(l.Dilation, l.DilationHW, 1)
		p := pairOf(l.Padding, l.PaddingHW, 0)
		pads := []int64{int64(p[0]), int64(p[1]), int64(p[0]), int64(p[1])}
		if l.Same { // padding='same': total d·(k−1), half before, the rest after
			th, tw := d[0]*(k[0]-1), d[1]*(k[1]-1)
			pads = []int64{int64(th / 2), int64(tw / 2), int64(th - th/2), int64(tw - tw/2)}
		}
		return done(single("Conv", []*pb.AttributeProto{
			attrInts("dilations", int64(d[0]), int64(d[1])),
			attrInt("group", int64(max(l.Groups, 1))),
			attrInts("kernel_shape", int64(k[0]), int64(k[1])),
			attrInts("pads", pads...),
			attrInts("strides", ints64(pairOf(l.Stride, l.StrideHW, 1))...),
		}, inputs...))
	case layers.MaxPool2D:
		attrs := poolAttrs(l.Kernel, l.KernelHW, l.Stride, l.StrideHW, l.Padding, l.PaddingHW, l.CeilMode)
		attrs = append(attrs, attrInts("dilations", ints64(pairOf(l.Dilation, l.DilationHW, 1))...))
		return done(single("MaxPool", attrs, in))
	case layers.AvgPool2D:
		attrs := poolAttrs(l.Kernel, l.KernelHW, l.Stride, l.StrideHW, l.Padding, l.PaddingHW, l.CeilMode)
		if l.DivisorOverride == 0 {
			include := int64(1)
			if l.ExcludePad {
				include = 0
			}
			return done(single("AveragePool", append(attrs, attrInt("count_include_pad", include)), in))
		}
		// divisor_override d: the window sums over d, which is the average over the whole window
		// (count_include_pad=1: every window has kh·kw elements without ceil_mode) times kh·kw/d.
		if l.CeilMode {
			return "", nil, errors.Errorf("onnx: module %q (layers.AvgPool2D): DivisorOverride with CeilMode has no ONNX equivalent", scope)
		}
		k := pairOf(l.Kernel, l.KernelHW, 0)
		avg := e.node("AveragePool", path+"/AveragePool", []string{in}, append(attrs, attrInt("count_include_pad", 1)), path+"/AveragePool_output_0")
		f := e.constant(path+"/AveragePool/Scale", float64(k[0]*k[1])/float64(l.DivisorOverride))
		return done(e.node("Mul", path+"/Mul", []string{avg, f}, nil, path+"/Mul_output_0"))
	case layers.BatchNorm1D:
		return done(e.batchNorm(path, scope, in, l.Eps))
	case layers.BatchNorm2D:
		return done(e.batchNorm(path, scope, in, l.Eps))
	case layers.Flatten:
		return done(single("Flatten", []*pb.AttributeProto{attrInt("axis", 1)}, in))
	case layers.ReLU:
		return done(single("Relu", nil, in))
	case layers.LeakyReLU:
		// Where(x > 0, x, slope·x) with constants of the model's dtype: LeakyRelu's alpha
		// attribute is a float32, which would round a float64 model's slope, and ONNX Runtime has
		// neither LeakyRelu nor PRelu for float64. It computes exactly what Stheno computes.
		p := path + "/LeakyRelu"
		pos := e.node("Greater", p+"/Greater", []string{in, e.constant(p+"/Zero", 0)}, nil, p+"/Greater_output_0")
		neg := e.node("Mul", p+"/Mul", []string{in, e.constant(p+"/Slope", l.Slope.Or(0.01))}, nil, p+"/Mul_output_0")
		return done(e.node("Where", p+"/Where", []string{pos, in, neg}, nil, p+"/Where_output_0"))
	case layers.Tanh:
		return done(single("Tanh", nil, in))
	case layers.Sigmoid:
		return done(single("Sigmoid", nil, in))
	case layers.GELU:
		// x·½(1 + erf(x/√2)), PyTorch's exact GELU (ONNX has Gelu only from opset 20).
		p := path + "/Gelu"
		c := func(name string, v float64) string { return e.constant(p+"/"+name, v) }
		div := e.node("Div", p+"/Div", []string{in, c("Sqrt2", math.Sqrt2)}, nil, p+"/Div_output_0")
		erf := e.node("Erf", p+"/Erf", []string{div}, nil, p+"/Erf_output_0")
		add := e.node("Add", p+"/Add", []string{erf, c("One", 1)}, nil, p+"/Add_output_0")
		mul := e.node("Mul", p+"/Mul", []string{in, add}, nil, p+"/Mul_output_0")
		return done(e.node("Mul", p+"/Mul_1", []string{mul, c("Half", 0.5)}, nil, p+"/Mul_1_output_0"))
	case layers.Softmax:
		return done(single("Softmax", []*pb.AttributeProto{attrInt("axis", softmaxAxis(l.Axis, shape))}, in))
	case layers.LogSoftmax:
		return done(single("LogSoftmax", []*pb.AttributeProto{attrInt("axis", softmaxAxis(l.Axis, shape))}, in))
	}
	where := scope
	if where == "" {
		where = "the top level"
	}
	return "", nil, errors.Errorf("onnx: module %q (%T) cannot be exported: ONNX export supports layers.Sequential, Linear, Conv2D, MaxPool2D, AvgPool2D, BatchNorm1D/2D, Dropout, Flatten, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax and LogSoftmax (and pointers to them)", where, m)
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

// poolAttrs are the attributes of MaxPool and AveragePool for a pooling layer's settings.
func poolAttrs(k int, kHW [2]int, stride int, strideHW [2]int, pad int, padHW [2]int, ceil bool) []*pb.AttributeProto {
	kk := pairOf(k, kHW, 0)
	st := pairOf(stride, strideHW, 0)
	if st[0] == 0 {
		st = kk // stride defaults to the kernel size
	}
	p := pairOf(pad, padHW, 0)
	c := int64(0)
	if ceil {
		c = 1
	}
	return []*pb.AttributeProto{
		attrInt("ceil_mode", c),
		attrInts("kernel_shape", ints64(kk)...),
		attrInts("pads", int64(p[0]), int64(p[1]), int64(p[0]), int64(p[1])),
		attrInts("strides", ints64(st)...),
	}
}

// batchNorm emits BatchNormalization with the running statistics (eval mode).
func (e *exporter) batchNorm(path, scope, in string, eps layers.Opt[float64]) string {
	name := path + "/BatchNormalization"
	return e.node("BatchNormalization", name, []string{in, e.init(join(scope, "weight")), e.init(join(scope, "bias")),
		e.init(join(scope, "running_mean")), e.init(join(scope, "running_var"))},
		[]*pb.AttributeProto{attrFloat("epsilon", eps.Or(1e-5))}, name+"_output_0")
}

// pairOf resolves a layer's (height, width) setting from its int form sq and tuple form hw as the
// layers do: hw if set, else sq for both, else def.
func pairOf(sq int, hw [2]int, def int) [2]int {
	switch {
	case hw != [2]int{}:
		return hw
	case sq == 0:
		return [2]int{def, def}
	}
	return [2]int{sq, sq}
}

func ints64(p [2]int) []int64 { return []int64{int64(p[0]), int64(p[1])} }

// softmaxAxis is the axis a Softmax or LogSoftmax layer uses on an input of per-sample shape
// sample: the set axis, else PyTorch's implicit one (0 for 1-D and 3-D inputs, else 1).
func softmaxAxis(axis layers.Opt[int], sample []int) int64 {
	dims := len(sample) + 1
	def := 1
	if dims == 1 || dims == 3 {
		def = 0
	}
	return int64(axis.Or(def))
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
