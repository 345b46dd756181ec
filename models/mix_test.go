package models

import (
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// The Scale module of docs/graphs.md ("Mixing layers with hand-written Gorgonia nodes") and its
// mixed model are tested in docs/snippets_test.go, beside the snippet.

// TestLayerInPlainGorgonia uses a Stheno layer inside a hand-written Gorgonia training loop, as
// docs/graphs.md describes: a Builder on the user's graph, Learnables to Grad and the solver.
func TestLayerInPlainGorgonia(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(4, 3), gorgonia.WithName("input"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}))))
	target := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(4, 2), gorgonia.WithName("target"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, 2, 2}))))
	s := graph.NewStore(tensor.Float64, 1)
	b := graph.NewBuilder(g, s, true)
	out, err := layers.Linear{In: 3, Out: 2}.Forward(b.Scope("fc"), x)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(gorgonia.Must(gorgonia.Sub(out, target))))))
	if _, err := gorgonia.Grad(cost, b.Learnables()...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(b.Learnables()...))
	defer vm.Close()
	solver := gorgonia.NewVanillaSolver(gorgonia.WithLearnRate(0.2))
	var first, last float64
	for i := 0; i < 500; i++ {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		last = cost.Value().Data().(float64)
		if i == 0 {
			first = last
		}
		if err := solver.Step(gorgonia.NodesToValueGrads(b.Learnables())); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	// the targets are exactly W·x with W = [[1, 0, 1], [0, 1, 1]], so the loss goes to zero
	if !(last < 1e-6 && first > 0.1) {
		t.Errorf("loss %g -> %g", first, last)
	}
	if got := strings.Join(s.Names(), " "); got != "fc.weight fc.bias" {
		t.Errorf("names %q", got)
	}
}
