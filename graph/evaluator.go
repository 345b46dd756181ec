package graph

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Evaluator is a compiled inference program: the model built in eval mode on its own graph at a
// fixed input shape, with parameter nodes bound to the store's tensors (so it always sees the
// current weights, e.g. those a Trainer is updating). Not safe for concurrent use.
type Evaluator struct {
	g      *gorgonia.ExprGraph
	x, out *gorgonia.Node
	xv     *tensor.Dense
	outV   *gorgonia.Value // apart from the struct: a Read into a field would make a cycle through the VM, whose finalizer then keeps it all alive forever
	vm     gorgonia.VM
	closed bool
}

// NewEvaluator builds m in eval mode on its own graph with an input node "x" of the store's dtype
// and shape xShape, sharing the store's weights. The output's first dimension must be the batch.
func NewEvaluator(m Module, s *Store, xShape tensor.Shape) (e *Evaluator, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, errors.Errorf("graph: compiling the evaluator: %v", r)
		}
	}()
	if s == nil {
		return nil, errors.New("graph: NewEvaluator: nil store")
	}
	if err := s.checkDtype(); err != nil {
		return nil, err
	}
	e = &Evaluator{g: gorgonia.NewGraph()}
	if e.x, e.xv, err = inputNode(e.g, "x", s.Dtype(), xShape); err != nil {
		return nil, err
	}
	if e.out, err = forward(m, NewBuilder(e.g, s, false), e.x); err != nil {
		return nil, errors.Wrap(err, "graph: NewEvaluator")
	}
	if os := e.out.Shape(); len(os) == 0 || os[0] != xShape[0] {
		return nil, errors.Errorf("graph: NewEvaluator: output shape %v does not start with the batch size %d", os, xShape[0])
	}
	e.outV = new(gorgonia.Value)
	gorgonia.Read(e.out, e.outV)
	e.vm = gorgonia.NewTapeMachine(e.g)
	return e, nil
}

// Forward returns the model's output for x. x must have the evaluator's input shape except that its
// batch (first) dimension may be smaller: the rest of the batch is padded with zeros internally and
// the output trimmed to x's batch. The result is a new tensor owned by the caller.
func (e *Evaluator) Forward(x tensor.Tensor) (out tensor.Tensor, err error) {
	if e.closed {
		return nil, errors.New("graph: Forward on a closed Evaluator")
	}
	if x == nil {
		return nil, errors.New("graph: Forward: nil tensor")
	}
	want := e.xv.Shape()
	xs := x.Shape()
	if x.Dtype() != e.xv.Dtype() {
		return nil, errors.Errorf("graph: Forward: x has dtype %v, the evaluator was compiled for %v", x.Dtype(), e.xv.Dtype())
	}
	ok := len(xs) == len(want) && xs[0] >= 1 && xs[0] <= want[0]
	for i := 1; ok && i < len(xs); i++ {
		ok = xs[i] == want[i]
	}
	if !ok {
		return nil, errors.Errorf("graph: Forward: x has shape %v, want %v with a batch of 1 to %d", xs, want, want[0])
	}
	n := xs[0]
	if n == want[0] {
		if err := tensor.Copy(e.xv, x); err != nil {
			return nil, errors.Wrap(err, "graph: Forward")
		}
	} else {
		e.xv.Zero()
		v, err := e.xv.Slice(gorgonia.S(0, n))
		if err == nil {
			err = v.Reshape(xs...) // a batch of 1 comes back as a lower-rank view
		}
		if err != nil {
			return nil, errors.Wrap(err, "graph: Forward")
		}
		if err := tensor.Copy(v, x); err != nil {
			return nil, errors.Wrap(err, "graph: Forward")
		}
	}
	defer e.vm.Reset()
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("graph: forward pass: %v", r)
		}
	}()
	if err := e.vm.RunAll(); err != nil {
		return nil, errors.Wrap(err, "graph: forward pass")
	}
	res, ok := (*e.outV).(*tensor.Dense)
	if !ok || res.RequiresIterator() {
		return nil, errors.Errorf("graph: Forward: unexpected output value %T", *e.outV)
	}
	shape := res.Shape().Clone()
	shape[0] = n
	rows := tensor.New(tensor.Of(res.Dtype()), tensor.WithShape(shape...))
	size := shape.TotalSize()
	switch d := res.Data().(type) {
	case []float64:
		copy(rows.Float64s(), d[:size])
	case []float32:
		copy(rows.Float32s(), d[:size])
	default:
		return nil, errors.Errorf("graph: Forward: output dtype %v not supported", res.Dtype())
	}
	return rows, nil
}

// Graph returns the evaluation graph (to inspect it; do not add nodes to it).
func (e *Evaluator) Graph() *gorgonia.ExprGraph { return e.g }

// Close releases the machine. The store and its tensors are unaffected.
func (e *Evaluator) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	return e.vm.Close()
}
