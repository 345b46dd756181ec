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
