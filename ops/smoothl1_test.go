package ops

import (
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

func TestSmoothL1ByHand(t *testing.T) {
	t.Run("float32", testSmoothL1ByHand[float32])
	t.Run("float64", testSmoothL1ByHand[float64])
}

func testSmoothL1ByHand[T num.Float](t *testing.T) {
	x, y := []float64{2, 0, 3, 3.25}, []float64{1, 2, 3, 3}
	// β = 1, d = [1, -2, 0, 0.25]: [0.5, 1.5, 0, 0.03125]
	byHand[T](t, "β=1", SmoothL1, x, y, 2.03125, []float64{1, -1, 0, 0.25}, []float64{-1, 1, 0, -0.25})
	// β = 0 is L1, except PyTorch 1.13's derivative at d = 0: -1 for both
	byHand[T](t, "β=0", SmoothL1, x, y, 3.25, []float64{1, -1, -1, 1}, []float64{-1, 1, -1, -1}, WithBeta(0))
}

func TestSmoothL1HuberErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"β < 0", buildErr(SmoothL1, []int{3}, []int{3}, WithBeta(-1)), "beta must be finite and >= 0, got -1"},
		{"δ = 0", buildErr(Huber, []int{3}, []int{3}, WithDelta(0)), "delta must be finite and > 0, got 0"},
		{"δ on SmoothL1", buildErr(SmoothL1, []int{3}, []int{3}, WithDelta(1)), "option WithDelta does not apply to SmoothL1"},
		{"β on Huber", buildErr(Huber, []int{3}, []int{3}, WithBeta(1)), "option WithBeta does not apply to Huber"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, c.err, c.want)
		}
	}
}
