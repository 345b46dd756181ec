package ops

import (
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Logits of ±1e4 give exact, finite losses and gradients in both dtypes.
func TestBCEWithLogitsExtremeByHand(t *testing.T) {
	t.Run("float32", testBCEWithLogitsExtremeByHand[float32])
	t.Run("float64", testBCEWithLogitsExtremeByHand[float64])
}

func testBCEWithLogitsExtremeByHand[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, []float64{1e4, -1e4, 1e4, -1e4}), G.WithName("x"))
	y := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, []float64{1, 0, 0, 1}), G.WithName("y"))
	pw := floatTensor(dt, []int{2}, []float64{1, 3})
	loss := G.Must(BCEWithLogits(x, y, WithReduction(None), WithPosWeight(pw)))
	sum := G.Must(G.Sum(loss))
	grads, err := G.Grad(sum, x)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g)
	// right with confidence: 0; wrong: |x|, times pos_weight 3 for the
	// missed positive in column 1
	want := []float64{0, 0, 1e4, 3e4}
	wantG := []float64{0, 0, 1, -3}
	if i := golden.Diff(valueFloats(loss.Value()), want, 1e-6, 0); i >= 0 {
		t.Errorf("%v: loss[%d]: got %v, want %v", dt, i, valueFloats(loss.Value()), want)
	}
	if i := golden.Diff(valueFloats(grads[0].Value()), wantG, 1e-6, 0); i >= 0 {
		t.Errorf("%v: grad[%d]: got %v, want %v", dt, i, valueFloats(grads[0].Value()), wantG)
	}
}

// BCEWithLogits(x) = BCE(sigmoid(x)) where the sigmoid does not saturate.
func TestBCEWithLogitsIsBCEOfSigmoid(t *testing.T) {
	xs := []float64{-3, -0.5, 0, 0.7, 2, 4}
	ys := []float64{0, 1, 0.5, 1, 0.2, 0}
	ps := make([]float64, len(xs))
	for i, x := range xs {
		ps[i] = 1 / (1 + math.Exp(-x))
	}
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(tensor.Float64, []int{2, 3}, xs), G.WithName("x"))
	p := G.NodeFromAny(g, floatTensor(tensor.Float64, []int{2, 3}, ps), G.WithName("p"))
	y := G.NodeFromAny(g, floatTensor(tensor.Float64, []int{2, 3}, ys), G.WithName("y"))
	a := G.Must(BCEWithLogits(x, y))
	b := G.Must(BCE(p, y))
	runGraph(t, g)
	if i := golden.Diff(valueFloats(a.Value()), valueFloats(b.Value()), 1e-14, 0); i >= 0 {
		t.Errorf("[%d] BCEWithLogits %v, BCE(sigmoid) %v", i, a.Value(), b.Value())
	}
}
