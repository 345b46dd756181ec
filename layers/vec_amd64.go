//go:build amd64 && !purego

package layers

import "golang.org/x/sys/cpu"

// hasFMA reports AVX2 and FMA, which the float32 row kernels of vec_amd64.s use.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports AVX-512 F and VL, which maxPool2x2F32 uses.
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// hasAVX2 reports AVX2, which the ReLU row kernels of vec_amd64.s use.
var hasAVX2 = cpu.X86.HasAVX2

// axpyRowsF32 adds a·x to y over rows rows of n elements, row r of x starting at element r·xs
// and of y at r·ys (eight elements a step, then one at a time).
//
//go:noescape
func axpyRowsF32(a float32, x *float32, xs int, y *float32, ys int, n, rows int)

// dotRowsF32 returns Σ x·y over rows rows of n elements laid out as axpyRowsF32's.
//
//go:noescape
func dotRowsF32(x *float32, xs int, y *float32, ys int, n, rows int) float32

// axpyRows32 is axpyRows by the vector kernel; false (nothing done) when the CPU lacks it. The
// caller has sliced x and y to exactly the rows' extent.
func axpyRows32(a float32, x []float32, xs int, y []float32, ys int, n, rows int) bool {
	if !hasFMA {
		return false
	}
	axpyRowsF32(a, &x[0], xs, &y[0], ys, n, rows)
	return true
}

// dotRows32 is dotRows by the vector kernel; false when the CPU lacks it.
func dotRows32(x []float32, xs int, y []float32, ys int, n, rows int) (float32, bool) {
	if !hasFMA {
		return 0, false
	}
	return dotRowsF32(&x[0], xs, &y[0], ys, n, rows), true
}

// reluRowF32 is reluF32's vector kernel over the first n elements (a multiple of 8).
//
//go:noescape
func reluRowF32(y, x *float32, n int)

// reluGradRowF32 is reluGradF32's vector kernel over the first n elements (a multiple of 8).
//
//go:noescape
func reluGradRowF32(gx, y, gy *float32, n int)

// relu32 runs reluRowF32 over the longest multiple of 8 elements of y and returns how many it
// did (0 when the CPU lacks AVX2); x is at least as long as y.
func relu32(y, x []float32) int {
	n := len(y) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = x[n-1]
	reluRowF32(&y[0], &x[0], n)
	return n
}

// reluGrad32 runs reluGradRowF32 over the longest multiple of 8 elements of gx and returns how
// many it did (0 when the CPU lacks AVX2); y and gy are at least as long as gx.
func reluGrad32(gx, y, gy []float32) int {
	n := len(gx) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = y[n-1], gy[n-1]
	reluGradRowF32(&gx[0], &y[0], &gy[0], n)
	return n
}

// maxPool2x2F32 is maxPool2x2Planes's vector kernel for one plane of rows of w into oh × ow.
//
//go:noescape
func maxPool2x2F32(y *float32, arg *int32, x *float32, w, ow, oh int)

// maxPool2x2Plane32 pools the plane x into y and arg by maxPool2x2F32 and reports true, or
// reports false (nothing done) when the CPU lacks AVX-512; g is a 2×2, stride-2, unpadded
// pooling and the slices hold exactly one plane each.
func maxPool2x2Plane32(g convGeom, y []float32, arg []int32, x []float32) bool {
	if !hasAVX512 || g.oh == 0 || g.ow == 0 {
		return hasAVX512
	}
	_, _, _ = y[g.oh*g.ow-1], arg[g.oh*g.ow-1], x[(2*g.oh-1)*g.w+2*g.ow-1]
	maxPool2x2F32(&y[0], &arg[0], &x[0], g.w, g.ow, g.oh)
	return true
}

// copyRowsF32 copies rows rows of n elements, row r from src+r·ss to dst+r·ds (AVX-512).
//
//go:noescape
func copyRowsF32(dst *float32, ds int, src *float32, ss int, n, rows int)

// copyRows32 is copyRows by copyRowsF32; false (nothing done) when the CPU lacks AVX-512. The
// caller has sliced dst and src to exactly the rows' extent.
func copyRows32(dst []float32, ds int, src []float32, ss int, n, rows int) bool {
	if !hasAVX512 {
		return false
	}
	copyRowsF32(&dst[0], ds, &src[0], ss, n, rows)
	return true
}
