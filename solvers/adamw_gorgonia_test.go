package solvers_test

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/solvers"
	"github.com/stheno-ml/stheno/solvers/solvertest"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGorgoniaAdamWLeavesWeightsUnchanged documents why this package
// exists: Gorgonia 0.9.18's AdamW never writes the weights, while
// solvers.NewAdamW follows torch.optim.AdamW step for step. The Stheno half
// is asserted; the Gorgonia half is logged, so that the test keeps passing
// (and says so) on the day Gorgonia's AdamW is fixed.
func TestGorgoniaAdamWLeavesWeightsUnchanged(t *testing.T) {
	var c *solvertest.Case
	for _, x := range solvertest.Cases("adamw") {
		if x.Dtype == tensor.Float64 && len(x.Options) == 0 && x.Clip == 0 && x.Schedule == nil {
			c = x // torch.optim.AdamW defaults: lr 1e-3, wd 0.01
		}
	}
	if c == nil {
		t.Fatal("no default AdamW case in the solvertest goldens")
	}
	vi := -1
	for i, p := range c.Params {
		if p.Name == "vec" {
			vi = i
		}
	}
	if vi < 0 {
		t.Fatal("the default AdamW case has no parameter vec")
	}
	init := c.Params[vi].Init
	n := len(init)

	// loss = Σ w ⊙ c, so that ∂loss/∂w = c, the golden gradient of the step.
	build := func() (*G.Node, *G.Node, G.VM) {
		g := G.NewGraph()
		w := G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName("w"),
			G.WithValue(tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), init...)))))
		c := G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName("c"), G.WithInit(G.Zeroes()))
		loss := G.Must(G.Sum(G.Must(G.HadamardProd(w, c))))
		if _, err := G.Grad(loss, w); err != nil {
			t.Fatal(err)
		}
		return w, c, G.NewTapeMachine(g)
	}
	gw, gc, gvm := build()
	sw, sc, svm := build()
	gorgoniaAdamW := G.NewAdamW()
	ours, err := solvers.NewAdamW()
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < c.Steps; k++ {
		for _, cn := range []*G.Node{gc, sc} {
			if err := G.Let(cn, tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float64(nil), c.Grad(k, vi)...)))); err != nil {
				t.Fatal(err)
			}
		}
		if err := gvm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if err := svm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if err := gorgoniaAdamW.Step(G.NodesToValueGrads(G.Nodes{gw})); err != nil {
			t.Fatal(err)
		}
		if err := ours.Step(G.NodesToValueGrads(G.Nodes{sw})); err != nil {
			t.Fatal(err)
		}
		gvm.Reset()
		svm.Reset()
		got := sw.Value().Data().([]float64)
		_, want := c.Want(k, vi)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-10*math.Max(1, math.Abs(want[i])) {
				t.Fatalf("step %d: solvers.AdamW w[%d] = %.17g, torch %.17g", k, i, got[i], want[i])
			}
		}
	}
	_, final := c.Want(c.Steps-1, vi)
	for i := range init {
		if final[i] == init[i] {
			t.Fatalf("torch's final w[%d] equals the initial value; the comparison would not tell the difference", i)
		}
	}
	gorgoniaW := gw.Value().Data().([]float64)
	moved := false
	for i := range init {
		moved = moved || gorgoniaW[i] != init[i]
	}
	if moved {
		t.Logf("Gorgonia's AdamW now moves the weights (%v, torch %v): the bug this test documents may be fixed", gorgoniaW, final)
	} else {
		t.Logf("Gorgonia's AdamW left the weights at their initial values %v after %d steps; torch.optim.AdamW (and solvers.AdamW) reach %v", init, c.Steps, final)
	}
}
