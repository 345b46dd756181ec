package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// KLDiv returns the Kullback-Leibler divergence loss of log-probabilities
// input = log q and a target distribution p, with the semantics of
// torch.nn.functional.kl_div (PyTorch 1.13): element-wise
// p (log p - log q), 0 where p = 0; with WithLogTarget(true) the target
// is log p and the loss exp(log p) (log p - log q).
//
// input and target have the same shape (any, scalars too) and dtype;
// different shapes are an error. Reductions: Mean (the default, over all
// elements, as PyTorch's 'mean' does — which is not the divergence),
// BatchMean (the sum over the batch size, the input's first dimension:
// the divergence per sample), Sum and None. Gradients flow to the input,
// -p (-exp(log p) with a log target), and to the target,
// log p + 1 - log q (exp(log p) (log p + 1 - log q) with a log target);
// at p = 0 the target's gradient is NaN, as in PyTorch.
func KLDiv(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("KLDiv", []string{"BatchMean", "WithLogTarget"}, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		return klDivKernel{logTarget: c.logTarget}, fmt.Sprintf(", log_target=%v", c.logTarget)
	})
}

type klDivKernel struct{ logTarget bool }

func (k klDivKernel) loss(x, y float64) float64 {
	if k.logTarget {
		return math.Exp(y) * (y - x)
	}
	return xlogy(y, y) - y*x
}

func (k klDivKernel) dx(x, y float64) float64 {
	if k.logTarget {
		return -math.Exp(y)
	}
	return -y
}

// dy is PyTorch's: the derivative of xlogy(y, y) is (y != 0)·log y + y/y,
// NaN at y = 0.
func (k klDivKernel) dy(x, y float64) float64 {
	if k.logTarget {
		return math.Exp(y) * (y + 1 - x)
	}
	var l float64
	if y != 0 {
		l = math.Log(y)
	}
	return l + y/y - x
}

// xlogy returns x·log y, 0 where x = 0 (unless y is NaN), like torch.xlogy.
func xlogy(x, y float64) float64 {
	if x == 0 && !math.IsNaN(y) {
		return 0
	}
	return x * math.Log(y)
}
