//go:build !amd64 || purego

package ops

// Without assembly the float32 row kernels are the Go loops of vec.go.

var useAVX512, useAVX2 = false, false

// expSumF32 writes e[k] = exp(x[k] - m) and returns Σe (in float64).
func expSumF32(e, x []float32, m float32) float64 { return expSumGo(e[:len(x)], x, m) }

// maxF32 returns the largest element of x (-Inf if x is empty), NaN if
// one is NaN.
func maxF32(x []float32) float32 { return maxGo(x) }

// axpbF32 writes dst[k] = src[k]·a + b.
func axpbF32(dst, src []float32, a, b float32) { axpbGo(dst[:len(src)], src, a, b) }

// setVec sets the vector level (tests): there is only Go.
func setVec(a512, a2 bool) {}

// bceLogitsFwdF32 returns Σ max(x, 0) - x·y + log1p(exp(-|x|)).
func bceLogitsFwdF32(x, y []float32) float64 {
	return bceLogitsFwd(x, y[:len(x)], nil, nil, nil, 0, len(x))
}

// bceLogitsBwdF32 writes dx = (sigmoid(x) - y)·s·g (g nil: 1).
func bceLogitsBwdF32(dx, x, y, g []float32, s float32) {
	bceLogitsBwd(dx, x, y, nil, nil, g, float64(s), 0, len(x))
}

// axpyF32 writes dst[k] = x[k]·a + y[k].
func axpyF32(dst, x, y []float32, a float32) { axpyGo(dst[:len(x)], x, y[:len(x)], a) }

// mulShiftF32 writes dst[k] = x[k]·(y[k] + c).
func mulShiftF32(dst, x, y []float32, c float32) { mulShiftGo(dst[:len(x)], x, y[:len(x)], c) }
