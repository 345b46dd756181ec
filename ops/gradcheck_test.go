package ops

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"

	"github.com/stheno-ml/stheno/ops/optest"
	G "gorgonia.org/gorgonia"
)

// TestFiniteDifferences checks every backward pass, for every option
// combination of the float64 golden cases, against central differences of
// the op's forward, on both machines (optest.CheckGrad).
func TestFiniteDifferences(t *testing.T) {
	for _, loss := range goldenLosses {
		f := loadGolden(t, loss)
		checked := 0
		for i := range f.Cases {
			c := &f.Cases[i]
			if c.Dtype != "float64" || c.Grad == nil || hasNaN(golden.Floats(c.Out)) {
				continue // a NaN loss (every target ignored) has no derivative
			}
			name := caseName(f, loss, i)
			lg, err := buildCase(f, loss, i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			in := []G.Value{lg.xv}
			if lg.tv != nil {
				in = append(in, lg.tv)
			}
			cfg := &optest.Config{}
			if loss == "bce" {
				// at p = 0 or 1 the loss is clamped (no derivative); near
				// them, 1/p varies fast: smaller steps
				cfg.Step = 1e-5
				cfg.Skip = func(_, _ int, x float64) bool { return x < 1e-3 || x > 1-1e-3 }
			}
			if err := optest.CheckGrad(lg.loss.Op(), in, []int{0}, cfg); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no case checked", loss)
		}
	}
}

func hasNaN(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}
