package ops

import (
	"math"
	"testing"
)

func TestExpAccuracy(t *testing.T) {
	var worstAcc, worstF32 float64
	for x := -707.9; x < 709; x += 0.0137 {
		want := math.Exp(x)
		worstAcc = math.Max(worstAcc, math.Abs(expAcc(x)-want)/want)
		worstF32 = math.Max(worstF32, math.Abs(expF32(x)-want)/want)
	}
	if worstAcc > 2e-15 {
		t.Errorf("expAcc worst relative error %g > 2e-15", worstAcc)
	}
	if worstF32 > 5e-7 {
		t.Errorf("expF32 worst relative error %g > 5e-7", worstF32)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -800, 800, 0} {
		for _, f := range []func(float64) float64{expAcc, expF32} {
			got, want := f(x), math.Exp(x)
			if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("exp(%v) = %v, want %v", x, got, want)
			}
		}
	}
}
