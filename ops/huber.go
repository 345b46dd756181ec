package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Huber returns the Huber loss between input and target, with the
// semantics of torch.nn.functional.huber_loss (PyTorch 1.13): with
// z = |x - y|, 0.5 z² where z < δ and δ (z - 0.5δ) elsewhere — SmoothL1
// times δ (for β = δ).
//
// Shapes, dtypes and reductions as for MSE; WithDelta sets δ > 0 (default
// 1). Gradients flow to the input, clamp(x - y, -δ, δ), and to the target,
// its negative.
func Huber(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return elementLoss("Huber", []string{"WithDelta"}, input, target, opts, func(c *lossConfig) (pairKernel, string) {
		return huberKernel{delta: c.delta}, fmt.Sprintf(", delta=%v", c.delta)
	})
}

type huberKernel struct{ delta float64 }

func (k huberKernel) loss(x, y float64) float64 {
	z := math.Abs(x - y)
	if z < k.delta {
		return 0.5 * z * z
	}
	return k.delta * (z - 0.5*k.delta)
}

func (k huberKernel) dx(x, y float64) float64 { return max(-k.delta, min(k.delta, x-y)) }
func (k huberKernel) dy(x, y float64) float64 { return max(-k.delta, min(k.delta, y-x)) }
