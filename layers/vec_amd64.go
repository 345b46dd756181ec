//go:build amd64 && !purego

package layers

import "golang.org/x/sys/cpu"

// hasFMA reports AVX2 and FMA, which the float32 row kernels of vec_amd64.s use.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// axpyF32AVX2 adds a·x to y over n elements (eight a step, then one at a time).
//
//go:noescape
func axpyF32AVX2(a float32, x, y *float32, n int)

// dotF32AVX2 returns Σ x·y over n elements (eight lanes of sums, then one at a time).
//
//go:noescape
func dotF32AVX2(x, y *float32, n int) float32

// axpy32 adds a·x to y (len(y) ≥ len(x)) with the vector kernel when the CPU has it, and
// returns how many elements it did: len(x) or 0.
func axpy32(a float32, x, y []float32) int {
	n := len(x)
	if !hasFMA || n == 0 {
		return 0
	}
	_ = y[n-1]
	axpyF32AVX2(a, &x[0], &y[0], n)
	return n
}

// dot32 returns Σ x·y with the vector kernel when the CPU has it, and how many elements it
// did: len(x) or 0.
func dot32(x, y []float32) (float32, int) {
	n := len(x)
	if !hasFMA || n == 0 {
		return 0, 0
	}
	_ = y[n-1]
	return dotF32AVX2(&x[0], &y[0], n), n
}
