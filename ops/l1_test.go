package ops

import (
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

func TestL1ByHand(t *testing.T) {
	t.Run("float32", testL1ByHand[float32])
	t.Run("float64", testL1ByHand[float64])
}

func testL1ByHand[T num.Float](t *testing.T) {
	// d = [1, -2, 0]: Σ|d| = 3, sign(0) = 0
	byHand[T](t, "L1", L1, []float64{2, 0, 3}, []float64{1, 2, 3}, 3, []float64{1, -1, 0}, []float64{-1, 1, 0})
}
