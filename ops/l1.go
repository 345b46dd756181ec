package ops

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// L1 returns the mean absolute error |x - y| between input and target,
// with the semantics of torch.nn.functional.l1_loss (PyTorch 1.13).
//
// Shapes, dtypes and options as for MSE. The gradient is sign(x - y)
// (0 where x = y) for the input and its negative for the target.
func L1(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("L1", nil, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		return l1Kernel{}, ""
	})
}

type l1Kernel struct{}

func (l1Kernel) loss(x, y float64) float64 { return math.Abs(x - y) }
func (l1Kernel) dx(x, y float64) float64   { return sign(x - y) }
func (l1Kernel) dy(x, y float64) float64   { return -sign(x - y) }

// sign returns -1, 0 or 1 (NaN for NaN), like torch.sign.
func sign(d float64) float64 {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return d
}
