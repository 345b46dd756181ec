package ops

import (
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

func TestHuberByHand(t *testing.T) {
	t.Run("float32", testHuberByHand[float32])
	t.Run("float64", testHuberByHand[float64])
}

func testHuberByHand[T num.Float](t *testing.T) {
	// δ = 2, d = [1, -3, 0]: [0.5, 2·(3 - 1) = 4, 0]; gradients clamp(d, -2, 2)
	byHand[T](t, "Huber", Huber, []float64{2, 0, 3}, []float64{1, 3, 3}, 4.5, []float64{1, -2, 0}, []float64{-1, 2, 0}, WithDelta(2))
}
