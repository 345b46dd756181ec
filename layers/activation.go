package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// ReLU is the rectified linear unit max(0, x), element-wise (torch.nn.ReLU).
type ReLU struct{}

// Forward implements graph.Module.
func (ReLU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyAct("ReLU", b, b.Dtype(), x, actReLU, 0)
}

// LeakyReLU is x for x > 0 and Slope·x otherwise (torch.nn.LeakyReLU(negative_slope)). An
// unset Slope (the zero value) is PyTorch's default 0.01; Set(s) chooses any slope, Set(0.0)
// included (which is ReLU).
type LeakyReLU struct {
	Slope Opt[float64]
}

// Forward implements graph.Module.
func (l LeakyReLU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := l.Slope.Or(0.01)
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return nil, errors.Errorf("layers: %s: Slope=%v is not finite", where("LeakyReLU", b), s)
	}
	return applyAct("LeakyReLU", b, b.Dtype(), x, actLeakyReLU, s)
}

// Tanh is the hyperbolic tangent, element-wise (torch.nn.Tanh).
type Tanh struct{}

// Forward implements graph.Module.
func (Tanh) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyAct("Tanh", b, b.Dtype(), x, actTanh, 0)
}

// Sigmoid is the logistic function 1/(1+exp(-x)), element-wise and overflow-free (torch.nn.Sigmoid).
type Sigmoid struct{}

// Forward implements graph.Module.
func (Sigmoid) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyAct("Sigmoid", b, b.Dtype(), x, actSigmoid, 0)
}

// GELU is the Gaussian error linear unit x·Φ(x) (torch.nn.GELU(approximate)). Approximate is
// PyTorch's argument: the zero value "" and "none" are the exact erf form (PyTorch's default),
// "tanh" is 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
type GELU struct {
	Approximate string
}

// Forward implements graph.Module.
func (l GELU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	switch l.Approximate {
	case "", "none":
		return applyAct("GELU", b, b.Dtype(), x, actGELU, 0)
	case "tanh":
		return applyAct("GELU", b, b.Dtype(), x, actGELUTanh, 0)
	}
	return nil, errors.Errorf("layers: %s: Approximate=%q, want \"none\" or \"tanh\"", where("GELU", b), l.Approximate)
}
