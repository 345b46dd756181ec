package ops

import (
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

func TestMSEByHand(t *testing.T) {
	t.Run("float32", testMSEByHand[float32])
	t.Run("float64", testMSEByHand[float64])
}

func testMSEByHand[T num.Float](t *testing.T) {
	// d = [1, -2, 0]: Σd² = 5, d/dx = 2d, d/dy = -2d
	byHand[T](t, "MSE", MSE, []float64{2, 0, 3}, []float64{1, 2, 3}, 5, []float64{2, -4, 0}, []float64{-2, 4, 0})
}

func TestMSEErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"shapes differ (PyTorch broadcasts with a warning)", buildErr(MSE, []int{3, 1}, []int{3}), "target has shape (3), want the input's shape (3, 1)"},
		{"weight", buildErr(MSE, []int{3}, []int{3}, WithWeight(floatTensor(num.Dtype[float64](), []int{3}, []float64{1, 2, 3}))), "option WithWeight does not apply to MSE"},
		{"batchmean", buildErr(MSE, []int{3}, []int{3}, WithReduction(BatchMean)), "reduction BatchMean applies only to KLDiv"},
		{"beta", buildErr(MSE, []int{3}, []int{3}, WithBeta(1)), "option WithBeta does not apply to MSE"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, c.err, c.want)
		}
	}
}

// After the first run, the forward and both backward ops of a
// target-differentiating loss allocate nothing (GaussianNLL's three too).
func TestRegressionZeroAllocs(t *testing.T) {
	xv := floatTensor(num.Dtype[float64](), []int{8, 10}, make([]float64, 80))
	yv := floatTensor(num.Dtype[float64](), []int{8, 10}, make([]float64, 80))
	vv := floatTensor(num.Dtype[float64](), []int{8}, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	g := G.NewGraph()
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	v := G.NodeFromAny(g, vv, G.WithName("v"))
	for _, n := range []*G.Node{
		G.Must(MSE(x, y)), G.Must(SmoothL1(x, y, WithReduction(None))), G.Must(KLDiv(x, y, WithReduction(BatchMean))),
		G.Must(PoissonNLL(x, y, WithFull(true))), G.Must(GaussianNLL(x, y, v)),
	} {
		op := n.Op()
		in := []G.Value{xv, yv, vv}[:op.Arity()]
		out, err := op.Do(in...)
		if err != nil {
			t.Fatal(err)
		}
		gin := append(append([]G.Value{}, in...), out, out)
		for i := range in {
			if _, err := backwardOf(op, i).Do(gin...); err != nil {
				t.Fatal(err)
			}
		}
		allocs := testing.AllocsPerRun(20, func() {
			op.Do(in...)
			for i := range in {
				backwardOf(op, i).Do(gin...)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per forward+backward", op, allocs)
		}
	}
}

// A constant target (gorgonia.NewConstant) works on both machines; only
// the input's gradient is asked for.
func TestMSEConstantTarget(t *testing.T) {
	for _, lisp := range []bool{false, true} {
		g := G.NewGraph()
		x := G.NodeFromAny(g, floatTensor(num.Dtype[float64](), []int{3}, []float64{1, 2, 3}), G.WithName("x"))
		y := G.NewConstant(floatTensor(num.Dtype[float64](), []int{3}, []float64{0, 2, 5}), G.WithName("y"))
		l := G.Must(MSE(x, y))
		var grads G.Nodes
		var vm G.VM
		if lisp {
			vm = G.NewLispMachine(g)
		} else {
			var err error
			if grads, err = G.Grad(l, x); err != nil {
				t.Fatal(err)
			}
			vm = G.NewTapeMachine(g)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatalf("lisp=%v: %v", lisp, err)
		}
		vm.Close()
		var gv G.Value
		if lisp {
			gv, _ = x.Grad()
		} else {
			gv = grads[0].Value()
		}
		want := []float64{2.0 / 3, 0, -4.0 / 3} // 2(x - y)/3
		if got := valueFloats(gv); golden.Diff(got, want, 1e-15, 0) >= 0 {
			t.Errorf("lisp=%v: gradient %v, want %v", lisp, got, want)
		}
	}
}
