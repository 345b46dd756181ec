package ops

import (
	"math"
	"math/rand"
	"testing"
)

// vecLevels runs f at each vector level this CPU has (AVX-512, AVX2, Go),
// restoring the detected level afterwards.
func vecLevels(t *testing.T, f func(t *testing.T, level string)) {
	t.Helper()
	a512, a2 := useAVX512, useAVX2
	defer func() { setVec(a512, a2) }()
	levels := []struct {
		name     string
		on       bool
		a512, a2 bool
	}{{"avx512", a512, true, false}, {"avx2", a2, false, true}, {"go", true, false, false}}
	for _, l := range levels {
		if !l.on {
			continue
		}
		setVec(l.a512, l.a2)
		t.Run(l.name, func(t *testing.T) { f(t, l.name) })
	}
}

// TestExpSumF32 checks the vector exp against math.Exp: relative error
// below 1.2e-7 (2 float32 ulps; 8.4e-8 measured over [-87, 0]) wherever
// exp(t) is a normal float32, 0 below -87,
// NaN propagated, and the sum in float64.
func TestExpSumF32(t *testing.T) {
	vecLevels(t, func(t *testing.T, level string) {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 1000} {
			x := make([]float32, n)
			r := rand.New(rand.NewSource(int64(n)))
			for i := range x {
				x[i] = float32(-r.Float64() * 87)
			}
			if n > 3 {
				x[1], x[2] = 0, -86.99
			}
			e := make([]float32, n+1)
			e[n] = 42 // must stay untouched
			s := expSumF32(e, x, 0)
			var want, worst float64
			for i, v := range x {
				w := math.Exp(float64(v))
				want += float64(e[i])
				if rel := math.Abs(float64(e[i])-w) / w; rel > worst {
					worst = rel
				}
			}
			if worst > 1.2e-7 {
				t.Errorf("n=%d: worst relative error %g", n, worst)
			}
			if math.Abs(s-want) > 1e-8*math.Max(1, want) { // Go sums the unrounded values
				t.Errorf("n=%d: sum %v, Σe %v", n, s, want)
			}
			if e[n] != 42 {
				t.Errorf("n=%d: wrote past the end", n)
			}
		}
		// a shift, NaN and -Inf
		x := []float32{3, float32(math.NaN()), float32(math.Inf(-1)), 2, 1, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11}
		e := make([]float32, len(x))
		s := expSumF32(e, x, 3)
		if !math.IsNaN(s) || !math.IsNaN(float64(e[1])) {
			t.Errorf("NaN: sum %v, e[1] %v", s, e[1])
		}
		if e[2] != 0 || e[0] != 1 {
			t.Errorf("exp(-Inf - 3) = %v, exp(0) = %v", e[2], e[0])
		}
		if w := math.Exp(-14); math.Abs(float64(e[16])-w) > 2.5e-7*w {
			t.Errorf("exp(-14) = %v, want %v", e[16], w)
		}
	})
}

// TestMaxAxpbF32 checks the row max, axpb, axpy and mulShift kernels bit
// for bit against Go, at every length (vector bodies and tails).
func TestMaxAxpbF32(t *testing.T) {
	vecLevels(t, func(t *testing.T, level string) {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 40} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(math.Sin(float64(i)*1.7)) * 10
			}
			if got, want := maxF32(x), maxGo(x); got != want {
				t.Errorf("n=%d: max %v, want %v", n, got, want)
			}
			if n > 0 {
				x[n-1] = float32(math.NaN())
				if got := maxF32(x); !math.IsNaN(float64(got)) {
					t.Errorf("n=%d: max with a NaN = %v", n, got)
				}
			}
			dst := make([]float32, n+1)
			dst[n] = 42
			axpbF32(dst, x, 0.75, -2)
			for i, v := range x {
				want := float32(math.FMA(float64(v), 0.75, -2))
				if dst[i] != want && !(math.IsNaN(float64(v)) && math.IsNaN(float64(dst[i]))) {
					t.Fatalf("n=%d: axpb[%d] = %v, want %v", n, i, dst[i], want)
				}
			}
			if dst[n] != 42 {
				t.Errorf("n=%d: axpb wrote past the end", n)
			}
			y := make([]float32, n)
			for i := range y {
				y[i] = float32(math.Cos(float64(i))) * 3
			}
			axpyF32(dst, x, y, -0.625)
			for i, v := range x {
				want := float32(math.FMA(float64(v), -0.625, float64(y[i])))
				if dst[i] != want && !(math.IsNaN(float64(v)) && math.IsNaN(float64(dst[i]))) {
					t.Fatalf("n=%d: axpy[%d] = %v, want %v", n, i, dst[i], want)
				}
			}
			mulShiftF32(dst, x, y, 0.375)
			for i, v := range x {
				want := v * (y[i] + 0.375)
				if dst[i] != want && !(math.IsNaN(float64(v)) && math.IsNaN(float64(dst[i]))) {
					t.Fatalf("n=%d: mulShift[%d] = %v, want %v", n, i, dst[i], want)
				}
			}
			if dst[n] != 42 {
				t.Errorf("n=%d: axpy or mulShift wrote past the end", n)
			}
		}
	})
}

// TestBCEWithLogitsF32 checks the vector BCEWithLogits kernels against the
// Go kernels (float64 arithmetic): the loss to 2e-7 of the sum of |loss|
// terms, the gradient to 2e-7 absolute (it is in [-1, 1]), for logits
// from -1e4 to 1e4, NaN propagated, every tail length.
func TestBCEWithLogitsF32(t *testing.T) {
	vecLevels(t, func(t *testing.T, level string) {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 100, 1001} {
			r := rand.New(rand.NewSource(int64(n) + 9))
			x, y, g := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * 5)
				y[i] = float32(r.Float64())
				g[i] = float32(r.Float64() + 0.5)
			}
			if n > 4 {
				x[0], x[1], x[2], x[3] = 1e4, -1e4, 0, -90
			}
			x64, y64 := make([]float64, n), make([]float64, n)
			var abs float64
			for i := range x {
				x64[i], y64[i] = float64(x[i]), float64(y[i])
			}
			per := make([]float64, n)
			want := bceLogitsFwd(x64, y64, nil, nil, per, 0, n)
			for _, v := range per {
				abs += math.Abs(v)
			}
			if got := bceLogitsFwdF32(x, y); math.Abs(got-want) > 2e-7*math.Max(abs, 1) {
				t.Errorf("n=%d: loss %v, want %v", n, got, want)
			}
			for _, gg := range [][]float32{nil, g} {
				dx := make([]float32, n+1)
				dx[n] = 42
				var g64 []float64
				if gg != nil {
					g64 = make([]float64, n)
					for i, v := range gg {
						g64[i] = float64(v)
					}
				}
				wdx := make([]float64, n)
				bceLogitsBwd(wdx, x64, y64, nil, nil, g64, 0.5, 0, n)
				bceLogitsBwdF32(dx, x, y, gg, 0.5)
				for i := range wdx {
					if math.Abs(float64(dx[i])-wdx[i]) > 2e-7 {
						t.Fatalf("n=%d g=%v: dx[%d] = %v, want %v (x = %v)", n, gg != nil, i, dx[i], wdx[i], x[i])
					}
				}
				if dx[n] != 42 {
					t.Errorf("n=%d: wrote past the end", n)
				}
			}
		}
		x := []float32{1, float32(math.NaN()), 2}
		y := []float32{0, 0, 1}
		if got := bceLogitsFwdF32(x, y); !math.IsNaN(got) {
			t.Errorf("loss with a NaN logit = %v", got)
		}
		dx := make([]float32, 3)
		bceLogitsBwdF32(dx, x, y, nil, 1)
		if !math.IsNaN(float64(dx[1])) || math.IsNaN(float64(dx[0])) {
			t.Errorf("gradient with a NaN logit = %v", dx)
		}
	})
}
