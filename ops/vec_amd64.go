//go:build amd64 && !purego

package ops

import (
	"math"

	"golang.org/x/sys/cpu"
)

// The float32 row kernels run as AVX-512 (16 lanes, masked tails) or
// AVX2+FMA (8 lanes, the tail in Go) assembly, chosen once at start-up.
var (
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

//go:noescape
func expSumAVX512(e, x []float32, m float32) float64

//go:noescape
func maxAVX512(x []float32) float32

//go:noescape
func axpbAVX512(dst, src []float32, a, b float32)

//go:noescape
func expSumAVX2(e, x []float32, m float32) float64

//go:noescape
func maxAVX2(x []float32) (m float32, nan bool)

//go:noescape
func axpbAVX2(dst, src []float32, a, b float32)

// expSumF32 writes e[k] = exp(x[k] - m) and returns Σe (in float64).
func expSumF32(e, x []float32, m float32) float64 {
	e = e[:len(x)]
	switch {
	case useAVX512:
		return expSumAVX512(e, x, m)
	case useAVX2:
		n := len(x) &^ 7
		s := expSumAVX2(e[:n], x[:n], m)
		return s + expSumGo(e[n:], x[n:], m)
	}
	return expSumGo(e, x, m)
}

// maxF32 returns the largest element of x (-Inf if x is empty), NaN if
// one is NaN.
func maxF32(x []float32) float32 {
	switch {
	case useAVX512:
		return maxAVX512(x)
	case useAVX2 && len(x) >= 8:
		n := len(x) &^ 7
		m, nan := maxAVX2(x[:n])
		if nan {
			return float32(math.NaN())
		}
		return max(m, maxGo(x[n:]))
	}
	return maxGo(x)
}

// axpbF32 writes dst[k] = src[k]·a + b (one rounding: a fused
// multiply-add).
func axpbF32(dst, src []float32, a, b float32) {
	dst = dst[:len(src)]
	switch {
	case useAVX512:
		axpbAVX512(dst, src, a, b)
		return
	case useAVX2:
		n := len(src) &^ 7
		axpbAVX2(dst[:n], src[:n], a, b)
		axpbGo(dst[n:], src[n:], a, b)
		return
	}
	axpbGo(dst, src, a, b)
}

// setVec sets the vector level (tests).
func setVec(a512, a2 bool) { useAVX512, useAVX2 = a512, a2 }

//go:noescape
func bceLogitsFwdAVX512(x, y []float32) float64

//go:noescape
func bceLogitsBwdAVX512(dx, x, y, g []float32, s float32)

//go:noescape
func bceLogitsFwdAVX2(x, y []float32) float64

//go:noescape
func bceLogitsBwdAVX2(dx, x, y, g []float32, s float32)

// bceLogitsFwdF32 returns Σ max(x, 0) - x·y + log1p(exp(-|x|)) (BCEWithLogits
// without weights).
func bceLogitsFwdF32(x, y []float32) float64 {
	y = y[:len(x)]
	switch {
	case useAVX512:
		return bceLogitsFwdAVX512(x, y)
	case useAVX2:
		n := len(x) &^ 7
		return bceLogitsFwdAVX2(x[:n], y[:n]) + bceLogitsFwd(x[n:], y[n:], nil, nil, nil, 0, len(x)-n)
	}
	return bceLogitsFwd(x, y, nil, nil, nil, 0, len(x))
}

// bceLogitsBwdF32 writes dx = (sigmoid(x) - y)·s·g (g nil: 1).
func bceLogitsBwdF32(dx, x, y, g []float32, s float32) {
	dx, y = dx[:len(x)], y[:len(x)]
	if g != nil {
		g = g[:len(x)]
	}
	switch {
	case useAVX512:
		bceLogitsBwdAVX512(dx, x, y, g, s)
		return
	case useAVX2:
		n := len(x) &^ 7
		var gn, gt []float32
		if g != nil {
			gn, gt = g[:n], g[n:]
		}
		bceLogitsBwdAVX2(dx[:n], x[:n], y[:n], gn, s)
		bceLogitsBwd(dx[n:], x[n:], y[n:], nil, nil, gt, float64(s), 0, len(x)-n)
		return
	}
	bceLogitsBwd(dx, x, y, nil, nil, g, float64(s), 0, len(x))
}

//go:noescape
func axpyAVX512(dst, x, y []float32, a float32)

//go:noescape
func mulShiftAVX512(dst, x, y []float32, c float32)

//go:noescape
func axpyAVX2(dst, x, y []float32, a float32)

//go:noescape
func mulShiftAVX2(dst, x, y []float32, c float32)

// axpyF32 writes dst[k] = x[k]·a + y[k] (a fused multiply-add).
func axpyF32(dst, x, y []float32, a float32) {
	dst, y = dst[:len(x)], y[:len(x)]
	switch {
	case useAVX512:
		axpyAVX512(dst, x, y, a)
		return
	case useAVX2:
		n := len(x) &^ 7
		axpyAVX2(dst[:n], x[:n], y[:n], a)
		axpyGo(dst[n:], x[n:], y[n:], a)
		return
	}
	axpyGo(dst, x, y, a)
}

// mulShiftF32 writes dst[k] = x[k]·(y[k] + c).
func mulShiftF32(dst, x, y []float32, c float32) {
	dst, y = dst[:len(x)], y[:len(x)]
	switch {
	case useAVX512:
		mulShiftAVX512(dst, x, y, c)
		return
	case useAVX2:
		n := len(x) &^ 7
		mulShiftAVX2(dst[:n], x[:n], y[:n], c)
		mulShiftGo(dst[n:], x[n:], y[n:], c)
		return
	}
	mulShiftGo(dst, x, y, c)
}
