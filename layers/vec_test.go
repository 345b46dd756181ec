package layers

import (
	"math"
	"testing"
)

// axpyRows and dotRows (the depthwise taps' kernels; float32 in AVX2+FMA assembly where the CPU
// has it) against float64 loops, at every row length up to 40, 1 to 3 rows, strides longer than
// the rows and unaligned offsets, both dtypes.
func TestAxpyDotRows(t *testing.T) {
	t.Run("float32", testAxpyDotRows[float32])
	t.Run("float64", testAxpyDotRows[float64])
}

func testAxpyDotRows[T float32 | float64](t *testing.T) {
	rng := newTestRand(5)
	for n := 0; n <= 40; n++ {
		for rows := 1; rows <= 3; rows++ {
			for off := 0; off < 3; off++ {
				xs, ys := n+off, 2*n+1 // row strides
				xb, yb := make([]T, off+rows*xs+1), make([]T, off+rows*ys+1)
				for i := range xb {
					xb[i] = T(rng.NormFloat64())
				}
				for i := range yb {
					yb[i] = T(rng.NormFloat64())
				}
				x, y := xb[off:], yb[off:]
				a := T(rng.NormFloat64())
				want := make([]float64, len(y))
				for i := range y {
					want[i] = float64(y[i])
				}
				wantDot, mag := 0.0, 0.0
				for r := 0; r < rows; r++ {
					for i := 0; i < n; i++ {
						xv, yv := float64(x[r*xs+i]), float64(y[r*ys+i])
						want[r*ys+i] += float64(a) * xv
						wantDot += xv * yv
						mag += math.Abs(xv * yv)
					}
				}
				if got := float64(dotRows(x, xs, y, ys, n, rows)); math.Abs(got-wantDot) > 1e-5*(mag+1) {
					t.Fatalf("n=%d rows=%d off=%d: dotRows %v, want %v", n, rows, off, got, wantDot)
				}
				axpyRows(a, x, xs, y, ys, n, rows)
				for i, w := range want { // elements between and after the rows unchanged
					if math.Abs(float64(y[i])-w) > 1e-6*(math.Abs(w)+1) {
						t.Fatalf("n=%d rows=%d off=%d: axpyRows element %d = %v, want %v", n, rows, off, i, y[i], w)
					}
				}
			}
		}
	}
}
