package layers

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var impl gonum.Implementation

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemm computes c = alpha·op(a)·op(b) + beta·c for row-major matrices (BLAS semantics).
func gemm[T float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch cc := any(c).(type) {
	case []float64:
		impl.Dgemm(trans(tA), trans(tB), m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), cc, ldc)
	case []float32:
		impl.Sgemm(trans(tA), trans(tB), m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), cc, ldc)
	}
}

// Tiles small enough that gonum's gemm runs serially (it spawns goroutines from 4 blocks of 64×64);
// the callers parallelise over the batch themselves.
const (
	tileM = 64
	tileN = 192
)

// gemmSerial is gemm split into tiles of at most tileM×tileN so that each call stays on the calling
// goroutine.
func gemmSerial[T float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i += tileM {
		mi := min(tileM, m-i)
		for j := 0; j < n; j += tileN {
			nj := min(tileN, n-j)
			var as, bs []T
			if tA {
				as = a[i:]
			} else {
				as = a[i*lda:]
			}
			if tB {
				bs = b[j*ldb:]
			} else {
				bs = b[j:]
			}
			gemm(tA, tB, mi, nj, k, alpha, as, lda, bs, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}
