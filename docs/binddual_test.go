package docs

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/solvers"
)

// TestBindDualValues answers docs/solvers.md's "BindDualValues on a TapeMachine": what happens to
// training when a TapeMachine made after gorgonia.Grad also gets gorgonia.BindDualValues, as three
// of Gorgonia's examples (iris, convnet, mnist) do. The model is the least-squares regression
// ŷ = x·θ (+ b), trained by plain gradient descent, whose exact gradients are computed by hand:
// (2/N)·xᵀ(ŷ−y) for θ and (2/N)·Σ(ŷ−y) for b.
//
//   - tensor parameters (θ): training is the same with or without BindDualValues, with Stheno's
//     SGD and with Gorgonia's VanillaSolver. The machine adds every run's gradient into θ's dual
//     value (θ.Grad() is the sum of all past gradients), but Stheno's solvers read the
//     derivative node, which holds this run's gradient, and Gorgonia's solvers zero the dual value
//     after each update.
//   - a scalar parameter broadcast into the batch (b, with gorgonia.BroadcastAdd): with
//     BindDualValues, b's derivative node shares the dual value, so what any solver reads as b's
//     gradient is the sum of all gradients so far, and Stheno's SGD follows the wrong trajectory.
//     Without BindDualValues it is exact.
func TestBindDualValues(t *testing.T) {
	for _, c := range []struct {
		name       string
		bias, bind bool
		gorgonia   bool // Gorgonia's VanillaSolver instead of Stheno's SGD
		wantExact  bool
	}{
		{"theta/stheno", false, false, false, true},
		{"theta/stheno+BindDualValues", false, true, false, true},
		{"theta/gorgonia", false, false, true, true},
		{"theta/gorgonia+BindDualValues", false, true, true, true},
		{"theta+scalar/stheno", true, false, false, true},
		{"theta+scalar/stheno+BindDualValues", true, true, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			xs := []float64{1, 2, 3, 4, 0.5, -1, 2, 0, -1, 1, 0, -2, 1.5, 1, -0.5, 0.5}
			ys := []float64{1, 3, 2, 5, 0, -2, 1, 0.5}
			const n, lr, steps = 8, 0.05, 6
			g := gorgonia.NewGraph()
			x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(n, 2), gorgonia.WithName("x"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(xs))))
			y := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(n), gorgonia.WithName("y"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(n), tensor.WithBacking(ys))))
			theta := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("theta"),
				gorgonia.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.1, -0.2}))))
			b := gorgonia.NewScalar(g, tensor.Float64, gorgonia.WithName("b"), gorgonia.WithValue(0.0))
			pred := gorgonia.Must(gorgonia.Mul(x, theta))
			learn := gorgonia.Nodes{theta}
			if c.bias {
				pred = gorgonia.Must(gorgonia.BroadcastAdd(pred, b, nil, []byte{0}))
				learn = append(learn, b)
			}
			cost := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(gorgonia.Must(gorgonia.Sub(pred, y))))))
			if _, err := gorgonia.Grad(cost, learn...); err != nil {
				t.Fatal(err)
			}
			var opts []gorgonia.VMOpt
			if c.bind {
				opts = append(opts, gorgonia.BindDualValues(learn...))
			}
			vm := gorgonia.NewTapeMachine(g, opts...)
			defer vm.Close()
			var s gorgonia.Solver = gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(lr))
			if !c.gorgonia {
				var err error
				if s, err = solvers.NewSGD(solvers.WithLearnRate(lr)); err != nil {
					t.Fatal(err)
				}
			}

			// Exact gradient descent, by hand.
			th, bb := []float64{0.1, -0.2}, 0.0
			var sumB float64 // the sum of b's exact gradients along the machine's own trajectory
			maxDev := 0.0
			for step := 0; step < steps; step++ {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				// The exact gradient at the machine's current parameters.
				cur := theta.Value().Data().([]float64)
				curB := b.Value().Data().(float64)
				var gB float64
				for i := 0; i < n; i++ {
					gB += 2 * (xs[2*i]*cur[0] + xs[2*i+1]*cur[1] + curB - ys[i]) / n
				}
				sumB += gB
				if c.bias && c.bind {
					got := b.Deriv().Value().Data().(float64)
					if math.Abs(got-sumB) > 1e-12 {
						t.Errorf("step %d: b's gradient as the solver reads it is %v, want the running sum %v", step, got, sumB)
					}
				}
				if c.bind && !c.gorgonia {
					dv, err := theta.Grad()
					if err != nil {
						t.Fatal(err)
					}
					if step > 0 && dv.Data().([]float64)[0] == theta.Deriv().Value().Data().([]float64)[0] {
						t.Errorf("step %d: θ's dual value is this run's gradient, want the accumulated sum", step)
					}
				}
				if err := s.Step(gorgonia.NodesToValueGrads(learn)); err != nil {
					t.Fatal(err)
				}
				vm.Reset()

				var g0, g1, gb float64
				for i := 0; i < n; i++ {
					r := xs[2*i]*th[0] + xs[2*i+1]*th[1] - ys[i]
					if c.bias {
						r += bb
					}
					g0 += 2 * xs[2*i] * r / n
					g1 += 2 * xs[2*i+1] * r / n
					gb += 2 * r / n
				}
				th[0], th[1] = th[0]-lr*g0, th[1]-lr*g1
				if c.bias {
					bb -= lr * gb
				}
				got := theta.Value().Data().([]float64)
				dev := math.Max(math.Abs(got[0]-th[0]), math.Abs(got[1]-th[1]))
				dev = math.Max(dev, math.Abs(b.Value().Data().(float64)-bb))
				maxDev = math.Max(maxDev, dev)
			}
			t.Logf("largest deviation from exact gradient descent over %d steps: %.3g", steps, maxDev)
			if c.wantExact && maxDev > 1e-12 {
				t.Errorf("deviates from exact gradient descent by %.3g", maxDev)
			}
			if !c.wantExact && maxDev < 0.01 {
				t.Errorf("deviation %.3g: expected BindDualValues to spoil the scalar's updates", maxDev)
			}
		})
	}
}
