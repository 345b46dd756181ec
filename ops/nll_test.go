package ops

import (
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Weighted mean with an ignored target, by hand.
func TestNLLWeightedMeanByHand(t *testing.T) {
	g := G.NewGraph()
	lp := []float64{-1, -2, -3, -0.5, -1.5, -2.5, -0.1, -0.2, -0.3}
	x := G.NodeFromAny(g, floatTensor(tensor.Float64, []int{3, 3}, lp), G.WithName("x"))
	y := G.NodeFromAny(g, tensor.New(tensor.WithBacking([]int{0, 2, 1})), G.WithName("y"))
	w := tensor.New(tensor.WithBacking([]float64{2, 5, 3}))
	loss := G.Must(NLL(x, y, WithWeight(w), WithIgnoreIndex(1)))
	grads, err := G.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g)
	want := (2*1 + 3*2.5) / (2 + 3.0)
	if got := valueFloats(loss.Value())[0]; math.Abs(got-want) > 1e-15 {
		t.Errorf("NLL = %v, want %v", got, want)
	}
	wantG := []float64{-2.0 / 5, 0, 0, 0, 0, -3.0 / 5, 0, 0, 0}
	if i := golden.Diff(valueFloats(grads[0].Value()), wantG, 1e-15, 0); i >= 0 {
		t.Errorf("grad[%d]: got %v, want %v", i, valueFloats(grads[0].Value()), wantG)
	}
}

// NLL(LogSoftmax(x)) and CrossEntropy(x) agree in value and gradient, which
// also checks LogSoftmax's backward inside a graph.
func TestNLLOfLogSoftmaxIsCrossEntropy(t *testing.T) {
	t.Run("float32", testNLLOfLogSoftmaxIsCrossEntropy[float32])
	t.Run("float64", testNLLOfLogSoftmaxIsCrossEntropy[float64])
}

func testNLLOfLogSoftmaxIsCrossEntropy[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	xd := []float64{0.3, -1.2, 2.2, 0.7, 5, -3, 0.1, 0.2, 40, -40, 1, 2}
	mk := func() (*G.ExprGraph, *G.Node, *G.Node) {
		g := G.NewGraph()
		x := G.NodeFromAny(g, floatTensor(dt, []int{2, 2, 3}, xd), G.WithName("x")) // (N, C, d1)
		y := G.NodeFromAny(g, tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int32{0, 1, 1, 1, 0, 1})), G.WithName("y"))
		return g, x, y
	}
	g1, x1, y1 := mk()
	l1 := G.Must(NLL(G.Must(LogSoftmax(x1, 1)), y1, WithReduction(Sum)))
	g1s, err := G.Grad(l1, x1)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g1)
	g2, x2, y2 := mk()
	l2 := G.Must(CrossEntropy(x2, y2, WithReduction(Sum)))
	g2s, err := G.Grad(l2, x2)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g2)
	rtol, atol := golden.Tol(dt)
	if i := golden.Diff(valueFloats(l1.Value()), valueFloats(l2.Value()), rtol, atol); i >= 0 {
		t.Errorf("%v: loss[%d]: NLL∘LogSoftmax %v, CrossEntropy %v", dt, i, l1.Value(), l2.Value())
	}
	if i := golden.Diff(valueFloats(g1s[0].Value()), valueFloats(g2s[0].Value()), rtol, atol); i >= 0 {
		t.Errorf("%v: grad[%d]: NLL∘LogSoftmax %v, CrossEntropy %v", dt, i, g1s[0].Value(), g2s[0].Value())
	}
}
