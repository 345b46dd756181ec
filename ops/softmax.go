package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Softmax returns softmax(x) along axis, exp(x - max) / Σ exp(x - max) with
// the max taken per row, like torch.nn.functional.softmax(x, dim=axis).
// A negative axis counts from the end (-1 is the last). x must be a
// Float64 or Float32 tensor.
func Softmax(x *G.Node, axis int) (*G.Node, error) { return softmax(x, axis, false) }

// LogSoftmax returns log_softmax(x) along axis, x - max - log Σ exp(x - max)
// per row, like torch.nn.functional.log_softmax(x, dim=axis). A negative
// axis counts from the end.
func LogSoftmax(x *G.Node, axis int) (*G.Node, error) { return softmax(x, axis, true) }

func softmax(x *G.Node, axis int, log bool) (*G.Node, error) {
	op := &softmaxOp{log: log}
	name := op.name()
	if x == nil {
		return nil, errors.Errorf("ops: %s: nil node", name)
	}
	if !isFloat(x.Dtype()) {
		return nil, errors.Errorf("ops: %s: input has dtype %v, want Float64 or Float32", name, x.Dtype())
	}
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, errors.Errorf("ops: %s: input must be a tensor, got a scalar", name)
	}
	if axis < -s.Dims() || axis >= s.Dims() {
		return nil, errors.Errorf("ops: %s: axis %d out of range for shape %v", name, axis, s)
	}
	if axis < 0 {
		axis += s.Dims()
	}
	op.axis, op.dt, op.shape = axis, x.Dtype(), s.Clone()
	op.outer, op.c, op.inner = 1, s[axis], 1
	for _, d := range s[:axis] {
		op.outer *= d
	}
	for _, d := range s[axis+1:] {
		op.inner *= d
	}
	out, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s", name)
	}
	return out, nil
}

// softmaxOp is the fused (log-)softmax op. Its backward op takes the
// output and the output gradient.
type softmaxOp struct {
	log             bool
	axis            int
	dt              tensor.Dtype
	shape           tensor.Shape
	outer, c, inner int
	out             outBuf
	grad            *softmaxGradOp
	task            any // *softmaxTask[T]
}

func (op *softmaxOp) name() string {
	if op.log {
		return "LogSoftmax"
	}
	return "Softmax"
}

func (op *softmaxOp) Arity() int { return 1 }
func (op *softmaxOp) Type() hm.Type {
	t := typeOf(op.shape.Dims(), op.dt)
	return hm.NewFnType(t, t)
}
func (op *softmaxOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *softmaxOp) ReturnsPtr() bool                               { return false }
func (op *softmaxOp) CallsExtern() bool                              { return false }
func (op *softmaxOp) OverwritesInput() int                           { return -1 }
func (op *softmaxOp) String() string                                 { return fmt.Sprintf("%s{axis=%d}", op.name(), op.axis) }

// WriteHash covers the kind (softmax or log-softmax), axis, dtype and shape.
func (op *softmaxOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "stheno/ops.%s{axis=%d}%v%v", op.name(), op.axis, op.dt, op.shape)
}
func (op *softmaxOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *softmaxOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("ops: %s: got %d inputs, want 1", op.name(), len(inputs))
	}
	if op.dt == tensor.Float32 {
		return softmaxDo[float32](op, inputs[0])
	}
	return softmaxDo[float64](op, inputs[0])
}

func softmaxDo[T float](op *softmaxOp, xv G.Value) (G.Value, error) {
	x, err := floatsOf[T](op.name(), "input", xv, op.shape)
	if err != nil {
		return nil, err
	}
	out, y := dense[T](&op.out, op.dt, op.shape)
	t := taskOf[softmaxTask[T]](&op.task)
	t.dst, t.x, t.c, t.inner, t.log = y, x, op.c, op.inner, op.log
	t.run()
	t.x = nil
	return out, nil
}

func (op *softmaxOp) DiffWRT(int) []bool { return []bool{true} }

func (op *softmaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, errors.Errorf("ops: %s: SymDiff got %d inputs, want 1", op.name(), len(inputs))
	}
	dx, err := G.ApplyOp(op.gradOp(), output, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s: building the backward op", op.name())
	}
	return G.Nodes{dx}, nil
}

func (op *softmaxOp) gradOp() *softmaxGradOp {
	if op.grad == nil {
		op.grad = &softmaxGradOp{fwd: op}
	}
	return op.grad
}

// DoDiff adds the input gradient to the input's gradient (LispMachine).
func (op *softmaxOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 1 {
		return errors.Errorf("ops: %s: DoDiff got %d inputs, want 1", op.name(), len(inputs))
	}
	return addGrad(op.name(), op.dt, output, inputs[0], func(g G.Value) (G.Value, error) {
		return op.gradOp().Do(output.Value(), g)
	})
}

// softmaxGradOp computes the (log-)softmax input gradient from the output
// and the output gradient.
type softmaxGradOp struct {
	fwd  *softmaxOp
	out  outBuf
	task any // *softmaxTask[T]
}

func (op *softmaxGradOp) Arity() int { return 2 }
func (op *softmaxGradOp) Type() hm.Type {
	t := typeOf(op.fwd.shape.Dims(), op.fwd.dt)
	return hm.NewFnType(t, t, t)
}
func (op *softmaxGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.shape.Clone(), nil
}
func (op *softmaxGradOp) ReturnsPtr() bool     { return false }
func (op *softmaxGradOp) CallsExtern() bool    { return false }
func (op *softmaxGradOp) OverwritesInput() int { return -1 }
func (op *softmaxGradOp) String() string {
	return fmt.Sprintf("%sGrad{axis=%d}", op.fwd.name(), op.fwd.axis)
}
func (op *softmaxGradOp) WriteHash(h hash.Hash) {
	h.Write([]byte("grad:"))
	op.fwd.WriteHash(h)
}
func (op *softmaxGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *softmaxGradOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, errors.Errorf("ops: %s: backward got %d inputs, want 2", op.fwd.name(), len(inputs))
	}
	if op.fwd.dt == tensor.Float32 {
		return softmaxGradDo[float32](op, inputs[0], inputs[1])
	}
	return softmaxGradDo[float64](op, inputs[0], inputs[1])
}

func softmaxGradDo[T float](op *softmaxGradOp, yv, gv G.Value) (G.Value, error) {
	f := op.fwd
	y, err := floatsOf[T](f.name(), "output", yv, f.shape)
	if err != nil {
		return nil, err
	}
	g, err := floatsOf[T](f.name(), "output gradient", gv, f.shape)
	if err != nil {
		return nil, err
	}
	out, dx := dense[T](&op.out, f.dt, f.shape)
	t := taskOf[softmaxTask[T]](&op.task)
	t.bwd, t.dst, t.x, t.g, t.c, t.inner, t.log = true, dx, y, g, f.c, f.inner, f.log
	t.run()
	t.x, t.g = nil, nil
	return out, nil
}

var (
	_ G.Op   = (*softmaxOp)(nil)
	_ G.SDOp = (*softmaxOp)(nil)
	_ G.ADOp = (*softmaxOp)(nil)
	_ G.Op   = (*softmaxGradOp)(nil)
)
