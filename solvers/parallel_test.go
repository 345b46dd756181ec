package solvers

import (
	"math/rand"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestParallelBitIdentical checks that splitting a large parameter across
// goroutines gives exactly the bits of the serial update (run with -race).
func TestParallelBitIdentical(t *testing.T) {
	const n = 5*minWork + 123
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewSource(3))
	init := make([]float64, n)
	grads := make([][]float64, 3)
	for i := range init {
		init[i] = rng.NormFloat64()
	}
	for k := range grads {
		grads[k] = make([]float64, n)
		for i := range grads[k] {
			grads[k][i] = rng.NormFloat64()
		}
	}
	run := func(procs int, name string, dt tensor.Dtype) []float64 {
		runtime.GOMAXPROCS(procs)
		s := allSolvers(t)[name]()
		p := newTestParam("p", dt, []int{n}, init)
		for _, g := range grads {
			p.setGrad(g)
			if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
		}
		return values(p.val)
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for name := range allSolvers(t) {
			serial := run(1, name, dt)
			parallel := run(4, name, dt)
			for i := range serial {
				if serial[i] != parallel[i] {
					t.Fatalf("%s %v: element %d serial %v parallel %v", name, dt, i, serial[i], parallel[i])
				}
			}
			if serial[0] == init[0] {
				t.Fatalf("%s: parameter did not move", name)
			}
		}
	}
}

// TestNoAllocsPerStep checks that after the first step no solver allocates,
// serially and in parallel.
func TestNoAllocsPerStep(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for name, mk := range allSolvers(t) {
				s := mk()
				big := newTestParam("big", dt, []int{3 * minWork}, make([]float64, 3*minWork))
				small := newTestParam("small", dt, []int{7}, make([]float64, 7))
				model := []gorgonia.ValueGrad{big, small}
				if err := s.Step(model); err != nil {
					t.Fatal(err)
				}
				allocs := testing.AllocsPerRun(5, func() {
					if err := s.Step(model); err != nil {
						t.Fatal(err)
					}
				})
				if allocs != 0 {
					t.Errorf("%s %v GOMAXPROCS=%d: %v allocations per step", name, dt, procs, allocs)
				}
			}
		}
	}
}
