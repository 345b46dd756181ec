//go:build amd64 && !purego

package layers

import "golang.org/x/sys/cpu"

// hasFMA reports AVX2 and FMA, which the float32 row kernels of vec_amd64.s use.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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
