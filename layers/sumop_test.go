package layers

import (
	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sumAll is a test-only loss: the sum of all elements, whose backward fills an op-owned buffer with
// the incoming scalar gradient. Benchmarks use it so that the loss costs (almost) nothing and the
// layer under test dominates.
type sumAll struct {
	opBase
	dims int
}

func newSumAll(x *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&sumAll{opBase: newBase("testSumAll"), dims: x.Dims()}, x)
}

func (o *sumAll) Arity() int { return 1 }
func (o *sumAll) Type() hm.Type {
	return hm.NewFnType(gorgonia.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')}, hm.TypeVariable('a'))
}
func (o *sumAll) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (o *sumAll) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	var s float64
	switch d := vs[0].Data().(type) {
	case []float64:
		for _, v := range d {
			s += v
		}
		return gorgonia.NewF64(s), nil
	case []float32:
		for _, v := range d {
			s += float64(v)
		}
		return gorgonia.NewF32(float32(s)), nil
	}
	return nil, nil
}

func (o *sumAll) DiffWRT(int) []bool { return []bool{true} }

func (o *sumAll) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(&sumAllGrad{opBase: newBase("testSumAllGrad"), dims: o.dims, shape: in[0].Shape().Clone()}, grad)
	return gorgonia.Nodes{g}, err
}

type sumAllGrad struct {
	opBase
	dims  int
	shape tensor.Shape
	out   buffer
}

func (o *sumAllGrad) Arity() int { return 1 }
func (o *sumAllGrad) Type() hm.Type {
	return hm.NewFnType(hm.TypeVariable('a'), gorgonia.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')})
}
func (o *sumAllGrad) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return o.shape, nil }

func (o *sumAllGrad) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	switch v := vs[0].Data().(type) {
	case float64:
		t := o.out.get(tensor.Float64, o.shape)
		d := t.Data().([]float64)
		for i := range d {
			d[i] = v
		}
		return t, nil
	case float32:
		t := o.out.get(tensor.Float32, o.shape)
		d := t.Data().([]float32)
		for i := range d {
			d[i] = v
		}
		return t, nil
	}
	return nil, nil
}
