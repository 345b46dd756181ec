package graph

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/internal/num"
)

// inputNode makes an input node called name of the given dtype and shape, bound to a preallocated
// zero tensor that feeds are copied into.
func inputNode(g *gorgonia.ExprGraph, name string, dt tensor.Dtype, shape tensor.Shape) (*gorgonia.Node, *tensor.Dense, error) {
	if len(shape) == 0 {
		return nil, nil, errors.Errorf("graph: input %q: scalar shape; want at least a batch dimension", name)
	}
	for i, d := range shape {
		if d <= 0 {
			return nil, nil, errors.Errorf("graph: input %q: dimension %d of shape %v is %d, want > 0", name, i, shape, d)
		}
	}
	switch dt {
	case tensor.Float64, tensor.Float32, tensor.Int, tensor.Int64, tensor.Int32:
	default:
		return nil, nil, errors.Errorf("graph: input %q: dtype %v not supported", name, dt)
	}
	shape = shape.Clone() // the caller may reuse its slice
	t := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	n := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape.Clone()...), gorgonia.WithName(name), gorgonia.WithValue(t))
	return n, t, nil
}

// feed copies x into dst, the preallocated value of the input node name, checking dtype and shape.
func feed(name string, dst *tensor.Dense, x tensor.Tensor) error {
	if x == nil {
		return errors.Errorf("graph: feed %q: nil tensor", name)
	}
	if x.Dtype() != dst.Dtype() {
		return errors.Errorf("graph: feed %q: dtype %v, the graph was compiled for %v", name, x.Dtype(), dst.Dtype())
	}
	if !num.SameShape(x.Shape(), dst.Shape()) {
		return errors.Errorf("graph: feed %q: shape %v, the graph was compiled for %v", name, x.Shape(), dst.Shape())
	}
	if err := tensor.Copy(dst, x); err != nil {
		return errors.Wrapf(err, "graph: feed %q", name)
	}
	return nil
}

// scalarOf returns the single number held by a loss value.
func scalarOf(v gorgonia.Value) (float64, error) {
	switch v := v.(type) { // without boxing the number (Data would allocate)
	case *gorgonia.F64:
		return float64(*v), nil
	case *gorgonia.F32:
		return float64(*v), nil
	}
	if v.Shape().TotalSize() != 1 {
		return 0, errors.Errorf("graph: loss has shape %v, want a scalar", v.Shape())
	}
	if x, ok := num.Scalar(v); ok {
		return x, nil
	}
	return 0, errors.Errorf("graph: loss value %T is not a float scalar", v)
}

// catch turns a panic from Gorgonia into an error stored in *err.
func catch(what string, err *error) {
	if r := recover(); r != nil {
		*err = errors.Errorf("graph: %s: %v", what, r)
	}
}

// forward builds m on b from x, turning a panic into an error.
func forward(m Module, b *Builder, x *gorgonia.Node) (out *gorgonia.Node, err error) {
	defer catch("building the model", &err)
	if m == nil {
		return nil, errors.New("graph: nil Module")
	}
	out, err = m.Forward(b, x)
	if err == nil && out == nil {
		err = errors.New("graph: the model's Forward returned a nil node")
	}
	return out, err
}
