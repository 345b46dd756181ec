package solvers

import "github.com/stheno-ml/stheno/internal/num"

// breadthVec are the vector kernels of Adadelta, Adamax, NAdam and RAdam for one
// element type, as vecKernels are for the other solvers: each updates a
// prefix of its slices (a whole number of vectors) with the same IEEE
// operations in the same order as the Go loop, which does the rest; nil
// without assembly.
type breadthVec[T num.Float] struct {
	adadelta              func(p, g, sq, acc []T, c *adadeltaCoef[T]) int
	adamax                func(p, g, m, u []T, c *adamaxCoef[T]) int
	nadam                 func(p, g, m, v []T, c *nadamCoef[T]) int
	radamRect, radamPlain func(p, g, m, v []T, c *radamCoef[T]) int
}

// bvec32 and bvec64 are set once at start-up where there is assembly
// (breadth_kernels_amd64.go); breadthKernels names their instruction set.
var (
	bvec32         breadthVec[float32]
	bvec64         breadthVec[float64]
	breadthKernels = "none (Go loops)"
)

// bvecFor returns the vector kernels of Adadelta, Adamax, NAdam and RAdam for T.
func bvecFor[T num.Float]() *breadthVec[T] {
	if v, ok := any(&bvec32).(*breadthVec[T]); ok {
		return v
	}
	return any(&bvec64).(*breadthVec[T])
}
