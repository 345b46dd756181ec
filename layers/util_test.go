package layers

import (
	"math/rand"

	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/tensor"
)

func newTestRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

func randDense(rng *rand.Rand, shape tensor.Shape) *tensor.Dense {
	v := make([]float64, shape.TotalSize())
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.WithBacking(v))
}

// randDenseOf is randDense in element type T.
func randDenseOf[T num.Float](rng *rand.Rand, shape ...int) *tensor.Dense {
	v := make([]T, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = T(rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}
