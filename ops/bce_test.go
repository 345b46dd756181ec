package ops

import (
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
)

// p = 0 or 1: each log is clamped at -100, the gradient divides by
// max(p(1-p), 1e-12).
func TestBCEClampsByHand(t *testing.T) {
	t.Run("float32", testBCEClampsByHand[float32])
	t.Run("float64", testBCEClampsByHand[float64])
}

func testBCEClampsByHand[T num.Float](t *testing.T) {
	dt := num.Dtype[T]()
	g := G.NewGraph()
	p := G.NodeFromAny(g, floatTensor(dt, []int{4}, []float64{0, 1, 1, 0.5}), G.WithName("p"))
	y := G.NodeFromAny(g, floatTensor(dt, []int{4}, []float64{1, 1, 0, 0.5}), G.WithName("y"))
	loss := G.Must(BCE(p, y, WithReduction(Sum)))
	grads, err := G.Grad(loss, p)
	if err != nil {
		t.Fatal(err)
	}
	runGraph(t, g)
	want := 100 + 0 + 100 + math.Ln2
	rtol, _ := golden.Tol(dt)
	if got := valueFloats(loss.Value())[0]; math.Abs(got-want) > rtol*want {
		t.Errorf("%v: BCE = %v, want %v", dt, got, want)
	}
	eps := float64(float32(1e-12))
	wantG := []float64{-1 / eps, 0, 1 / eps, 0}
	if i := golden.Diff(valueFloats(grads[0].Value()), wantG, rtol, 0); i >= 0 {
		t.Errorf("%v: grad[%d]: got %v, want %v", dt, i, valueFloats(grads[0].Value()), wantG)
	}
}
