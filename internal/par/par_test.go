package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

type sumJob struct {
	x    []float64
	sums [MaxParts]float64
	seen []int32
}

func (s *sumJob) Range(p, lo, hi int) {
	for i := lo; i < hi; i++ {
		s.sums[p] += s.x[i]
		atomic.AddInt32(&s.seen[i], 1)
	}
}

func TestForCoversOnceAndIsDeterministic(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1000, 12345} {
		for _, minWork := range []int{0, 1, 10, 1 << 20} {
			var ref [MaxParts]float64
			for _, procs := range []int{1, 2, 4} {
				old := runtime.GOMAXPROCS(procs)
				j := &sumJob{x: make([]float64, n), seen: make([]int32, n)}
				for i := range j.x {
					j.x[i] = 1 / float64(i+1)
				}
				parts := For(n, minWork, j)
				runtime.GOMAXPROCS(old)
				if parts != Parts(n, minWork) || parts < 1 || parts > MaxParts {
					t.Fatalf("n=%d minWork=%d: %d parts, Parts says %d", n, minWork, parts, Parts(n, minWork))
				}
				for i, s := range j.seen {
					if s != 1 {
						t.Fatalf("n=%d minWork=%d procs=%d: item %d run %d times", n, minWork, procs, i, s)
					}
				}
				if procs == 1 {
					ref = j.sums
				} else if ref != j.sums {
					t.Fatalf("n=%d minWork=%d: partial sums differ between 1 and %d threads", n, minWork, procs)
				}
			}
		}
	}
}

func TestBounds(t *testing.T) {
	for n := 0; n < 50; n++ {
		for parts := 1; parts <= MaxParts; parts++ {
			prev := 0
			for p := 0; p < parts; p++ {
				lo, hi := Bounds(n, parts, p)
				if lo != prev || hi < lo || hi-lo > n/parts+1 {
					t.Fatalf("Bounds(%d,%d,%d) = %d,%d", n, parts, p, lo, hi)
				}
				prev = hi
			}
			if prev != n {
				t.Fatalf("Bounds(%d,%d) end at %d", n, parts, prev)
			}
		}
	}
}

func TestForNoAllocs(t *testing.T) {
	j := &sumJob{x: make([]float64, 1<<16), seen: make([]int32, 1<<16)}
	For(len(j.x), 1<<12, j)
	if a := testing.AllocsPerRun(50, func() { For(len(j.x), 1<<12, j) }); a != 0 {
		t.Fatalf("For allocates %v per call", a)
	}
}

func TestFunc(t *testing.T) {
	var total atomic.Int64
	For(100, 10, Func(func(_, lo, hi int) { total.Add(int64(hi - lo)) }))
	if total.Load() != 100 {
		t.Fatalf("Func covered %d items", total.Load())
	}
}

func BenchmarkFor(b *testing.B) {
	j := &sumJob{x: make([]float64, 1<<16), seen: make([]int32, 1<<16)}
	b.ReportAllocs()
	for b.Loop() {
		For(len(j.x), 1<<14, j)
	}
}

type nestJob struct {
	inner []*sumJob
	n     int
}

func (j *nestJob) Range(p, lo, hi int) {
	for i := lo; i < hi; i++ {
		For(j.n, 16, j.inner[i])
	}
}

// TestNestedFor: For inside a part of another For, with every worker busy,
// must finish (a part waiting for helpers that never start would hang).
func TestNestedFor(t *testing.T) {
	for _, procs := range []int{2, 4} {
		old := runtime.GOMAXPROCS(procs)
		j := &nestJob{n: 1000}
		for i := 0; i < 64; i++ {
			s := &sumJob{x: make([]float64, j.n), seen: make([]int32, j.n)}
			for k := range s.x {
				s.x[k] = 1
			}
			j.inner = append(j.inner, s)
		}
		For(len(j.inner), 1, j)
		runtime.GOMAXPROCS(old)
		for i, s := range j.inner {
			var tot float64
			for _, v := range s.sums {
				tot += v
			}
			if tot != float64(j.n) {
				t.Fatalf("procs %d: inner job %d summed %v", procs, i, tot)
			}
		}
	}
}
