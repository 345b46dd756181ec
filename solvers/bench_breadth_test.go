package solvers

import (
	"testing"

	"gorgonia.org/gorgonia"
)

// BenchmarkStepBreadth measures one step of Adadelta, Adamax, NAdam and
// RAdam on a 1M-element float32 parameter next to Adam (the assembly
// kernel) and Adam's Go loop, so that the cost of the new solvers' Go
// loops (FMA order, no assembly) can be read off in one run. Bytes per op
// count the arrays each element moves: read θ, g and two state buffers,
// write θ and the buffers (7 × 4).
func BenchmarkStepBreadth(b *testing.B) {
	const n = 1 << 20
	for _, c := range []struct {
		name string
		mk   func() Solver
	}{
		{"Adam", func() Solver { s, _ := NewAdam(); return s }},
		{"Adadelta", func() Solver { s, _ := NewAdadelta(); return s }},
		{"Adamax", func() Solver { s, _ := NewAdamax(); return s }},
		{"NAdam", func() Solver { s, _ := NewNAdam(); return s }},
		{"RAdam", func() Solver { s, _ := NewRAdam(); return s }},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := benchParam(n)
			s := c.mk()
			model := []gorgonia.ValueGrad{p}
			for i := 0; i < 8; i++ { // warm-up; RAdam rectified from step 6
				if err := s.Step(model); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(7 * 4 * n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.Step(model); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
