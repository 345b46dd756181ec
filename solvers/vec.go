package solvers

import "github.com/stheno-ml/stheno/internal/num"

// vecKernels are the vector (assembly) kernels for one element type. Each
// updates a prefix of its slices — a multiple of its vector width — and
// returns its length; the generic Go loop does the rest. A nil entry means
// there is no vector kernel for that update on this machine or build. The
// kernels do the same IEEE operations in the same order as the Go loops, so
// that the split point never changes a result bit.
type vecKernels[T num.Float] struct {
	sgdPlain    func(p, g []T, c *sgdCoef[T]) int
	sgdMom      func(p, g, buf []T, c *sgdCoef[T]) int
	sgdNesterov func(p, g, buf []T, c *sgdCoef[T]) int
	adam        func(p, g, m, v []T, c *adamCoef[T]) int
	amsgrad     func(p, g, m, v, vmax []T, c *adamCoef[T]) int
	rmsprop     func(p, g, sq, ga, buf []T, c *rmspropCoef[T]) int
	adagrad     func(p, g, sum []T, c *adagradCoef[T]) int
}

// isaKernels are the vector kernels of one instruction set.
type isaKernels struct {
	name string
	k32  vecKernels[float32]
	k64  vecKernels[float64]
}

// isas lists the instruction sets this CPU and build have kernels for,
// best first; vec32 and vec64 are the best's, chosen once when the package
// is initialised (kernels_amd64.go). Without assembly both stay empty.
var (
	isas  []isaKernels
	vec32 vecKernels[float32]
	vec64 vecKernels[float64]
)

// vecFor returns the vector kernels for T.
func vecFor[T num.Float]() *vecKernels[T] {
	if v, ok := any(&vec32).(*vecKernels[T]); ok {
		return v
	}
	return any(&vec64).(*vecKernels[T])
}
