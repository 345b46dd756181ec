package ops

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
)

func TestKLDivByHand(t *testing.T) {
	t.Run("float32", testKLDivByHand[float32])
	t.Run("float64", testKLDivByHand[float64])
}

func testKLDivByHand[T num.Float](t *testing.T) {
	q, p := []float64{0.25, 0.75}, []float64{0.5, 0.5}
	lq := []float64{math.Log(q[0]), math.Log(q[1])}
	kl := 0.5*math.Log(0.5/0.25) + 0.5*math.Log(0.5/0.75)
	byHand[T](t, "probabilities", KLDiv, lq, p, kl, []float64{-0.5, -0.5},
		[]float64{math.Log(0.5) + 1 - lq[0], math.Log(0.5) + 1 - lq[1]})
	lp := []float64{math.Log(0.5), math.Log(0.5)}
	byHand[T](t, "log target", KLDiv, lq, lp, kl, []float64{-0.5, -0.5},
		[]float64{0.5 * (lp[0] + 1 - lq[0]), 0.5 * (lp[1] + 1 - lq[1])}, WithLogTarget(true))

	// BatchMean divides by the first dimension, Mean by every element
	dt := num.Dtype[T]()
	g := G.NewGraph()
	x := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, append(lq, lq...)), G.WithName("x"))
	y := G.NodeFromAny(g, floatTensor(dt, []int{2, 2}, append(p, p...)), G.WithName("y"))
	bm := G.Must(KLDiv(x, y, WithReduction(BatchMean)))
	mean := G.Must(KLDiv(x, y))
	runGraph(t, g)
	if got := valueFloats(bm.Value())[0]; math.Abs(got-kl) > 1e-6 {
		t.Errorf("batchmean %v, want %v", got, kl)
	}
	if got := valueFloats(mean.Value())[0]; math.Abs(got-kl/2) > 1e-6 {
		t.Errorf("mean %v, want %v", got, kl/2)
	}
}
