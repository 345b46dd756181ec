package ops

import (
	"math"
	"slices"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/ops/optest"
)

// TestFiniteDifferences checks every backward pass, for every option
// combination of the float64 golden cases, against finite differences of
// the op's forward, on both machines (optest.CheckGrad), with respect to
// every input the case has gradients for.
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
			var wrt []int
			for k := range lg.wrt {
				wrt = append(wrt, k)
			}
			if err := optest.CheckGrad(lg.loss.Op(), lg.inputs, wrt, fdConfig(loss, c, lg)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no case checked", loss)
		}
	}
}

// fdConfig returns the finite-difference settings of a case: the elements
// where a loss has a kink, a clamp or no derivative are skipped.
func fdConfig(loss string, c *goldenCase, lg *lossGraph) *optest.Config {
	cfg := &optest.Config{}
	x := valueFloats(lg.xv)
	var y []float64
	if slices.Contains(regLosses, loss) {
		y = valueFloats(lg.tv)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 3e-3*math.Max(1, math.Abs(b)) }
	switch loss {
	case "bce":
		// at p = 0 or 1 the loss is clamped (no derivative); near them,
		// 1/p varies fast: smaller steps
		cfg.Step = 1e-5
		cfg.Skip = func(_, _ int, x float64) bool { return x < 1e-3 || x > 1-1e-3 }
	case "l1", "smoothl1", "huber":
		// the kinks of |x - y| (PyTorch's derivative at x = y with β = 0
		// is -1, not the 0 of a symmetric difference) and at |x - y| = β
		k := 1.0 // the default β and δ
		if c.Beta != nil {
			k = *c.Beta
		}
		if c.Delta != nil {
			k = *c.Delta
		}
		cfg.Skip = func(_, i int, _ float64) bool {
			d := math.Abs(x[i] - y[i])
			return d < 3e-3 || (loss != "l1" && near(d, k))
		}
	case "kldiv":
		// log p of a target near 0: small steps, and not at 0
		cfg.Step = 1e-5
		cfg.Skip = func(in, i int, v float64) bool { return in == 1 && !c.LogTarget && v < 1e-4 }
	case "poissonnll":
		logInput := c.LogInput == nil || *c.LogInput
		cfg.Skip = func(in, i int, v float64) bool {
			if in == 0 {
				return !logInput && v < 1e-2 // x + eps near 0
			}
			return c.Full && (v < 1e-2 || near(v, 1)) // Stirling's mask at y = 1; log y
		}
	case "gaussiannll":
		eps := 1e-6
		if c.Eps != nil {
			eps = *c.Eps
		}
		cfg.Skip = func(in, i int, v float64) bool { return in == 2 && v < eps+5e-3 } // the clamp
	}
	return cfg
}

func hasNaN(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}
