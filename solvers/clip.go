package solvers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradSumSquares returns Σ g² over the gradient of vg, accumulated in
// float64.
func gradSumSquares(vg gorgonia.ValueGrad) (float64, error) {
	dt, _, err := check(vg)
	if err != nil {
		return 0, err
	}
	if dt == tensor.Float32 {
		return sumSquares[float32](vg), nil
	}
	return sumSquares[float64](vg), nil
}

func sumSquares[T num.Float](vg gorgonia.ValueGrad) float64 {
	_, g, _ := views[T](vg)
	var s float64
	for _, x := range g {
		s += float64(x) * float64(x)
	}
	return s
}

// scaleGrad multiplies the gradient of vg (already checked) by c.
func scaleGrad[T num.Float](vg gorgonia.ValueGrad, c float64) {
	_, g, _ := views[T](vg)
	for i := range g {
		g[i] *= T(c)
	}
}

// GlobalGradNorm returns the L2 norm of all the gradients of model taken
// together (the total_norm of torch.nn.utils.clip_grad_norm_).
func GlobalGradNorm(model []gorgonia.ValueGrad) (float64, error) {
	var sum float64
	for _, vg := range model {
		s, err := gradSumSquares(vg)
		if err != nil {
			return 0, errors.Wrap(err, "GlobalGradNorm")
		}
		sum += s
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
		if vg.Value().Dtype() == tensor.Float32 {
			scaleGrad[float32](vg, c)
		} else {
			scaleGrad[float64](vg, c)
		}
	}
	return total, nil
}
