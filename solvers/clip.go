package solvers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
)

// sumSquares returns Σ g² over one gradient, accumulated in float64.
func sumSquares(g32 []float32, g64 []float64) float64 {
	var s float64
	for _, x := range g32 {
		s += float64(x) * float64(x)
	}
	for _, x := range g64 {
		s += x * x
	}
	return s
}

// GlobalGradNorm returns the L2 norm of all the gradients of model taken
// together (the total_norm of torch.nn.utils.clip_grad_norm_).
func GlobalGradNorm(model []gorgonia.ValueGrad) (float64, error) {
	var sum float64
	for _, vg := range model {
		_, _, g32, _, g64, err := slices(vg)
		if err != nil {
			return 0, errors.Wrap(err, "GlobalGradNorm")
		}
		sum += sumSquares(g32, g64)
	}
	return math.Sqrt(sum), nil
}

// ClipGradNorm scales the gradients of model in place so that their global
// L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_: every
// gradient is multiplied by maxNorm/(norm+1e-6) when that is below 1. It
// returns the norm before clipping. Solvers given WithClipGradNorm do the
// same without modifying the gradients.
func ClipGradNorm(model []gorgonia.ValueGrad, maxNorm float64) (float64, error) {
	if math.IsNaN(maxNorm) || maxNorm <= 0 {
		return 0, errors.Errorf("ClipGradNorm: maxNorm %v must be positive", maxNorm)
	}
	total, err := GlobalGradNorm(model)
	if err != nil {
		return 0, err
	}
	c := maxNorm / (total + 1e-6)
	if c >= 1 {
		return total, nil
	}
	for _, vg := range model {
		_, _, g32, _, g64, _ := slices(vg)
		for i := range g32 {
			g32[i] *= float32(c)
		}
		for i := range g64 {
			g64[i] *= c
		}
	}
	return total, nil
}
