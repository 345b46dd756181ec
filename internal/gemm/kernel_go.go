package gemm

import (
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
)

// goKernel is the portable 4×8 micro-kernel with the assembly kernels'
// column contract: acc = Σ_{p<k} a[p·lda+i]·b[p·8+j] in order of p, then
// C = alpha·acc + beta·C (C not read when beta is zero).
func goKernel[T num.Float](k int, a *T, lda int, b, c *T, ldc int, alpha, beta T) {
	const mr, nr = 4, 8
	as := unsafe.Slice(a, (k-1)*lda+mr)
	bs := unsafe.Slice(b, k*nr)
	var acc [mr][nr]T
	for p := 0; p < k; p++ {
		ap := as[p*lda : p*lda+mr : p*lda+mr]
		bp := (*[nr]T)(bs[p*nr : p*nr+nr])
		for i := range mr {
			ai := ap[i]
			row := &acc[i]
			for j := range nr {
				row[j] += ai * bp[j]
			}
		}
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := range mr {
		crow := cs[i*ldc : i*ldc+nr]
		for j := range nr {
			if beta == 0 {
				crow[j] = alpha * acc[i][j]
			} else {
				crow[j] = alpha*acc[i][j] + beta*crow[j]
			}
		}
	}
}
