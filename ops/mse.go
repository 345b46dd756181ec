package ops

import (
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

// MSE returns the mean squared error (x - y)² between input and target,
// with the semantics of torch.nn.functional.mse_loss (PyTorch 1.13).
//
// input and target have the same shape (any, scalars too)
// and dtype (Float64 or Float32). PyTorch broadcasts different shapes
// with a warning; here they are an error. Options: WithReduction (Mean,
// the default, Sum or None). Gradients flow to the input, 2(x - y), and to
// the target, -2(x - y).
func MSE(input, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	cfg, err := newLossConfig("MSE", []string{"WithReduction"}, opts)
	if err != nil {
		return nil, err
	}
	s, _, err := pairSpec("MSE", input, target, cfg, true)
	if err != nil {
		return nil, err
	}
	s.diff = []bool{true, true}
	s.config = "reduction=" + cfg.reduction.String()
	return applyLoss(s.dt, &pairLoss[float32]{s: s, k: mseKernel[float32]{}}, &pairLoss[float64]{s: s, k: mseKernel[float64]{}}, input, target)
}

// mseKernel is MSE's rangeKernel: plain loops, the most used regression
// loss being worth it (the pairKernel interface costs a call per element).
type mseKernel[T num.Float] struct{}

func (mseKernel[T]) fwd(x, y, perPos []T, lo, hi int) (float64, int) {
	var sum float64
	y = y[lo:hi]
	for i, v := range x[lo:hi] {
		d := float64(v) - float64(y[i])
		sum += d * d
		if perPos != nil {
			perPos[lo+i] = T(d * d)
		}
	}
	return sum, -1
}

func (mseKernel[T]) bwd(dx, dy, x, y, g []T, s float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		gi := 2 * s
		if g != nil {
			gi *= float64(g[i])
		}
		d := (float64(x[i]) - float64(y[i])) * gi
		if dx != nil {
			dx[i] = T(d)
		}
		if dy != nil {
			dy[i] = T(-d)
		}
	}
}

func (mseKernel[T]) invalid(*lossSpec, []T, []T, int) error { return nil }
