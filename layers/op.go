package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opIDs numbers op instances. Ops in this package keep per-node state (buffers, random generators,
// cached activations), so each instance hashes differently and Gorgonia never merges two of them.
var opIDs atomic.Int64

func nextOpID() int64 { return opIDs.Add(1) }

// fnType returns the Gorgonia type of an op whose inputs and output are tensors of the given ranks,
// all with the same element type.
func fnType(dims ...int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, len(dims))
	for i, d := range dims {
		ts[i] = gorgonia.TensorType{Dims: d, Of: a}
	}
	return hm.NewFnType(ts...)
}

// opBase holds what every op in this package has in common: a unique id and a name for hashing.
type opBase struct {
	id     int64
	name   string
	unused bool // set by SkipUnused
}

// SkipUnused tells the op that nothing reads its output — graph's Trainer calls it for the
// gradient of the input data, which Gorgonia's Grad builds but nothing needs. The gradient ops
// then return their (stale) output buffer without computing it.
func (o *opBase) SkipUnused() { o.unused = true }

func newBase(name string) opBase { return opBase{id: nextOpID(), name: name} }

func (o *opBase) ReturnsPtr() bool      { return false }
func (o *opBase) CallsExtern() bool     { return false }
func (o *opBase) OverwritesInput() int  { return -1 }
func (o *opBase) String() string        { return fmt.Sprintf("%s#%d", o.name, o.id) }
func (o *opBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "stheno/layers.%s#%d", o.name, o.id) }
func (o *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

// DoDiff makes the LispMachine's automatic differentiation fail loudly instead of silently
// producing zero gradients: the ops of this package differentiate symbolically only (Grad and a
// TapeMachine, as graph's Trainer does).
func (o *opBase) DoDiff(ctx gorgonia.ExecutionContext, inputs gorgonia.Nodes, output *gorgonia.Node) error {
	return errors.Errorf("layers: %s has no automatic (LispMachine) differentiation; use gorgonia.Grad with a TapeMachine", o.name)
}

// buffer is an op-owned tensor reused across runs, so that ops allocate nothing after warm-up.
type buffer struct{ t *tensor.Dense }

// get returns a tensor of dtype dt and the given shape, reusing the previous one when it has the same
// dtype and size (its shape is restored, since a downstream Reshape may have changed it in place).
func (b *buffer) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || b.t.DataSize() != shape.TotalSize() {
		b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
		return b.t
	}
	if !b.t.Shape().Eq(shape) {
		if err := b.t.Reshape(shape.Clone()...); err != nil {
			b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
		}
	}
	return b.t
}

// denseOf returns the input value v as a contiguous dense tensor.
func denseOf(op string, i int, v gorgonia.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("layers: %s: input %d is %T, want a *tensor.Dense", op, i, v)
	}
	if d.IsMaterializable() { // a view or a lazily transposed tensor: copy it to row-major
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("layers: %s: input %d cannot be materialised", op, i)
		}
		d = m
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, errors.Errorf("layers: %s: input %d has dtype %v, want float32 or float64", op, i, d.Dtype())
	}
	if d.DataSize() == 0 {
		return nil, errors.Errorf("layers: %s: input %d has shape %v: empty inputs are not supported", op, i, d.Shape())
	}
	return d, nil
}

// maxArity is the largest number of inputs of an op in this package.
const maxArity = 3

// inputs are the checked inputs of one Do call, all of one dtype.
type inputs = [maxArity]*tensor.Dense

// dispatch checks the inputs of op o (see denses) and runs o's generic body for their element
// type: f32 and f64 are the same generic function instantiated for float32 and float64. It is
// the one place where the ops of this package choose between the two dtypes.
func dispatch[O any](o O, name string, arity int, vs []gorgonia.Value,
	f32, f64 func(O, inputs) (gorgonia.Value, error)) (gorgonia.Value, error) {
	in, err := denses(name, arity, vs)
	if err != nil {
		return nil, err
	}
	if in[0].Dtype() == tensor.Float32 {
		return f32(o, in)
	}
	return f64(o, in)
}

// vals returns the data of a tensor whose element type is T (checked by dispatch), without the
// allocation of Dense.Data.
func vals[T num.Float](d *tensor.Dense) []T {
	if num.Is32[T]() {
		return any(d.Float32s()).([]T)
	}
	return any(d.Float64s()).([]T)
}

// jobOf returns the *J kept in slot, making it on first use: ops keep their parallel jobs (and
// other per-dtype state) this way, so a run allocates nothing after warm-up.
func jobOf[J any](slot *any) *J {
	if j, ok := (*slot).(*J); ok {
		return j
	}
	j := new(J)
	*slot = j
	return j
}

// denses converts all inputs of op to dense tensors of one dtype. It returns an array, not a
// slice, so that it does not allocate.
func denses(op string, want int, vs []gorgonia.Value) (ds [maxArity]*tensor.Dense, err error) {
	if len(vs) != want || want > maxArity {
		return ds, errors.Errorf("layers: %s: got %d inputs, want %d", op, len(vs), want)
	}
	for i, v := range vs {
		d, err := denseOf(op, i, v)
		if err != nil {
			return ds, err
		}
		if i > 0 && d.Dtype() != ds[0].Dtype() {
			return ds, errors.Errorf("layers: %s: input %d has dtype %v, input 0 has %v", op, i, d.Dtype(), ds[0].Dtype())
		}
		ds[i] = d
	}
	return ds, nil
}

// scoped is what error messages need of a graph.Builder: its scope.
type scoped interface{ Name(string) string }

// where names a layer and its scope in error messages: `Linear "2"`.
func where(layer string, b scoped) string {
	if s := b.Name(""); s != "" {
		return fmt.Sprintf("%s %q", layer, s)
	}
	return layer
}

// checkInput makes sure x exists, has the store's dtype dt and no dimension of size zero. (PyTorch
// gives empty results for some empty inputs; Gorgonia's TapeMachine panics on them in a goroutine
// of its own, which no recover can catch, so an empty input is refused when the graph is built.)
func checkInput(layer string, b scoped, x *gorgonia.Node, dt tensor.Dtype) error {
	if x == nil {
		return errors.Errorf("layers: %s: nil input node", where(layer, b))
	}
	if x.Dtype() != dt {
		return errors.Errorf("layers: %s: input has dtype %v, want %v (the store's dtype)", where(layer, b), x.Dtype(), dt)
	}
	for i, d := range x.Shape() {
		if d <= 0 {
			return errors.Errorf("layers: %s: input has shape %v: dimension %d is %d; empty inputs are not supported", where(layer, b), x.Shape(), i, d)
		}
	}
	return nil
}

// gradApp is a gradient op and its inputs.
type gradApp struct {
	op gorgonia.Op
	in gorgonia.Nodes
}

func gradOf(op gorgonia.Op, in ...*gorgonia.Node) gradApp { return gradApp{op, in} }

// grads applies gradient ops to their inputs: the result of an op's SymDiff, one node per input.
func grads(what string, apps ...gradApp) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, len(apps))
	for i, a := range apps {
		n, err := gorgonia.ApplyOp(a.op, a.in...)
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s gradient", what)
		}
		out[i] = n
	}
	return out, nil
}

// wrtOp is the common part of the gradient ops of Linear and Conv2D: which input they
// differentiate (0 the input x, from the weight and gy; 1 the weight, from x and gy; 2 the bias,
// from gy alone) and their output buffer.
type wrtOp struct {
	opBase
	wrt int
	out buffer
}

func newWrtOp(name string, wrt int) wrtOp { return wrtOp{opBase: newBase(name), wrt: wrt} }

func (o *wrtOp) Arity() int {
	if o.wrt == 2 {
		return 1
	}
	return 2
}

// typeFor is the op's type for inputs of d dimensions.
func (o *wrtOp) typeFor(d int) hm.Type {
	if o.wrt == 2 {
		return fnType(d, 1)
	}
	return fnType(d, d, d)
}

// affineOp is the common part of the ops of Linear and Conv2D: inputs x, the weight and, with
// bias, the bias; an output buffer and per-dtype state st.
type affineOp struct {
	opBase
	bias bool
	out  buffer
	st   any
}

func newAffineOp(name string, bias bool) affineOp {
	return affineOp{opBase: newBase(name), bias: bias}
}

func (o *affineOp) Arity() int {
	if o.bias {
		return 3
	}
	return 2
}

// typeFor is the op's type for an input and weight of d dimensions.
func (o *affineOp) typeFor(d int) hm.Type {
	if o.bias {
		return fnType(d, d, 1, d)
	}
	return fnType(d, d, d)
}

func (o *affineOp) DiffWRT(n int) []bool {
	r := make([]bool, n)
	for i := range r {
		r[i] = true
	}
	return r
}
