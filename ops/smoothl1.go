package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// SmoothL1 returns the smooth L1 loss between input and target, with the
// semantics of torch.nn.functional.smooth_l1_loss (PyTorch 1.13): with
// z = |x - y|, 0.5 z²/β where z < β and z - 0.5β elsewhere; β = 0 is the
// L1 loss.
//
// Shapes, dtypes and reductions as for MSE; WithBeta sets β ≥ 0 (default
// 1). Gradients flow to the input and the target. As in PyTorch's
// backward, the input's derivative is -1 where x - y <= -β, 1 where
// x - y >= β and (x - y)/β between, and the target's is that of the swapped
// pair — so with β = 0 and x = y both are -1.
func SmoothL1(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("SmoothL1", []string{"WithBeta"}, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		return smoothL1Kernel{beta: c.beta}, fmt.Sprintf(", beta=%v", c.beta)
	})
}

type smoothL1Kernel struct{ beta float64 }

func (k smoothL1Kernel) loss(x, y float64) float64 {
	z := math.Abs(x - y)
	if z < k.beta {
		return 0.5 * z * z / k.beta
	}
	return z - 0.5*k.beta
}

// grad is PyTorch's smooth_l1_backward of d = x - y.
func (k smoothL1Kernel) grad(d float64) float64 {
	switch {
	case d <= -k.beta:
		return -1
	case d >= k.beta:
		return 1
	}
	return d / k.beta
}

func (k smoothL1Kernel) dx(x, y float64) float64 { return k.grad(x - y) }
func (k smoothL1Kernel) dy(x, y float64) float64 { return k.grad(y - x) }
