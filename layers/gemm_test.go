package layers

import (
	"math"
	"testing"
)

// mulNN, mulTN and mulNTAdd (thin wrappers of internal/gemm, tested there on every shape) pass
// their operands in the layouts they document: checked against naive loops.
func TestMulWrappers(t *testing.T) {
	rng := newTestRand(3)
	for _, s := range [][3]int{{1, 1, 1}, {3, 17, 9}, {16, 784, 9}, {13, 5, 40}} {
		m, n, k := s[0], s[1], s[2]
		randn := func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			return x
		}
		a, b, c := randn(m*k), randn(k*n), randn(m*n)
		check := func(name string, got []float64, want func(i, j int) float64) {
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					if w := want(i, j); math.Abs(got[i*n+j]-w) > 1e-12*(1+math.Abs(w))*float64(k) {
						t.Fatalf("%s %v: (%d, %d) = %v, want %v", name, s, i, j, got[i*n+j], w)
					}
				}
			}
		}
		dot := func(ai, bj func(l int) float64) float64 {
			var v float64
			for l := 0; l < k; l++ {
				v += ai(l) * bj(l)
			}
			return v
		}
		got := append([]float64(nil), c...)
		mulNN(m, n, k, a, b, got) // a (m×k), b (k×n), accumulate
		check("mulNN", got, func(i, j int) float64 {
			return c[i*n+j] + dot(func(l int) float64 { return a[i*k+l] }, func(l int) float64 { return b[l*n+j] })
		})
		got = append([]float64(nil), c...)
		mulTN(m, n, k, a, b, got) // a (k×m), b (k×n), overwrite
		check("mulTN", got, func(i, j int) float64 {
			return dot(func(l int) float64 { return a[l*m+i] }, func(l int) float64 { return b[l*n+j] })
		})
		got = append([]float64(nil), c...)
		mulNTAdd(m, n, k, a, b, got) // a (m×k), b (n×k), accumulate
		check("mulNTAdd", got, func(i, j int) float64 {
			return c[i*n+j] + dot(func(l int) float64 { return a[i*k+l] }, func(l int) float64 { return b[j*k+l] })
		})
	}
}

func to32(x []float64) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = float32(v)
	}
	return r
}
