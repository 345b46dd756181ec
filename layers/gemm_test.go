package layers

import (
	"math"
	"testing"
)

// mulAdd (through internal/gemm, or plain loops for overlapping strides) against a naive triple loop, for
// plain and transposed A and sizes around the 4×16 block edges.
func TestMulAdd(t *testing.T) {
	rng := newTestRand(3)
	for _, m := range []int{1, 3, 4, 5, 8, 13} {
		for _, n := range []int{1, 15, 16, 17, 33, 64} {
			for _, k := range []int{1, 2, 9, 40} {
				for _, trans := range []bool{false, true} {
					a := make([]float64, m*k)
					b := make([]float64, k*n)
					c := make([]float64, m*n)
					for _, s := range [][]float64{a, b, c} {
						for i := range s {
							s[i] = rng.NormFloat64()
						}
					}
					sa, sl := k, 1
					if trans {
						sa, sl = 1, m
					}
					want := append([]float64(nil), c...)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							for l := 0; l < k; l++ {
								want[i*n+j] += a[i*sa+l*sl] * b[l*n+j]
							}
						}
					}
					got64 := append([]float64(nil), c...)
					mulAdd(m, n, k, a, sa, sl, b, got64)
					a32, b32, got32 := to32(a), to32(b), to32(c)
					mulAdd(m, n, k, a32, sa, sl, b32, got32)
					for i := range want {
						if math.Abs(got64[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) ||
							math.Abs(float64(got32[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
							t.Fatalf("m=%d n=%d k=%d trans=%v: element %d: %v / %v, want %v", m, n, k, trans, i, got64[i], got32[i], want[i])
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
