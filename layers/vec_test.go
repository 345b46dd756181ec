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

// The 2×2, stride-2 max pooling fast path (AVX-512 assembly for float32 where the CPU has it)
// against a plain scan of each window, bit for bit in values and argmax positions, over every
// plane size up to 19×37 (odd sizes drop the last row or column, widths past 16 take several
// vector steps), values from a small set so ties are common, with ±0, ±Inf and NaN mixed in.
func TestMaxPool2x2Kernel(t *testing.T) {
	rng := newTestRand(11)
	nan := float32(math.NaN())
	vals := []float32{1, 2, 2, -1, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), nan, 3}
	for h := 2; h <= 19; h++ {
		for w := 2; w <= 37; w++ {
			g := convGeom{n: 1, c: 2, h: h, w: w, kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, groups: 1, oh: h / 2, ow: w / 2}
			x := make([]float32, 2*h*w)
			for i := range x {
				x[i] = vals[rng.Intn(len(vals))]
				if rng.Intn(4) == 0 {
					x[i] = float32(rng.NormFloat64())
				}
			}
			p := g.oh * g.ow
			y, arg := make([]float32, 2*p+1), make([]int32, 2*p+1)
			y[2*p], arg[2*p] = 42, 42
			poolForwardPlanes(true, avgSpec{}, g, y[:2*p], x, arg[:2*p], 0, 2)
			for pl := 0; pl < 2; pl++ {
				xp := x[pl*h*w:]
				for oh := 0; oh < g.oh; oh++ {
					for ow := 0; ow < g.ow; ow++ {
						bi := 2*oh*w + 2*ow
						best := xp[bi]
						for _, k := range []int{bi + 1, bi + w, bi + w + 1} {
							if v := xp[k]; v > best || v != v && best == best {
								best, bi = v, k
							}
						}
						o := pl*p + oh*g.ow + ow
						if math.Float32bits(y[o]) != math.Float32bits(best) || arg[o] != int32(bi) {
							t.Fatalf("%d×%d plane %d output (%d, %d): got %v at %d, want %v at %d", h, w, pl, oh, ow, y[o], arg[o], best, bi)
						}
					}
				}
			}
			if y[2*p] != 42 || arg[2*p] != 42 {
				t.Fatalf("%d×%d: pooling wrote past its output", h, w)
			}
		}
	}
}
