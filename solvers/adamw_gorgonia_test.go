package solvers_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stheno-ml/stheno/solvers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGorgoniaAdamWLeavesWeightsUnchanged documents why this package
// exists: Gorgonia 0.9.18's AdamW never writes the weights, while
// solvers.NewAdamW follows torch.optim.AdamW step for step.
func TestGorgoniaAdamWLeavesWeightsUnchanged(t *testing.T) {
	raw, err := os.ReadFile("testdata/extras.json")
	if err != nil {
		t.Fatal(err)
	}
	var gold struct {
		Init  map[string][]float64   `json:"init"`
		Grads []map[string][]float64 `json:"grads"`
		Cases []struct {
			Solver  string                 `json:"solver"`
			Dtype   string                 `json:"dtype"`
			Options map[string]interface{} `json:"options"`
			Clip    *float64               `json:"clip"`
			Params  []map[string][]float64 `json:"params"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	var want []map[string][]float64
	for _, c := range gold.Cases {
		if c.Solver == "adamw" && c.Dtype == "float64" && len(c.Options) == 0 && c.Clip == nil {
			want = c.Params // torch.optim.AdamW defaults: lr 1e-3, wd 0.01
		}
	}
	if want == nil {
		t.Fatal("no default AdamW case in testdata/extras.json")
	}

	// loss = Σ w ⊙ c, so that ∂loss/∂w = c, the golden gradient of the step.
	build := func() (*G.Node, *G.Node, G.VM) {
		g := G.NewGraph()
		init := append([]float64(nil), gold.Init["vec"]...)
		w := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(4), tensor.WithBacking(init))))
		c := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("c"), G.WithInit(G.Zeroes()))
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
	for k := range want {
		for _, c := range []*G.Node{gc, sc} {
			if err := G.Let(c, tensor.New(tensor.WithShape(4), tensor.WithBacking(append([]float64(nil), gold.Grads[k]["vec"]...)))); err != nil {
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
		for i := range got {
			if math.Abs(got[i]-want[k]["vec"][i]) > 1e-10*math.Max(1, math.Abs(want[k]["vec"][i])) {
				t.Fatalf("step %d: solvers.AdamW w[%d] = %.17g, torch %.17g", k, i, got[i], want[k]["vec"][i])
			}
		}
	}
	unchanged := gw.Value().Data().([]float64)
	for i, x := range unchanged {
		if x != gold.Init["vec"][i] {
			t.Fatalf("Gorgonia's AdamW changed w[%d] from %v to %v; this test documents that it does not", i, gold.Init["vec"][i], x)
		}
		if x == want[len(want)-1]["vec"][i] {
			t.Fatalf("torch's final w[%d] equals the initial value; the test would not tell the difference", i)
		}
	}
}
