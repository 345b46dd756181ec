package layers

import (
	"math"
	"testing"
)

// axpy and dot (the depthwise taps' row kernels; float32 in AVX2+FMA assembly where the CPU has
// it) against float64 loops, at every length up to 70 and unaligned offsets, both dtypes.
func TestAxpyDot(t *testing.T) {
	t.Run("float32", testAxpyDot[float32])
	t.Run("float64", testAxpyDot[float64])
}

func testAxpyDot[T float32 | float64](t *testing.T) {
	rng := newTestRand(5)
	for n := 0; n <= 70; n++ {
		for off := 0; off < 3; off++ {
			xb, yb := make([]T, n+off+1), make([]T, n+off+1)
			for i := range xb {
				xb[i], yb[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
			}
			x, y := xb[off:off+n], yb[off:off+n+1] // y one longer: axpy must not write past len(x)
			a := T(rng.NormFloat64())
			want, wantDot, mag := make([]float64, n+1), 0.0, 0.0
			for i := range want {
				want[i] = float64(y[i])
				if i < n {
					want[i] += float64(a) * float64(x[i])
					wantDot += float64(x[i]) * float64(y[i])
					mag += math.Abs(float64(x[i]) * float64(y[i]))
				}
			}
			if got := float64(dot(x, y)); math.Abs(got-wantDot) > 1e-5*(mag+1) {
				t.Fatalf("n=%d off=%d: dot %v, want %v", n, off, got, wantDot)
			}
			axpy(a, x, y)
			for i, w := range want {
				if math.Abs(float64(y[i])-w) > 1e-6*(math.Abs(w)+1) {
					t.Fatalf("n=%d off=%d: axpy element %d = %v, want %v", n, off, i, y[i], w)
				}
			}
		}
	}
}
