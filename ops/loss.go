package ops

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// loss is what one loss function provides; lossOp does the rest (Gorgonia
// plumbing, output buffers, output gradients, SymDiff and DoDiff). One
// loss value is made per node, for the node's dtype T, and may keep
// state between its forward and backward (caches, parallel jobs).
type loss[T num.Float] interface {
	// spec returns the configuration: name, options, input shapes and
	// dtypes, which inputs get gradients, the reduction and the
	// per-element output shape. It also feeds the op's hash.
	spec() *lossSpec
	// forward computes the loss of the inputs. When the output is
	// reduced it returns the reduced value; otherwise it writes the
	// per-element losses to perPos (nil when reduced).
	forward(in []G.Value, perPos []T) (float64, error)
	// backward writes, for every input i with d[i] != nil, the gradient
	// of the output with respect to input i, weighted by the output
	// gradient: the scalar s when the output is a scalar (g is nil), the
	// per-element g otherwise (s is then 1). It runs after forward on the
	// same inputs (the backward op takes the forward's output as an input
	// to order them) but must not trust caches that forward left for
	// different inputs.
	backward(d [][]T, in []G.Value, s float64, g []T) error
}

// lossSpec is a loss's configuration, fixed when the node is built.
type lossSpec struct {
	name   string
	config string      // options, for String and the hash
	hashed [][]float64 // constant tensors (weights) the hash must cover
	dt     tensor.Dtype
	in     []tensor.Shape // input shapes
	inDt   []tensor.Dtype // input dtypes
	diff   []bool         // which inputs get a gradient
	red    Reduction
	out    tensor.Shape // per-element output shape (the output when red == None)
}

// nOut is the number of elements of the output (and its gradient).
func (s *lossSpec) nOut() int {
	if s.red != None {
		return 1
	}
	n, _ := num.Elems(s.out)
	return n
}

func (s *lossSpec) outType() hm.Type {
	if s.red != None {
		return s.dt
	}
	return typeOf(s.out.Dims(), s.dt)
}

func (s *lossSpec) writeHash(h hash.Hash) {
	fmt.Fprintf(h, "stheno/ops.%s{%s|%v|%v|%v|%v}", s.name, s.config, s.dt, s.in, s.inDt, s.diff)
	var b [8]byte
	for _, v := range s.hashed {
		binary.LittleEndian.PutUint64(b[:], uint64(len(v)))
		h.Write(b[:])
		for _, f := range v {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
			h.Write(b[:])
		}
	}
}

// divisor returns what the reduction divides the sum of n per-element
// losses by: n for Mean, the batch size (the input's first dimension; 1
// for a scalar) for BatchMean, 1 otherwise.
func (s *lossSpec) divisor(n int) float64 {
	switch s.red {
	case Mean:
		return float64(n)
	case BatchMean:
		if s.in[0].Dims() == 0 {
			return 1 // PyTorch: a 0-d input's batchmean is its sum
		}
		return float64(s.in[0][0])
	}
	return 1
}

// reduce applies the reduction to a sum of n per-element losses.
func (s *lossSpec) reduce(sum float64, n int) float64 { return sum / s.divisor(n) }

// scale returns the output gradient sv scaled as the reduction scales the
// per-element losses (None: sv itself).
func (s *lossSpec) scale(sv float64, n int) float64 { return sv / s.divisor(n) }

// hashOf is the Hashcode of anything with a WriteHash method.
func hashOf(w interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	w.WriteHash(h)
	return h.Sum32()
}

// applyLoss makes the loss node: the loss of dtype dt's element type out of
// the two candidates (only one is used) applied to the nodes.
func applyLoss(dt tensor.Dtype, f32 loss[float32], f64 loss[float64], nodes ...*G.Node) (*G.Node, error) {
	if dt == tensor.Float32 {
		return applyT(f32, nodes)
	}
	return applyT(f64, nodes)
}

func applyT[T num.Float](f loss[T], nodes []*G.Node) (*G.Node, error) {
	op := &lossOp[T]{f: f, s: f.spec()}
	op.grads = make([]*lossGradOp[T], len(op.s.in))
	out, err := G.ApplyOp(op, nodes...)
	if err != nil {
		return nil, errors.Wrapf(err, "ops: %s", op.s.name)
	}
	return out, nil
}

// lossOp is the Gorgonia op of every loss: inputs as the loss's spec says,
// output the reduced loss (a scalar) or the per-element losses. Its
// backward is one lossGradOp per differentiable input (SymDiff) or DoDiff.
// It owns its output, so after the first run it allocates nothing.
type lossOp[T num.Float] struct {
	s      *lossSpec
	f      loss[T]
	scalar []T // the one per-element loss of an unreduced scalar output
	out    outBuf
	grads  []*lossGradOp[T]
}

func (op *lossOp[T]) Arity() int { return len(op.s.in) }

func (op *lossOp[T]) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.s.in)+1)
	for i, sh := range op.s.in {
		ts = append(ts, typeOf(sh.Dims(), op.s.inDt[i]))
	}
	return hm.NewFnType(append(ts, op.s.outType())...)
}

func (op *lossOp[T]) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.s.red != None {
		return tensor.ScalarShape(), nil
	}
	return op.s.out.Clone(), nil
}

func (op *lossOp[T]) ReturnsPtr() bool      { return false }
func (op *lossOp[T]) CallsExtern() bool     { return false }
func (op *lossOp[T]) OverwritesInput() int  { return -1 }
func (op *lossOp[T]) String() string        { return op.s.name + "{" + op.s.config + "}" }
func (op *lossOp[T]) WriteHash(h hash.Hash) { op.s.writeHash(h) }
func (op *lossOp[T]) Hashcode() uint32      { return hashOf(op) }

func (op *lossOp[T]) Do(inputs ...G.Value) (G.Value, error) {
	s := op.s
	if len(inputs) != len(s.in) {
		return nil, errors.Errorf("ops: %s: got %d inputs, want %d", s.name, len(inputs), len(s.in))
	}
	if s.red != None {
		l, err := op.f.forward(inputs, nil)
		if err != nil {
			return nil, err
		}
		return op.out.scalar(s.dt, l), nil
	}
	if s.out.Dims() == 0 {
		op.scalar = num.Grow(op.scalar, 1)
		if _, err := op.f.forward(inputs, op.scalar); err != nil {
			return nil, err
		}
		return op.out.scalar(s.dt, float64(op.scalar[0])), nil
	}
	out, perPos := dense[T](&op.out, s.out)
	if _, err := op.f.forward(inputs, perPos); err != nil {
		return nil, err
	}
	return out, nil
}

func (op *lossOp[T]) DiffWRT(int) []bool { return append([]bool(nil), op.s.diff...) }

// SymDiff returns one gradient node per input: a lossGradOp node for each
// differentiable input, nil for the others.
func (op *lossOp[T]) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	s := op.s
	if len(inputs) != len(s.in) {
		return nil, errors.Errorf("ops: %s: SymDiff got %d inputs, want %d", s.name, len(inputs), len(s.in))
	}
	args := append(append(G.Nodes{}, inputs...), output, grad)
	res := make(G.Nodes, len(inputs))
	for i, d := range s.diff {
		if !d {
			continue
		}
		n, err := G.ApplyOp(op.gradOp(i), args...)
		if err != nil {
			return nil, errors.Wrapf(err, "ops: %s: building the backward op", s.name)
		}
		res[i] = n
	}
	return res, nil
}

func (op *lossOp[T]) gradOp(i int) *lossGradOp[T] {
	if op.grads[i] == nil {
		op.grads[i] = &lossGradOp[T]{fwd: op, which: i, d: make([][]T, len(op.s.in))}
	}
	return op.grads[i]
}

// DoDiff adds the gradient of each differentiable input to its gradient
// (LispMachine).
func (op *lossOp[T]) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	s := op.s
	if len(inputs) != len(s.in) {
		return errors.Errorf("ops: %s: DoDiff got %d inputs, want %d", s.name, len(inputs), len(s.in))
	}
	vals := make([]G.Value, 0, len(inputs)+2)
	for _, n := range inputs {
		vals = append(vals, n.Value())
	}
	vals = append(vals, output.Value())
	for i, d := range s.diff {
		if !d {
			continue
		}
		gop := op.gradOp(i)
		err := addGrad[T](s.name, inputs, i, output, func(g G.Value) (G.Value, error) {
			return gop.Do(append(vals, g)...)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// lossGradOp computes the gradient of one input of a loss from (inputs...,
// output, output gradient). The output is an input only to order the
// backward after the forward, whose cache it may read.
type lossGradOp[T num.Float] struct {
	fwd    *lossOp[T]
	which  int
	d      [][]T // d[which] is the output's data, the others nil
	out    outBuf
	scalar []T // the gradient of a scalar input
}

func (op *lossGradOp[T]) Arity() int { return len(op.fwd.s.in) + 2 }

func (op *lossGradOp[T]) Type() hm.Type {
	s := op.fwd.s
	ts := make([]hm.Type, 0, len(s.in)+3)
	for i, sh := range s.in {
		ts = append(ts, typeOf(sh.Dims(), s.inDt[i]))
	}
	ts = append(ts, s.outType(), s.outType(), typeOf(s.in[op.which].Dims(), s.dt))
	return hm.NewFnType(ts...)
}

func (op *lossGradOp[T]) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.s.in[op.which].Clone(), nil
}
func (op *lossGradOp[T]) ReturnsPtr() bool     { return false }
func (op *lossGradOp[T]) CallsExtern() bool    { return false }
func (op *lossGradOp[T]) OverwritesInput() int { return -1 }
func (op *lossGradOp[T]) String() string {
	return fmt.Sprintf("%sGrad%d{%s}", op.fwd.s.name, op.which, op.fwd.s.config)
}
func (op *lossGradOp[T]) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "grad%d:", op.which)
	op.fwd.WriteHash(h)
}
func (op *lossGradOp[T]) Hashcode() uint32 { return hashOf(op) }

func (op *lossGradOp[T]) Do(inputs ...G.Value) (G.Value, error) {
	s := op.fwd.s
	n := len(s.in)
	if len(inputs) != n+2 {
		return nil, errors.Errorf("ops: %s: backward got %d inputs, want %d", s.name, len(inputs), n+2)
	}
	sv, g, err := gradOf[T](s.name, inputs[n+1], s.nOut())
	if err != nil {
		return nil, err
	}
	var out G.Value
	var dx []T
	if s.in[op.which].Dims() == 0 {
		op.scalar = num.Grow(op.scalar, 1)
		dx = op.scalar
	} else {
		out, dx = dense[T](&op.out, s.in[op.which])
	}
	op.d[op.which] = dx
	err = op.fwd.f.backward(op.d, inputs[:n], sv, g)
	op.d[op.which] = nil
	if err != nil {
		return nil, err
	}
	if out == nil {
		return op.out.scalar(s.dt, float64(dx[0])), nil
	}
	return out, nil
}

var (
	_ G.Op   = (*lossOp[float64])(nil)
	_ G.SDOp = (*lossOp[float64])(nil)
	_ G.ADOp = (*lossOp[float32])(nil)
	_ G.Op   = (*lossGradOp[float64])(nil)
)
