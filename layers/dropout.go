package layers

import (
	"math/rand"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout zeroes each element with probability P during training and scales the others by
// 1/(1−P) (inverted dropout, torch.nn.Dropout); in eval mode it is the identity and adds no node.
// An unset P (the zero value) is PyTorch's default p=0.5; Set(p) chooses p in [0, 1], and
// Set(0.0) makes the layer the identity in training too. Every run of the graph draws a new mask
// from a generator seeded from the builder's Rand, so a given store seed gives the same sequence
// of masks.
type Dropout struct {
	P Opt[float64]
}

// prob returns the drop probability the layer uses.
func (l Dropout) prob() float64 { return l.P.Or(0.5) }

// Forward implements graph.Module.
func (l Dropout) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("Dropout", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	p := l.prob()
	if !(p >= 0 && p <= 1) {
		return nil, errors.Errorf("layers: %s: probability P=%v is outside [0, 1]", where("Dropout", b), p)
	}
	if !b.Training() || p == 0 {
		return x, nil
	}
	op := &dropoutOp{opBase: newBase("dropout"), p: p, dims: x.Dims(), rng: rand.New(rand.NewSource(b.Rand().Int63()))}
	y, err := gorgonia.ApplyOp(op, x)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Dropout", b))
	}
	return y, nil
}

// dropoutOp multiplies its input by a fresh random mask (0 or 1/(1−p)) on each run; its gradient
// multiplies gy by the same mask.
type dropoutOp struct {
	opBase
	p    float64
	dims int
	rng  *rand.Rand
	m64  []float64
	m32  []float32
	out  buffer
}

func (o *dropoutOp) Arity() int    { return 1 }
func (o *dropoutOp) Type() hm.Type { return fnType(o.dims, o.dims) }
func (o *dropoutOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *dropoutOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, 1, vs)
	if err != nil {
		return nil, err
	}
	y := o.out.get(in[0].Dtype(), in[0].Shape())
	switch in[0].Dtype() {
	case tensor.Float64:
		x := in[0].Float64s()
		o.m64 = scratch(&o.m64, len(x))
		dropoutMask(o.rng, o.p, o.m64)
		mulInto(y.Float64s(), x, o.m64)
	case tensor.Float32:
		x := in[0].Float32s()
		o.m32 = scratch(&o.m32, len(x))
		dropoutMask(o.rng, o.p, o.m32)
		mulInto(y.Float32s(), x, o.m32)
	}
	return y, nil
}

func dropoutMask[T float](rng *rand.Rand, p float64, m []T) {
	scale := T(0)
	if p < 1 {
		scale = T(1 / (1 - p))
	}
	for i := range m {
		if rng.Float64() < p {
			m[i] = 0
		} else {
			m[i] = scale
		}
	}
}

func mulInto[T float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func (o *dropoutOp) DiffWRT(int) []bool { return []bool{true} }

func (o *dropoutOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gx, err := gorgonia.ApplyOp(&dropoutGradOp{opBase: newBase("dropoutGrad"), fwd: o}, grad)
	if err != nil {
		return nil, errors.Wrap(err, "layers: dropout gradient")
	}
	return gorgonia.Nodes{gx}, nil
}

// dropoutGradOp multiplies gy by the mask of its dropoutOp's forward pass of the same run.
type dropoutGradOp struct {
	opBase
	fwd *dropoutOp
	out buffer
}

func (o *dropoutGradOp) Arity() int    { return 1 }
func (o *dropoutGradOp) Type() hm.Type { return fnType(o.fwd.dims, o.fwd.dims) }
func (o *dropoutGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *dropoutGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	in, err := denses(o.name, 1, vs)
	if err != nil {
		return nil, err
	}
	gx := o.out.get(in[0].Dtype(), in[0].Shape())
	switch in[0].Dtype() {
	case tensor.Float64:
		gy := in[0].Float64s()
		if len(o.fwd.m64) != len(gy) {
			return nil, errors.New("layers: dropout gradient run before its forward pass")
		}
		mulInto(gx.Float64s(), gy, o.fwd.m64)
	case tensor.Float32:
		gy := in[0].Float32s()
		if len(o.fwd.m32) != len(gy) {
			return nil, errors.New("layers: dropout gradient run before its forward pass")
		}
		mulInto(gx.Float32s(), gy, o.fwd.m32)
	}
	return gx, nil
}
