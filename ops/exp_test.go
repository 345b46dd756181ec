package ops

import (
	"math"
	"testing"
)

func TestExpAccuracy(t *testing.T) {
	var worstAcc, worstF32 float64
	for x := -707.9; x <= 0; x += 0.00137 {
		want := math.Exp(x)
		worstAcc = math.Max(worstAcc, math.Abs(expAcc(x)-want)/want)
		worstF32 = math.Max(worstF32, math.Abs(expF32(x)-want)/want)
	}
	if worstAcc > 5e-16 {
		t.Errorf("expAcc worst relative error %g > 5e-16", worstAcc)
	}
	if worstF32 > 1e-9 {
		t.Errorf("expF32 worst relative error %g > 1e-9", worstF32)
	}
	for _, f := range []func(float64) float64{expAcc, expF32} {
		if got := f(math.NaN()); !math.IsNaN(got) {
			t.Errorf("exp(NaN) = %v", got)
		}
		if got := f(math.Inf(-1)); got > 1e-300 {
			t.Errorf("exp(-Inf) = %v", got)
		}
		if got := f(0); got != 1 {
			t.Errorf("exp(0) = %v", got)
		}
	}
}

func TestLog1p(t *testing.T) {
	var w64, w32, wg float64
	for e := 0.0; e <= 1; e += 1.0 / 4099 {
		want := math.Log1p(e)
		rel := func(v float64) float64 {
			if want == 0 {
				return math.Abs(v)
			}
			return math.Abs(v-want) / want
		}
		w64 = math.Max(w64, rel(log1pUnit[float64](e)))
		w32 = math.Max(w32, rel(log1pUnit[float32](e)))
		wg = math.Max(wg, rel(log1p(e)))
	}
	for _, e := range []float64{1e-300, 1e-20, 1e-9} {
		w64 = math.Max(w64, math.Abs(log1pUnit[float64](e)-math.Log1p(e))/math.Log1p(e))
		wg = math.Max(wg, math.Abs(log1p(-e)-math.Log1p(-e))/-math.Log1p(-e))
	}
	if w64 > 1e-15 || w32 > 1e-9 || wg > 1e-15 {
		t.Errorf("log1p relative errors: unit float64 %g, unit float32 %g, Goldberg %g", w64, w32, wg)
	}
}
