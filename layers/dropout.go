package layers

import (
	"math/rand"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/num"
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
	keep []uint8 // the mask of the last forward pass: 1 keeps an element, 0 drops it
	out  buffer
}

func (o *dropoutOp) Arity() int    { return 1 }
func (o *dropoutOp) Type() hm.Type { return fnType(o.dims, o.dims) }
func (o *dropoutOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (o *dropoutOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	return dispatch(o, o.name, 1, vs, dropoutDo[float32], dropoutDo[float64])
}

func dropoutDo[T num.Float](o *dropoutOp, in inputs) (gorgonia.Value, error) {
	y := o.out.get(in[0].Dtype(), in[0].Shape())
	x := vals[T](in[0])
	o.keep = num.Grow(o.keep, len(x))
	for i := range o.keep {
		if o.rng.Float64() < o.p {
			o.keep[i] = 0
		} else {
			o.keep[i] = 1
		}
	}
	applyMask(vals[T](y), x, o.keep, o.p)
	return y, nil
}

// applyMask sets dst = src·mask, the mask being 0 where keep is 0 and 1/(1−p) where it is 1.
func applyMask[T num.Float](dst, src []T, keep []uint8, p float64) {
	scale := [2]T{0, 0}
	if p < 1 {
		scale[1] = T(1 / (1 - p))
	}
	src, keep = src[:len(dst)], keep[:len(dst)]
	for i, k := range keep {
		dst[i] = src[i] * scale[k&1]
	}
}

func (o *dropoutOp) DiffWRT(int) []bool { return []bool{true} }

func (o *dropoutOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	return grads("dropout", gradOf(&dropoutGradOp{opBase: newBase("dropoutGrad"), fwd: o}, grad))
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
	return dispatch(o, o.name, 1, vs, dropoutGradDo[float32], dropoutGradDo[float64])
}

func dropoutGradDo[T num.Float](o *dropoutGradOp, in inputs) (gorgonia.Value, error) {
	gy := vals[T](in[0])
	if len(o.fwd.keep) != len(gy) {
		return nil, errors.New("layers: dropout gradient run before its forward pass")
	}
	gx := o.out.get(in[0].Dtype(), in[0].Shape())
	applyMask(vals[T](gx), gy, o.fwd.keep, o.fwd.p)
	return gx, nil
}
