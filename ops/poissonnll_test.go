package ops

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

func TestPoissonNLLByHand(t *testing.T) {
	t.Run("float32", testPoissonNLLByHand[float32])
	t.Run("float64", testPoissonNLLByHand[float64])
}

func testPoissonNLLByHand[T num.Float](t *testing.T) {
	// log input: exp(x) - y x
	x, y := []float64{0, math.Log(2)}, []float64{1, 3}
	byHand[T](t, "log input", PoissonNLL, x, y, 1+2-3*math.Log(2), []float64{0, -1}, []float64{0, -math.Log(2)})
	// rate input: x - y log(x + eps), eps = 1; full adds Stirling for y > 1 only
	st := 3*math.Log(3) - 3 + 0.5*math.Log(2*math.Pi*3)
	byHand[T](t, "rate, full", PoissonNLL, []float64{1, 3}, y, 1-math.Log(2)+3-3*math.Log(4)+st,
		[]float64{1 - 1.0/2, 1 - 3.0/4}, []float64{-math.Log(2), -math.Log(4) + math.Log(3) + 0.5/3},
		WithLogInput(false), WithFull(true), WithEps(1))
}
