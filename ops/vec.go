package ops

import (
	"math"
)

// The Go loops behind the float32 row kernels (vec_amd64.go, vec_other.go):
// the whole work without AVX2, and the tails of the AVX2 kernels.

// expSumGo is expSumF32 in Go: expF32 per element, summed in float64.
func expSumGo(e, x []float32, m float32) float64 {
	var s float64
	for k, v := range x {
		ev := expF32(float64(v) - float64(m))
		e[k] = float32(ev)
		s += ev
	}
	return s
}

// maxGo is maxF32 in Go.
func maxGo(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// axpbGo is axpbF32 in Go.
func axpbGo(dst, src []float32, a, b float32) {
	for k, v := range src {
		dst[k] = float32(math.FMA(float64(v), float64(a), float64(b)))
	}
}

// axpyGo is axpyF32 in Go.
func axpyGo(dst, x, y []float32, a float32) {
	for k, v := range x {
		dst[k] = float32(math.FMA(float64(v), float64(a), float64(y[k])))
	}
}

// mulShiftGo is mulShiftF32 in Go (the sum rounded to float32 first, as the
// vector code does).
func mulShiftGo(dst, x, y []float32, c float32) {
	for k, v := range x {
		dst[k] = v * (y[k] + c)
	}
}
