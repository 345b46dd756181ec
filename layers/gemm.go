package layers

import (
	packed "github.com/stheno-ml/stheno/internal/gemm"
	"github.com/stheno-ml/stheno/internal/num"
)

// The products of Linear and Conv2D, all through internal/gemm's packed GEMM
// (AVX-512 / AVX2 / Go micro-kernels, transposed operands read by its packing).

// gemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices (BLAS semantics).
func gemm[T num.Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	packed.Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// mulNN adds a (m×k) · b (k×n) to c (m×n); all row-major and dense.
func mulNN[T num.Float](m, n, k int, a, b, c []T) {
	packed.Gemm(false, false, m, n, k, 1, a, k, b, n, 1, c, n)
}

// mulTN sets c (m×n) = aᵀ · b for a (k×m) and b (k×n).
func mulTN[T num.Float](m, n, k int, a, b, c []T) {
	packed.Gemm(true, false, m, n, k, 1, a, m, b, n, 0, c, n)
}

// mulNTAdd adds a (m×k) · bᵀ to c (m×n) for b (n×k).
func mulNTAdd[T num.Float](m, n, k int, a, b, c []T) {
	packed.Gemm(false, true, m, n, k, 1, a, k, b, k, 1, c, n)
}

// mulAdd adds A·B to c (m×n, row-major) where A(i, l) = a[i*sa + l*sl] (so A may be a transposed
// view) and b is (k×n) row-major.
func mulAdd[T num.Float](m, n, k int, a []T, sa, sl int, b, c []T) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) < (m-1)*sa+(k-1)*sl+1 || len(b) < k*n || len(c) < m*n {
		panic("layers: mulAdd: short operand")
	}
	switch {
	case sl == 1 && (sa >= k || m == 1):
		packed.Gemm(false, false, m, n, k, 1, a, max(sa, k), b, n, 1, c, n)
	case sa == 1 && (sl >= m || k == 1):
		packed.Gemm(true, false, m, n, k, 1, a, max(sl, m), b, n, 1, c, n)
	default: // overlapping strides: no GEMM layout, plain loops
		for i := 0; i < m; i++ {
			crow := c[i*n : (i+1)*n]
			for l := 0; l < k; l++ {
				av := a[i*sa+l*sl]
				for j, bv := range b[l*n : (l+1)*n] {
					crow[j] += av * bv
				}
			}
		}
	}
}

// kernelFor reported whether the old 4×16 float32 kernel ran for T, for which callers built
// transposed copies (Wᵀ, gyᵀ) first. The packed GEMM reads transposed operands itself, so no
// caller needs those copies: always false.
func kernelFor[T num.Float]() bool { return false }
