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

// axpy computes y += alpha·x over len(y) elements with gonum's assembly kernels.
func axpy[T float](alpha T, x, y []T) {
	switch yy := any(y).(type) {
	case []float64:
		impl.Daxpy(len(yy), float64(alpha), any(x).([]float64), 1, yy, 1)
	case []float32:
		impl.Saxpy(len(yy), float32(alpha), any(x).([]float32), 1, yy, 1)
	}
}

// dot returns Σ x[i]·y[i] over len(x) elements with gonum's assembly kernels.
func dot[T float](x, y []T) T {
	switch xx := any(x).(type) {
	case []float64:
		return T(impl.Ddot(len(xx), xx, 1, any(y).([]float64), 1))
	case []float32:
		return T(impl.Sdot(len(xx), xx, 1, any(y).([]float32), 1))
	}
	return 0
}

// Unblocked single-threaded products for the convolution's shapes, where one operand's rows are
// long (the output's spatial size): each inner call runs over a whole row, which costs far fewer
// kernel calls than gonum's 64×64 blocking.

// mulNN adds a (m×k) · b (k×n) to c (m×n); all row-major and dense.
func mulNN[T float](m, n, k int, a, b, c []T) {
	for i := 0; i < m; i++ {
		crow := c[i*n : (i+1)*n]
		for l, v := range a[i*k : (i+1)*k] {
			axpy(v, b[l*n:(l+1)*n], crow)
		}
	}
}

// mulTN sets c (m×n) = aᵀ · b for a (k×m) and b (k×n).
func mulTN[T float](m, n, k int, a, b, c []T) {
	clear(c[:m*n])
	for l := 0; l < k; l++ {
		brow := b[l*n : (l+1)*n]
		for i, v := range a[l*m : (l+1)*m] {
			axpy(v, brow, c[i*n:(i+1)*n])
		}
	}
}

// mulNTAdd adds a (m×k) · bᵀ to c (m×n) for b (n×k).
func mulNTAdd[T float](m, n, k int, a, b, c []T) {
	for i := 0; i < m; i++ {
		arow := a[i*k : (i+1)*k]
		crow := c[i*n : (i+1)*n]
		for j := range crow {
			crow[j] += dot(arow, b[j*k:(j+1)*k])
		}
	}
}
