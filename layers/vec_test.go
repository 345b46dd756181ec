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

// reluF32 and reluGradF32 (AVX2 assembly for runs of 8 where the CPU has it, then a Go loop)
// against the definition, bit for bit, at every length up to 40 and unaligned offsets, over
// values that include ±0, ±Inf, NaN of both signs and subnormals; the element after the output
// is left alone.
func TestReLUKernels(t *testing.T) {
	rng := newTestRand(9)
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), 1e-45, -1e-45, 3, -3}
	for n := 0; n <= 40; n++ {
		for off := 0; off < 3; off++ {
			x, y, gy, gx := make([]float32, off+n+1), make([]float32, off+n+1), make([]float32, off+n+1), make([]float32, off+n+1)
			for i := range x {
				if rng.Intn(3) == 0 {
					x[i] = special[rng.Intn(len(special))]
				} else {
					x[i] = float32(rng.NormFloat64())
				}
				gy[i] = float32(rng.NormFloat64())
				y[i], gx[i] = 42, 42
			}
			reluF32(y[off:off+n], x[off:])
			for i := off; i < off+n; i++ {
				b := math.Float32bits(x[i])
				want := b
				if b>>31 == 1 {
					want = 0
				}
				if got := math.Float32bits(y[i]); got != want {
					t.Fatalf("n=%d off=%d: relu(%v) bits %#x, want %#x", n, off, x[i], got, want)
				}
			}
			if y[off+n] != 42 {
				t.Fatalf("n=%d off=%d: relu wrote past its output", n, off)
			}
			reluGradF32(gx[off:off+n], x[off:], gy[off:])
			for i := off; i < off+n; i++ {
				want := math.Float32bits(gy[i])
				if math.Float32bits(x[i]) == 0 {
					want = 0
				}
				if got := math.Float32bits(gx[i]); got != want {
					t.Fatalf("n=%d off=%d: relu grad at y=%v bits %#x, want %#x", n, off, x[i], got, want)
				}
			}
			if gx[off+n] != 42 {
				t.Fatalf("n=%d off=%d: relu grad wrote past its output", n, off)
			}
		}
	}
}
