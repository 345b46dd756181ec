package solvers

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

// kernelData is random state for a kernel test: parameters, gradients and
// buffers, with zero, huge and tiny gradients mixed in.
func kernelData[T num.Float](rng *rand.Rand, n, nbuf int) (p, g []T, bufs [][]T) {
	p, g = make([]T, n), make([]T, n)
	for i := range p {
		p[i], g[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
		switch i % 7 {
		case 1:
			g[i] = 0
		case 2:
			g[i] = 1e4
		case 3:
			g[i] = 1e-6
		}
	}
	for k := 0; k < nbuf; k++ {
		b := make([]T, n)
		for i := range b {
			b[i] = T(rng.ExpFloat64() * 0.1) // non-negative: valid for every buffer
		}
		bufs = append(bufs, b)
	}
	return p, g, bufs
}

func clone[T num.Float](s []T) []T { return append([]T(nil), s...) }

func cloneAll[T num.Float](s [][]T) [][]T {
	out := make([][]T, len(s))
	for i := range s {
		out[i] = clone(s[i])
	}
	return out
}

// kernelCase is one solver configuration whose kernel is tested.
type kernelCase struct {
	name string
	mk   func() Solver
}

func kernelCases(t *testing.T) []kernelCase {
	mk := func(name string, opts ...Option) func() Solver {
		return func() Solver { return newSolver(t, name, opts) }
	}
	return []kernelCase{
		{"SGD", mk("sgd", WithLearnRate(0.05))},
		{"SGD/wd", mk("sgd", WithLearnRate(0.05), WithWeightDecay(0.1))},
		{"SGD/momentum", mk("sgd", WithLearnRate(0.05), WithMomentum(0.9), WithDampening(0.3), WithWeightDecay(0.1))},
		{"SGD/nesterov", mk("sgd", WithLearnRate(0.05), WithMomentum(0.9), WithNesterov(true))},
		{"Adam", mk("adam", WithLearnRate(0.01), WithWeightDecay(0.1))},
		{"Adam/amsgrad", mk("adam", WithLearnRate(0.01), WithAMSGrad(true))},
		{"AdamW", mk("adamw", WithLearnRate(0.01), WithMaximize(true))},
		{"AdamW/amsgrad", mk("adamw", WithLearnRate(0.01), WithAMSGrad(true))},
		{"RMSProp", mk("rmsprop", WithWeightDecay(0.1))},
		{"RMSProp/momentum", mk("rmsprop", WithMomentum(0.9))},
		{"RMSProp/centered", mk("rmsprop", WithCentered(true), WithMomentum(0.5))},
		{"Adagrad", mk("adagrad", WithLRDecay(0.1), WithWeightDecay(0.1))},
	}
}

// TestVectorKernelsBitIdentical runs each solver's kernel, as Step runs it
// (vector kernel over the bulk, Go loop over the tail), with the kernels of
// every instruction set this CPU has (AVX-512, AVX2), against the Go loop
// alone over every element, for lengths covering every tail of the vector
// widths, on steps 1 to 3 (SGD's first step differs). Element for element
// the bits must agree: where the split falls never changes a result.
func TestVectorKernelsBitIdentical(t *testing.T) {
	t.Run("float32", testVectorKernels[float32])
	t.Run("float64", testVectorKernels[float64])
}

func testVectorKernels[T num.Float](t *testing.T) {
	if len(isas) == 0 {
		t.Skip("no vector kernels in this build or on this CPU")
	}
	for _, isa := range isas {
		t.Run(isa.name, func(t *testing.T) {
			var v *vecKernels[T]
			if num.Is32[T]() {
				v = any(&isa.k32).(*vecKernels[T])
			} else {
				v = any(&isa.k64).(*vecKernels[T])
			}
			testVectorKernelsOf(t, v)
		})
	}
}

func testVectorKernelsOf[T num.Float](t *testing.T, vec *vecKernels[T]) {
	rng := rand.New(rand.NewSource(11))
	for _, kc := range kernelCases(t) {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1003} {
			s := kc.mk()
			b := baseOf(s)
			k := withVec(kernelOf[T](b), vec)
			loop := withVec(kernelOf[T](b), &vecKernels[T]{})
			ps := &param{name: "p", hp: &b.cfg.hyper, dtype: num.Dtype[T](), n: n}
			p, g, bufs := kernelData[T](rng, n, b.alg.nbuf(&b.cfg.hyper))
			p2, bufs2 := clone(p), cloneAll(bufs)
			for step := int64(1); step <= 3; step++ {
				ps.step = step
				k.set(ps, p, g, bufs, 0.01, 0.7)
				k.Range(0, 0, n)
				loop.set(ps, p2, g, bufs2, 0.01, 0.7)
				loop.Range(0, 0, n)
				for i := range p {
					if math.Float64bits(float64(p[i])) != math.Float64bits(float64(p2[i])) {
						t.Fatalf("%s n=%d step %d: θ[%d] vector %v, loop %v", kc.name, n, step, i, p[i], p2[i])
					}
					for j := range bufs {
						if math.Float64bits(float64(bufs[j][i])) != math.Float64bits(float64(bufs2[j][i])) {
							t.Fatalf("%s n=%d step %d: buffer %d [%d] vector %v, loop %v", kc.name, n, step, j, i, bufs[j][i], bufs2[j][i])
						}
					}
				}
			}
		}
	}
}

// baseOf returns the shared part of one of this package's solvers.
func baseOf(s Solver) *base {
	switch s := s.(type) {
	case *SGD:
		return &s.base
	case *Adam:
		return &s.base
	case *AdamW:
		return &s.base
	case *RMSProp:
		return &s.base
	case *Adagrad:
		return &s.base
	}
	panic(fmt.Sprintf("baseOf(%T)", s))
}

// kernelOf returns a fresh kernel of b's algorithm for T.
func kernelOf[T num.Float](b *base) kernel[T] {
	var k any = b.k64
	if num.Is32[T]() {
		k = b.k32
	}
	switch k := k.(type) {
	case *sgdKernel[T]:
		c := *k
		return &c
	case *adamKernel[T]:
		c := *k
		return &c
	case *rmspropKernel[T]:
		c := *k
		return &c
	case *adagradKernel[T]:
		c := *k
		return &c
	}
	panic(fmt.Sprintf("kernelOf(%T)", k))
}

// withVec returns k using the vector kernels v (none: the Go loop only).
func withVec[T num.Float](k kernel[T], v *vecKernels[T]) kernel[T] {
	switch k := k.(type) {
	case *sgdKernel[T]:
		k.vec = v
	case *adamKernel[T]:
		k.vec = v
	case *rmspropKernel[T]:
		k.vec = v
	case *adagradKernel[T]:
		k.vec = v
	}
	return k
}
