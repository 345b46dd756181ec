package layers

import (
	"math/rand"

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
