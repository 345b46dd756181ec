package layers

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

// mulAdd (assembly kernel for float32 blocks, axpy for the rest) against a naive triple loop, for
// plain and transposed A and sizes around the 4×16 block edges.
func TestMulAdd(t *testing.T) {
	t.Run("float32", testMulAdd[float32])
	t.Run("float64", testMulAdd[float64])
}

func testMulAdd[T num.Float](t *testing.T) {
	tol := 1e-12
	if num.Is32[T]() {
		tol = 1e-4
	}
	rng := newTestRand(3)
	for _, m := range []int{1, 3, 4, 5, 8, 13} {
		for _, n := range []int{1, 15, 16, 17, 33, 64} {
			for _, k := range []int{1, 2, 9, 40} {
				for _, trans := range []bool{false, true} {
					a := make([]T, m*k)
					b := make([]T, k*n)
					c := make([]T, m*n)
					for _, s := range [][]T{a, b, c} {
						for i := range s {
							s[i] = T(rng.NormFloat64())
						}
					}
					sa, sl := k, 1
					if trans {
						sa, sl = 1, m
					}
					want := make([]float64, m*n)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							want[i*n+j] = float64(c[i*n+j])
							for l := 0; l < k; l++ {
								want[i*n+j] += float64(a[i*sa+l*sl]) * float64(b[l*n+j])
							}
						}
					}
					mulAdd(m, n, k, a, sa, sl, b, c)
					for i := range want {
						if math.Abs(float64(c[i])-want[i]) > tol*(1+math.Abs(want[i])) {
							t.Fatalf("m=%d n=%d k=%d trans=%v: element %d: %v, want %v", m, n, k, trans, i, c[i], want[i])
						}
					}
				}
			}
		}
	}
}

func to32(x []float64) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = float32(v)
	}
	return r
}

func TestTranspose(t *testing.T) {
	for _, rc := range [][2]int{{1, 1}, {3, 17}, {32, 196}, {20, 5}} {
		r, c := rc[0], rc[1]
		src := make([]float64, r*c)
		for i := range src {
			src[i] = float64(i)
		}
		dst := make([]float64, r*c)
		transpose(dst, src, r, c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if dst[j*r+i] != src[i*c+j] {
					t.Fatalf("%d×%d: (%d, %d) wrong", r, c, i, j)
				}
			}
		}
	}
}
