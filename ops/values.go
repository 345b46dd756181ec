package ops

import (
	"fmt"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// typeOf returns the Gorgonia type of a node with the given dims and dtype.
func typeOf(dims int, dt tensor.Dtype) hm.Type {
	if dims == 0 {
		return dt
	}
	return G.TensorType{Dims: dims, Of: dt}
}

func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float64 || dt == tensor.Float32 }

func isIndex(dt tensor.Dtype) bool {
	return dt == tensor.Int || dt == tensor.Int64 || dt == tensor.Int32
}

// floatsOf returns the contiguous data of a float tensor value, checking
// its shape against want.
func floatsOf[T num.Float](name, what string, v G.Value, want tensor.Shape) ([]T, error) {
	if want.Dims() == 0 {
		switch sv := v.(type) {
		case *G.F64:
			if num.Is32[T]() {
				break
			}
			return unsafe.Slice((*T)(unsafe.Pointer(sv)), 1), nil
		case *G.F32:
			if !num.Is32[T]() {
				break
			}
			return unsafe.Slice((*T)(unsafe.Pointer(sv)), 1), nil
		}
	}
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("ops: %s: %s is a %T, want a *tensor.Dense", name, what, v)
	}
	if !num.SameShape(d.Shape(), want) {
		return nil, errors.Errorf("ops: %s: %s has shape %v at run time, the graph was built for %v", name, what, d.Shape(), want)
	}
	if d.RequiresIterator() && d.Shape().TotalSize() > 0 {
		return nil, errors.Errorf("ops: %s: %s is not contiguous", name, what)
	}
	s, ok := denseData[T](d)
	if !ok {
		return nil, errors.Errorf("ops: %s: %s has dtype %v, want %v", name, what, d.Dtype(), num.Dtype[T]())
	}
	return s, nil
}

// denseData returns d's data as []T without allocating (Dense.Data boxes
// a new slice header on every call).
func denseData[T num.Float](d *tensor.Dense) ([]T, bool) {
	if d.Dtype() != num.Dtype[T]() {
		return nil, false
	}
	if num.Is32[T]() {
		s := d.Float32s()
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
	}
	s := d.Float64s()
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
}

// intsOf returns a class-index target value as []int, converting int64 and
// int32 data into buf.
func intsOf(name string, v G.Value, want tensor.Shape, buf []int) ([]int, error) {
	switch t := v.(type) {
	case *tensor.Dense:
		if !num.SameShape(t.Shape(), want) {
			return nil, errors.Errorf("ops: %s: target has shape %v at run time, the graph was built for %v", name, t.Shape(), want)
		}
		if t.RequiresIterator() && t.Shape().TotalSize() > 0 {
			return nil, errors.Errorf("ops: %s: target is not contiguous", name)
		}
		switch t.Dtype() {
		case tensor.Int:
			return t.Ints(), nil
		case tensor.Int64:
			d := t.Int64s()
			for i, x := range d {
				buf[i] = int(x)
			}
			return buf[:len(d)], nil
		case tensor.Int32:
			d := t.Int32s()
			for i, x := range d {
				buf[i] = int(x)
			}
			return buf[:len(d)], nil
		}
		return nil, errors.Errorf("ops: %s: target has dtype %v, want an integer dtype", name, t.Dtype())
	case *G.I:
		buf[0] = int(*t)
	case *G.I64:
		buf[0] = int(*t)
	case *G.I32:
		buf[0] = int(*t)
	default:
		return nil, errors.Errorf("ops: %s: target is a %T, want an integer tensor or scalar", name, v)
	}
	if !want.IsScalar() {
		return nil, errors.Errorf("ops: %s: target is a scalar at run time, the graph was built for shape %v", name, want)
	}
	return buf[:1], nil
}

// gradOf returns an output gradient of n elements: a scalar s (vec nil)
// or a tensor (s = 1).
func gradOf[T num.Float](name string, v G.Value, n int) (s float64, vec []T, err error) {
	switch g := v.(type) {
	case *G.F64:
		return float64(*g), nil, nil
	case *G.F32:
		return float64(*g), nil, nil
	case *tensor.Dense:
		if g.RequiresIterator() && g.Shape().TotalSize() > 0 {
			return 0, nil, errors.Errorf("ops: %s: output gradient is not contiguous", name)
		}
		d, ok := denseData[T](g)
		if !ok {
			return 0, nil, errors.Errorf("ops: %s: output gradient has dtype %v", name, g.Dtype())
		}
		if len(d) == 1 && n == 1 {
			return float64(d[0]), nil, nil
		}
		if len(d) != n {
			return 0, nil, errors.Errorf("ops: %s: output gradient has %d elements, want %d", name, len(d), n)
		}
		return 1, d, nil
	}
	return 0, nil, errors.Errorf("ops: %s: output gradient is a %T", name, v)
}

// outBuf holds an op's output value, reused across runs so that the op
// allocates nothing after its first run (Gorgonia's VMs drop their own
// output buffers on Reset).
type outBuf struct {
	f64 *G.F64
	f32 *G.F32
	t   *tensor.Dense
}

// scalar returns the op's scalar output holding v.
func (o *outBuf) scalar(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		if o.f32 == nil {
			o.f32 = new(G.F32)
		}
		*o.f32 = G.F32(v)
		return o.f32
	}
	if o.f64 == nil {
		o.f64 = new(G.F64)
	}
	*o.f64 = G.F64(v)
	return o.f64
}

// dense returns the op's tensor output of the given shape and its data.
func dense[T num.Float](o *outBuf, shape tensor.Shape) (*tensor.Dense, []T) {
	if o.t == nil || !num.SameShape(o.t.Shape(), shape) {
		o.t = tensor.New(tensor.Of(num.Dtype[T]()), tensor.WithShape(shape.Clone()...))
	}
	d, _ := denseData[T](o.t)
	return o.t, d
}

// addGrad is the shared body of the ops' DoDiff (LispMachine): it runs
// backward on the output's gradient and adds the resulting gradient of
// inputs[i] into that node's gradient — or, when this op is the node's
// only consumer and i its first position among the inputs, stores it: the
// gradient is then this op's alone, and storing makes it the same on every
// run. (Gorgonia 0.9.18's LispMachine never clears a leaf's gradient and,
// after Reset, re-runs only the last node: adding would accumulate one
// more gradient per run.)
func addGrad[T num.Float](name string, inputs G.Nodes, i int, output *G.Node, backward func(g G.Value) (G.Value, error)) error {
	in := inputs[i]
	g, err := output.Grad()
	if err != nil {
		return errors.Wrapf(err, "ops: %s: output gradient", name)
	}
	xg, err := in.Grad()
	if err != nil {
		return errors.Wrapf(err, "ops: %s: input gradient", name)
	}
	dxv, err := backward(g)
	if err != nil {
		return err
	}
	src, ok := valueData[T](dxv)
	if !ok {
		return errors.Errorf("ops: %s: backward returned a %T", name, dxv)
	}
	dst, ok := valueData[T](xg)
	if !ok || len(dst) != len(src) {
		return errors.Errorf("ops: %s: input gradient is a %T (%v %v), want %d contiguous %v elements", name, xg, xg.Dtype(), xg.Shape(), len(src), num.Dtype[T]())
	}
	if soleConsumer(inputs, i, output) {
		copy(dst, src)
		return nil
	}
	for k, s := range src {
		dst[k] += s
	}
	return nil
}

// soleConsumer reports whether output's node is the only node that takes
// inputs[i] as an input, and i is the first position of that node.
func soleConsumer(inputs G.Nodes, i int, output *G.Node) bool {
	for _, n := range inputs[:i] {
		if n == inputs[i] {
			return false
		}
	}
	g := inputs[i].Graph()
	if g == nil {
		return false
	}
	parents := g.To(inputs[i].ID())
	return parents.Len() == 1 && parents.Next() && parents.Node().ID() == output.ID()
}

// valueData returns the elements of a contiguous dense tensor or a float
// scalar value as []T, sharing its memory.
func valueData[T num.Float](v G.Value) ([]T, bool) {
	switch x := v.(type) {
	case *tensor.Dense:
		if x.RequiresIterator() && x.Shape().TotalSize() > 0 {
			return nil, false
		}
		return denseData[T](x)
	case *G.F64:
		if !num.Is32[T]() {
			return unsafe.Slice((*T)(unsafe.Pointer(x)), 1), true
		}
	case *G.F32:
		if num.Is32[T]() {
			return unsafe.Slice((*T)(unsafe.Pointer(x)), 1), true
		}
	}
	return nil, false
}

// posString formats a flat position: "[17]" or "[2 3]" for a multi-dim
// shape.
func posString(i int, s tensor.Shape) string {
	if s.Dims() <= 1 {
		return fmt.Sprintf("[%d]", i)
	}
	idx := make([]int, s.Dims())
	for d := s.Dims() - 1; d >= 0; d-- {
		idx[d] = i % s[d]
		i /= s[d]
	}
	return fmt.Sprint(idx)
}
