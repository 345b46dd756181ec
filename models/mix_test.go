package models

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
)

// Scale is the hand-written module of docs/graphs.md ("Mixing layers with hand-written Gorgonia
// nodes"): a learnable per-feature scale followed by Gorgonia's tanh.
type Scale struct{ Features int }

func (s Scale) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param("weight", tensor.Shape{s.Features}, graph.Constant(1))
	if err != nil {
		return nil, err
	}
	y, err := gorgonia.BroadcastHadamardProd(x, w, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	return gorgonia.Tanh(y)
}

// TestMixedModel builds the documented mixed model and checks its parameter names and that the
// hand-written part computes tanh(scale * x).
func TestMixedModel(t *testing.T) {
	model := layers.Sequential{layers.Linear{In: 784, Out: 64}, Scale{Features: 64}, layers.Linear{In: 64, Out: 10}}
	s := graph.NewStore(tensor.Float64, 1)
	ev, err := graph.NewEvaluator(model, s, tensor.Shape{2, 784})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	var shapes []string
	for _, n := range s.Names() {
		v, _ := s.Get(n)
		shapes = append(shapes, fmt.Sprintf("%s %v", n, v.Shape()))
	}
	if got, want := strings.Join(shapes, ", "), "0.weight (64, 784), 0.bias (64), 1.weight (64), 2.weight (10, 64), 2.bias (10)"; got != want {
		t.Errorf("tensors %s, want %s", got, want)
	}
	// Scale alone: tanh(w*x) with w set to 2
	s2 := graph.NewStore(tensor.Float64, 1)
	ev2, err := graph.NewEvaluator(Scale{Features: 3}, s2, tensor.Shape{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer ev2.Close()
	if err := s2.Set("weight", tensor.New(tensor.WithBacking([]float64{2, 2, 2}))); err != nil {
		t.Fatal(err)
	}
	out, err := ev2.Forward(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-1, 0, 0.5})))
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range []float64{-1, 0, 0.5} {
		if got := out.Data().([]float64)[i]; math.Abs(got-math.Tanh(2*x)) > 1e-15 {
			t.Errorf("Scale(%g) = %g, want %g", x, got, math.Tanh(2*x))
		}
	}
}

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
