package layers

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// float is the element type of every kernel in this package.
type float interface{ ~float32 | ~float64 }

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

// scratch returns a reusable slice of at least n elements.
func scratch[T float](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	return (*s)[:n]
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
	return d, nil
}

// maxArity is the largest number of inputs of an op in this package.
const maxArity = 3

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

// where names a layer and its scope in error messages: `Linear "2"`.
type scoped interface{ Name(string) string }

func where(layer string, b scoped) string {
	if s := b.Name(""); s != "" {
		return fmt.Sprintf("%s %q", layer, s)
	}
	return layer
}

// checkInput makes sure x exists and has the store's dtype dt.
func checkInput(layer string, b scoped, x *gorgonia.Node, dt tensor.Dtype) error {
	if x == nil {
		return errors.Errorf("layers: %s: nil input node", where(layer, b))
	}
	if x.Dtype() != dt {
		return errors.Errorf("layers: %s: input has dtype %v, want %v (the store's dtype)", where(layer, b), x.Dtype(), dt)
	}
	return nil
}
