package ops

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestFiniteDifferences checks every backward pass, for every option
// combination of the float64 golden cases, against finite differences (five-point stencil) of
// sum(loss * gout) computed with the op's forward.
func TestFiniteDifferences(t *testing.T) {
	for _, loss := range goldenLosses {
		f := loadGolden(t, loss)
		checked := 0
		for i := range f.Cases {
			c := &f.Cases[i]
			if c.Dtype != "float64" || c.Grad == nil {
				continue
			}
			name := caseName(f, loss, i)
			lg, err := buildCase(f, loss, i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			grads, err := G.Grad(lg.cost, lg.x)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			vm := G.NewTapeMachine(lg.g)
			if err := vm.RunAll(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			analytic := valueFloats(grads[0].Value())
			vm.Close()

			op := lg.loss.Op()
			gout := f.arr(c.Gout)
			x := f.arr(c.X)
			objective := func(xs []float64) float64 {
				xv := tensor.New(tensor.WithShape(c.XShape...), tensor.WithBacking(xs))
				var out G.Value
				if lg.tv != nil {
					out, err = op.Do(xv, lg.tv)
				} else {
					out, err = op.Do(xv)
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var s float64
				for k, v := range valueFloats(out) {
					g := 1.0
					if gout != nil && len(gout) > 1 {
						g = gout[k]
					}
					s += v * g
				}
				return s
			}
			var scale float64
			for _, g := range analytic {
				scale = math.Max(scale, math.Abs(g))
			}
			for k := range x {
				h := 1e-4 * math.Max(1, math.Abs(x[k]))
				if loss == "bce" {
					if x[k] < 3*h || x[k] > 1-3*h {
						continue // at p = 0 or 1 the loss is clamped: no derivative
					}
					h = math.Min(h, x[k]*(1-x[k])/4)
				}
				// five-point stencil: error O(h^4)
				xp := append([]float64(nil), x...)
				at := func(d float64) float64 { xp[k] = x[k] + d; return objective(xp) }
				num := (-at(2*h) + 8*at(h) - 8*at(-h) + at(-2*h)) / (12 * h)
				if d := math.Abs(num - analytic[k]); d > 1e-6*(math.Abs(num)+scale)+1e-10 {
					t.Errorf("%s: d/dx[%d]: analytic %v, finite differences %v", name, k, analytic[k], num)
				}
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no case checked", loss)
		}
	}
}
