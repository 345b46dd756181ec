package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// PoissonNLL returns the negative log-likelihood of a Poisson-distributed
// target, with the semantics of torch.nn.functional.poisson_nll_loss
// (PyTorch 1.13): exp(x) - y·x for a log-rate input x (the default), or
// x - y·log(x + eps) for a rate input (WithLogInput(false)); WithFull(true)
// adds Stirling's approximation y·log y - y + 0.5·log(2πy) where y > 1.
//
// input and target have the same shape (any, scalars too) and
// dtype; different shapes are an error. Options: WithReduction (default
// Mean), WithLogInput (default true), WithFull (default false), WithEps
// (default 1e-8). Gradients flow to the input and the target; as in
// PyTorch, the target's gradient with WithFull is NaN where the target is
// 0 (or negative).
func PoissonNLL(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("PoissonNLL", []string{"WithLogInput", "WithFull", "WithEps"}, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		k := poissonKernel{logInput: c.logInput, full: c.full, eps: c.eps}
		if k.eps == 0 {
			k.eps = 1e-8
		}
		return k, fmt.Sprintf(", log_input=%v, full=%v, eps=%v", k.logInput, k.full, k.eps)
	})
}

type poissonKernel struct {
	logInput, full bool
	eps            float64
}

func (k poissonKernel) loss(x, y float64) float64 {
	var l float64
	if k.logInput {
		l = math.Exp(x) - y*x
	} else {
		l = x - y*math.Log(x+k.eps)
	}
	if k.full && y > 1 {
		l += y*math.Log(y) - y + 0.5*math.Log(2*math.Pi*y)
	}
	return l
}

func (k poissonKernel) dx(x, y float64) float64 {
	if k.logInput {
		return math.Exp(x) - y
	}
	return 1 - y/(x+k.eps)
}

// dy follows PyTorch's autograd through its masked_fill of the Stirling
// term: 0·(log y + 0.5/y) where y <= 1, which is NaN for y <= 0.
func (k poissonKernel) dy(x, y float64) float64 {
	var d float64
	if k.logInput {
		d = -x
	} else {
		d = -math.Log(x + k.eps)
	}
	if k.full {
		m := 0.0
		if y > 1 {
			m = 1
		}
		d += m * (math.Log(y) + 0.5/y)
	}
	return d
}
