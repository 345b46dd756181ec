package layers

import (
	"sync"

	"github.com/stheno-ml/stheno/internal/num"

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
func gemm[T num.Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch cc := any(c).(type) {
	case []float64:
		impl.Dgemm(trans(tA), trans(tB), m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), cc, ldc)
	case []float32:
		impl.Sgemm(trans(tA), trans(tB), m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), cc, ldc)
	}
}

// axpy computes y += alpha·x over len(y) elements with gonum's assembly kernels.
func axpy[T num.Float](alpha T, x, y []T) {
	switch yy := any(y).(type) {
	case []float64:
		impl.Daxpy(len(yy), float64(alpha), any(x).([]float64), 1, yy, 1)
	case []float32:
		impl.Saxpy(len(yy), float32(alpha), any(x).([]float32), 1, yy, 1)
	}
}

// dot returns Σ x[i]·y[i] over len(x) elements with gonum's assembly kernels.
func dot[T num.Float](x, y []T) T {
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
func mulNN[T num.Float](m, n, k int, a, b, c []T) { mulAdd(m, n, k, a, k, 1, b, c) }

// mulTN sets c (m×n) = aᵀ · b for a (k×m) and b (k×n).
func mulTN[T num.Float](m, n, k int, a, b, c []T) {
	clear(c[:m*n])
	mulAdd(m, n, k, a, 1, m, b, c)
}

// mulNTAdd adds a (m×k) · bᵀ to c (m×n) for b (n×k).
func mulNTAdd[T num.Float](m, n, k int, a, b, c []T) {
	for i := 0; i < m; i++ {
		arow := a[i*k : (i+1)*k]
		crow := c[i*n : (i+1)*n]
		for j := range crow {
			crow[j] += dot(arow, b[j*k:(j+1)*k])
		}
	}
}

// padPool holds scratch slices for mulAdd's zero-padded last columns.
var padPool = sync.Pool{New: func() any { return new([]float32) }}

// mulAdd adds A·B to c (m×n, row-major) where A(i, l) = a[i*sa + l*sl] (so A may be a transposed
// view) and b is (k×n) row-major. For float32 on CPUs with AVX2+FMA, 4×16 blocks of c go through
// an assembly kernel that keeps them in registers; the rest (and float64) is whole-row axpy.
func mulAdd[T num.Float](m, n, k int, a []T, sa, sl int, b, c []T) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) < (m-1)*sa+(k-1)*sl+1 || len(b) < k*n || len(c) < m*n {
		panic("layers: mulAdd: short operand")
	}
	i0 := 0
	if a32, ok := any(a).([]float32); ok && hasSgemmKernel && m >= 4 && n >= 16 {
		b32, c32 := any(b).([]float32), any(c).([]float32)
		m4, n16 := m&^3, n&^15
		for j := 0; j < n16; j += 16 {
			for i := 0; i < m4; i += 4 {
				sgemm4x16(k, &a32[i*sa], sa, sl, &b32[j], n, &c32[i*n+j], n)
			}
		}
		if n16 < n {
			// The last n-n16 columns: run the kernel on zero-padded copies.
			tail := n - n16
			pbp, pcp := padPool.Get().(*[]float32), padPool.Get().(*[]float32)
			*pbp, *pcp = num.Grow(*pbp, k*16), num.Grow(*pcp, m4*16)
			pb, pc := *pbp, *pcp
			clear(pb)
			for l := 0; l < k; l++ {
				copy(pb[l*16:l*16+tail], b32[l*n+n16:(l+1)*n])
			}
			for i := 0; i < m4; i++ {
				copy(pc[i*16:i*16+tail], c32[i*n+n16:(i+1)*n])
			}
			for i := 0; i < m4; i += 4 {
				sgemm4x16(k, &a32[i*sa], sa, sl, &pb[0], 16, &pc[i*16], 16)
			}
			for i := 0; i < m4; i++ {
				copy(c32[i*n+n16:(i+1)*n], pc[i*16:i*16+tail])
			}
			padPool.Put(pbp)
			padPool.Put(pcp)
		}
		i0 = m4
	}
	for i := i0; i < m; i++ {
		crow := c[i*n : (i+1)*n]
		for l := 0; l < k; l++ {
			axpy(a[i*sa+l*sl], b[l*n:(l+1)*n], crow)
		}
	}
}

// kernelFor reports whether mulAdd uses the assembly kernel for element type T.
func kernelFor[T num.Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok && hasSgemmKernel
}
