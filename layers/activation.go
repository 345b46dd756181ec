package layers

import (
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// ReLU is the rectified linear unit max(0, x), element-wise (torch.nn.ReLU).
type ReLU struct{}

// Forward implements graph.Module.
func (ReLU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyAct("ReLU", b, b.Dtype(), x, actReLU, 0)
}

// LeakyReLU is x for x > 0 and Slope·x otherwise (torch.nn.LeakyReLU). A zero Slope means
// PyTorch's default 0.01; for a plain ReLU use ReLU.
type LeakyReLU struct {
	Slope float64
}

// Forward implements graph.Module.
func (l LeakyReLU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := l.Slope
	if s == 0 {
		s = 0.01
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

// GELU is the Gaussian error linear unit x·Φ(x) in its exact erf form, like torch.nn.GELU's default
// (approximate='none').
type GELU struct{}

// Forward implements graph.Module.
func (GELU) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return applyAct("GELU", b, b.Dtype(), x, actGELU, 0)
}
