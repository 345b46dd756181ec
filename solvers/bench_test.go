package solvers

import (
	"fmt"
	"testing"

	"github.com/stheno-ml/stheno/internal/cputime"
	"github.com/stheno-ml/stheno/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchParam returns a float32 parameter of n elements with a small
// non-zero gradient.
func benchParam(n int) *testParam {
	p := &testParam{name: "p",
		val:  tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(n)),
		grad: tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(n))}
	v, g := p.val.Float32s(), p.grad.Float32s()
	for i := range v {
		v[i] = float32(i%97) * 0.01
		g[i] = float32(i%89)*0.001 - 0.04
	}
	return p
}

var benchSizes = []struct {
	name string
	n    int
}{{"1M", 1 << 20}, {"10M", 10_000_000}}

// BenchmarkStep measures one solver step on a single float32 parameter,
// next to what a Gorgonia user runs today (gorgonia.AdamSolver,
// gorgonia.MomentumSolver). Bytes per op are the arrays each element of a
// fused update must move: Adam/AdamW 7 × 4 (read θ, g, m, v; write θ, m, v),
// SGD with momentum 5 × 4 (read θ, g, b; write θ, b).
func BenchmarkStep(b *testing.B) {
	for _, sz := range benchSizes {
		run := func(name string, bytesPerElem int, mk func() gorgonia.Solver, resetGrad bool) {
			b.Run(fmt.Sprintf("%s/%s", name, sz.name), func(b *testing.B) {
				p := benchParam(sz.n)
				var g0 []float32
				if resetGrad {
					g0 = append([]float32(nil), p.grad.Float32s()...)
				}
				s := mk()
				model := []gorgonia.ValueGrad{p}
				if err := s.Step(model); err != nil { // warm-up: allocates state
					b.Fatal(err)
				}
				b.SetBytes(int64(bytesPerElem * 4 * sz.n))
				b.ReportAllocs()
				b.ResetTimer()
				cpu0, _ := cputime.Process()
				defer func() { cpu1, _ := cputime.Process(); b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op") }()
				for i := 0; i < b.N; i++ {
					if resetGrad {
						// gorgonia.AdamSolver squares the gradient in place;
						// restore it outside the timed region.
						b.StopTimer()
						copy(p.grad.Float32s(), g0)
						b.StartTimer()
					}
					if err := s.Step(model); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		run("Adam/stheno", 7, func() gorgonia.Solver { s, _ := NewAdam(WithLearnRate(1e-3)); return s }, false)
		run("Adam/gorgonia", 7, func() gorgonia.Solver { return gorgonia.NewAdamSolver(gorgonia.WithLearnRate(1e-3)) }, true)
		run("AdamW/stheno", 7, func() gorgonia.Solver { s, _ := NewAdamW(WithLearnRate(1e-3)); return s }, false)
		run("SGDMomentum/stheno", 5, func() gorgonia.Solver {
			s, _ := NewSGD(WithLearnRate(1e-3), WithMomentum(0.9))
			return s
		}, false)
		run("AMSGrad/stheno", 9, func() gorgonia.Solver { s, _ := NewAdam(WithLearnRate(1e-3), WithAMSGrad(true)); return s }, false)
		run("SGD/stheno", 3, func() gorgonia.Solver { s, _ := NewSGD(WithLearnRate(1e-3)); return s }, false)
		run("SGDNesterov/stheno", 5, func() gorgonia.Solver {
			s, _ := NewSGD(WithLearnRate(1e-3), WithMomentum(0.9), WithNesterov(true))
			return s
		}, false)
		run("RMSProp/stheno", 5, func() gorgonia.Solver { s, _ := NewRMSProp(WithLearnRate(1e-3)); return s }, false)
		run("RMSPropCentered/stheno", 7, func() gorgonia.Solver {
			s, _ := NewRMSProp(WithLearnRate(1e-3), WithCentered(true), WithMomentum(0.9))
			return s
		}, false)
		run("Adagrad/stheno", 5, func() gorgonia.Solver { s, _ := NewAdagrad(WithLearnRate(1e-3)); return s }, false)
		run("SGDMomentum/gorgonia", 5, func() gorgonia.Solver {
			return gorgonia.NewMomentum(gorgonia.WithLearnRate(1e-3), gorgonia.WithMomentum(0.9))
		}, false)
	}
}

// BenchmarkKernel measures the bare fused Adam kernel over 10M float32
// elements on one goroutine, without the solver around it.
func BenchmarkKernel(b *testing.B) {
	const n = 10_000_000
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%89)*0.001 - 0.04
	}
	c := adamCoef[float32]{gs: 1, decay: 1, b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 0.001, bc2Sqrt: 1, eps: 1e-8, nstep: -1e-3}
	b.Run("adamStep/10M", func(b *testing.B) {
		b.SetBytes(7 * 4 * n)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			adamStep(p, g, m, v, c)
		}
	})
	sc := sgdCoef[float32]{gs: 1, mom: 0.9, damp1: 1, nlr: -1e-3}
	b.Run("sgdStep/10M", func(b *testing.B) {
		b.SetBytes(5 * 4 * n)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sgdStep(p, g, m, sc)
		}
	})
}

type copyJob struct{ dst, src []float32 }

func (j *copyJob) Range(_, lo, hi int) { copy(j.dst[lo:hi], j.src[lo:hi]) }

// BenchmarkMemmove copies 80 MB of float32 with Go's vectorised copy,
// split across GOMAXPROCS like the solvers (2 arrays × 4 bytes per
// element): the memory bandwidth available in the same run, against which
// the solvers' GB/s can be read on a shared machine.
func BenchmarkMemmove(b *testing.B) {
	const n = 20_000_000
	j := &copyJob{dst: make([]float32, n), src: make([]float32, n)}
	par.For(n, minWork, j)
	b.SetBytes(2 * 4 * n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		par.For(n, minWork, j)
	}
}
