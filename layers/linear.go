package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is a fully connected layer y = x·Wᵀ + b for x of shape (N, In) (torch.nn.Linear).
// Its parameters are "weight" of shape (Out, In) and, unless NoBias, "bias" of shape (Out),
// initialised like PyTorch: U(−1/√In, 1/√In) for both (kaiming_uniform with a=√5 for the weight).
type Linear struct {
	In, Out int
	NoBias  bool
}

// Forward implements graph.Module.
func (l Linear) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("Linear", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	if l.In <= 0 || l.Out <= 0 {
		return nil, errors.Errorf("layers: %s: In=%d and Out=%d must be positive", where("Linear", b), l.In, l.Out)
	}
	s := x.Shape()
	if len(s) != 2 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d)", where("Linear", b), s, l.In)
	}
	if s[1] != l.In {
		return nil, errors.Errorf("layers: %s: input has %d features, want %d", where("Linear", b), s[1], l.In)
	}
	w, err := b.Param("weight", tensor.Shape{l.Out, l.In}, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Linear", b))
	}
	inputs := gorgonia.Nodes{x, w}
	if !l.NoBias {
		bound := 1 / math.Sqrt(float64(l.In))
		bias, err := b.Param("bias", tensor.Shape{l.Out}, graph.Uniform(-bound, bound))
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", where("Linear", b))
		}
		inputs = append(inputs, bias)
	}
	y, err := gorgonia.ApplyOp(&linearOp{newAffineOp("linear", !l.NoBias)}, inputs...)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Linear", b))
	}
	return y, nil
}
