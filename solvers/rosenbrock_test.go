package solvers

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRosenbrock minimises f(x, y) = (1−x)² + 100(y−x²)² from (−1.5, 2)
// with each solver and compares the point every 100 steps with PyTorch's.
func TestRosenbrock(t *testing.T) {
	raw, err := os.ReadFile("testdata/rosenbrock.json")
	if err != nil {
		t.Fatal(err)
	}
	var runs []goldenCase2
	if err := json.Unmarshal(raw, &runs); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		t.Run(r.Solver, func(t *testing.T) {
			s := newSolver(t, r.Solver, optionsFromSpec(t, &solvertest.Case{Options: r.Options}))
			p := newTestParam("xy", tensor.Float64, []int{2}, []float64{-1.5, 2})
			model := []gorgonia.ValueGrad{p}
			xy := p.val.Data().([]float64)
			g := p.grad.Data().([]float64)
			for k := 0; k < r.Steps; k++ {
				x, y := xy[0], xy[1]
				g[0] = -2*(1-x) - 400*x*(y-x*x)
				g[1] = 200 * (y - x*x)
				if err := s.Step(model); err != nil {
					t.Fatal(err)
				}
				if (k+1)%100 == 0 {
					want := r.Points[(k+1)/100-1]
					for i := range want {
						if math.Abs(xy[i]-want[i]) > 1e-9*math.Max(1, math.Abs(want[i])) {
							t.Fatalf("step %d: xy = %v, torch %v", k+1, xy, want)
						}
					}
				}
			}
			end := r.Points[len(r.Points)-1]
			t.Logf("%s: (%.6f, %.6f) after %d steps (torch (%.6f, %.6f))", r.Solver, xy[0], xy[1], r.Steps, end[0], end[1])
		})
	}
}

type goldenCase2 struct {
	Solver  string                 `json:"solver"`
	Options map[string]interface{} `json:"options"`
	Steps   int                    `json:"steps"`
	Points  [][]float64            `json:"points"`
}
