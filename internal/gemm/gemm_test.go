package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
)

// naive returns alpha·op(A)·op(B) + beta·C in float64 with a plain triple
// loop, and per element the magnitude |alpha|·Σ|op(A)||op(B)| + |beta||C|
// that bounds the rounding error of any summation order.
func naive[T num.Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				ia, ib := i*lda+p, p*ldb+j
				if tA {
					ia = p*lda + i
				}
				if tB {
					ib = j*ldb + p
				}
				av, bv := a[ia], b[ib]
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			w := float64(alpha) * s
			mg := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
				mg += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j], mag[i*n+j] = w, mg
		}
	}
	return want, mag
}

func eps[T num.Float]() float64 {
	if num.Is32[T]() {
		return 0x1p-24
	}
	return 0x1p-53
}

func randSlice[T num.Float](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.Float64()*2 - 1)
	}
	return x
}

type shape struct{ m, n, k int }

var shapes = []shape{
	{1, 1, 1}, {1, 1, 7}, {7, 1, 1}, {1, 9, 1}, {2, 3, 5}, {13, 17, 19}, {14, 32, 1},
	{15, 33, 3}, {64, 10, 256}, {10, 64, 256}, {29, 8, 31}, {3, 100, 2}, {31, 47, 300},
	{97, 129, 513}, {6, 16, 16}, {28, 64, 64}, {5, 5, 600}, {70, 48, 257}, {1, 200, 30}, {200, 1, 30},
	{50, 600, 40}, {29, 530, 70}, // more than directPanels panels: A packed
	{1, 128, 784}, {4, 33, 47}, {3, 7, 300}, // dot products when B is transposed
}

// testKernel checks one kernel set on every shape, transpose pair, alpha/beta
// case and padded leading dimensions against naive, within the classical
// bound |error| ≤ (k+2)·eps·(|alpha|·Σ|a||b| + |beta||c|) — each element
// is k multiply-adds plus the alpha and beta steps, each rounding once.
func testKernel[T num.Float](t *testing.T, kn *kernels[T]) {
	r := rand.New(rand.NewPCG(1, 2))
	type ab struct{ alpha, beta T }
	for _, sh := range shapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, co := range []ab{{1, 0}, {1, 1}, {-0.5, 2}, {0.75, -1}} {
				m, n, k := sh.m, sh.n, sh.k
				tA, tB := tr[0], tr[1]
				pad := r.IntN(3)
				ra, ca := m, k
				if tA {
					ra, ca = k, m
				}
				rb, cb := k, n
				if tB {
					rb, cb = n, k
				}
				lda, ldb, ldc := ca+pad, cb+pad, n+pad
				a := randSlice[T](r, (ra-1)*lda+ca)
				b := randSlice[T](r, (rb-1)*ldb+cb)
				c := randSlice[T](r, (m-1)*ldc+n)
				if co.beta == 0 {
					for i := range c {
						c[i] = T(math.NaN()) // must not be read
					}
				}
				want, mag := naive(tA, tB, m, n, k, co.alpha, a, lda, b, ldb, co.beta, c, ldc)
				gemmWith(kn, tA, tB, m, n, k, co.alpha, a, lda, b, ldb, co.beta, c, ldc)
				tol := float64(k+2) * eps[T]()
				bad := 0
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						got := float64(c[i*ldc+j])
						if d := math.Abs(got - want[i*n+j]); !(d <= tol*mag[i*n+j]+1e-300) {
							if bad++; bad <= 3 {
								t.Errorf("%s %v tA=%v tB=%v alpha=%v beta=%v: c[%d,%d]=%v want %v (|d|=%.3g, bound %.3g)",
									kn.name, sh, tA, tB, co.alpha, co.beta, i, j, got, want[i*n+j], d, tol*mag[i*n+j])
							}
						}
					}
				}
				// Padding between rows of C is never written.
				for i := 0; i < m-1; i++ {
					for j := n; j < ldc; j++ {
						if v := c[i*ldc+j]; co.beta != 0 && math.IsNaN(float64(v)) {
							t.Errorf("padding c[%d,%d] written", i, j)
						}
					}
				}
			}
		}
	}
}

func TestGemm(t *testing.T) {
	for _, kn := range available32 {
		t.Run("float32/"+kn.name, func(t *testing.T) { testKernel(t, kn) })
	}
	for _, kn := range available64 {
		t.Run("float64/"+kn.name, func(t *testing.T) { testKernel(t, kn) })
	}
}

// TestSpecial: k = 0 and alpha = 0 only scale C; beta = 0 clears NaNs.
func TestSpecial(t *testing.T) {
	t.Run("float32", testSpecial[float32])
	t.Run("float64", testSpecial[float64])
}

func testSpecial[T num.Float](t *testing.T) {
	a := []T{1, 2, 3, 4}
	c := []T{1, 2, 3, 4}
	Gemm(false, false, 2, 2, 0, 1, a, 1, a, 2, 3, c, 2)
	if c[0] != 3 || c[3] != 12 {
		t.Errorf("k=0: c=%v, want 3·c", c)
	}
	Gemm(false, false, 2, 2, 2, 0, a, 2, a, 2, 0.5, c, 2)
	if c[0] != 1.5 || c[3] != 6 {
		t.Errorf("alpha=0: c=%v, want 0.5·c", c)
	}
	nan := T(math.NaN())
	c = []T{nan, nan, nan, nan}
	Gemm(false, false, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2)
	if want := []T{7, 10, 15, 22}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("beta=0 over NaN: c=%v, want %v", c, want)
	}
}

// TestThreadsDeterministic: the result is bit-identical at every GOMAXPROCS,
// for shapes split by rows and by columns.
func TestThreadsDeterministic(t *testing.T) {
	t.Run("float32", testThreads[float32])
	t.Run("float64", testThreads[float64])
}

func testThreads[T num.Float](t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range []shape{{300, 70, 600}, {40, 500, 300}, {130, 130, 130}} {
		a := randSlice[T](r, sh.m*sh.k)
		b := randSlice[T](r, sh.k*sh.n)
		var ref []T
		for _, p := range []int{1, 2, 3, 8} {
			runtime.GOMAXPROCS(p)
			c := make([]T, sh.m*sh.n)
			Gemm(false, true, sh.m, sh.n, sh.k, 1, a, sh.k, b, sh.k, 0, c, sh.n)
			if ref == nil {
				ref = c
				continue
			}
			for i := range c {
				if c[i] != ref[i] {
					t.Fatalf("%v: GOMAXPROCS %d differs from 1 at %d: %v vs %v", sh, p, i, c[i], ref[i])
				}
			}
		}
	}
}

// TestNoAlloc: after warm-up a call allocates nothing, serial or split.
func TestNoAlloc(t *testing.T) {
	for _, sh := range []shape{{64, 10, 256}, {256, 256, 256}} {
		a := make([]float32, sh.m*sh.k)
		b := make([]float32, sh.k*sh.n)
		c := make([]float32, sh.m*sh.n)
		f := func() { Gemm(false, false, sh.m, sh.n, sh.k, 1, a, sh.k, b, sh.n, 1, c, sh.n) }
		f()
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%v: %v allocations per call", sh, n)
		}
	}
}
