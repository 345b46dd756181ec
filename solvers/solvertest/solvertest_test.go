package solvertest

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestCasesLoad checks that every embedded golden file decodes and that
// every case is complete.
func TestCasesLoad(t *testing.T) {
	cases := Cases()
	if len(cases) < 100 {
		t.Fatalf("%d cases, want the whole shipped set", len(cases))
	}
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.Solver]++
		if c.Steps == 0 || len(c.Params) == 0 || len(c.LRs) != c.Steps {
			t.Fatalf("%s: %d steps, %d params, %d lrs", c, c.Steps, len(c.Params), len(c.LRs))
		}
		if c.Dtype != tensor.Float32 && c.Dtype != tensor.Float64 {
			t.Fatalf("%s: dtype %v", c, c.Dtype)
		}
		for k := 0; k < c.Steps; k++ {
			for i, p := range c.Params {
				n := 1
				for _, d := range p.Shape {
					n *= d
				}
				if len(p.Init) != n || len(c.Grad(k, i)) != n {
					t.Fatalf("%s: param %s has %d elements, init %d, grad %d", c, p.Name, n, len(p.Init), len(c.Grad(k, i)))
				}
				idx, want := c.Want(k, i)
				if idx == nil && len(want) != n || idx != nil && len(idx) != len(want) {
					t.Fatalf("%s: step %d param %s: %d indices, %d values", c, k, p.Name, len(idx), len(want))
				}
			}
		}
	}
	for _, s := range []string{"sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam"} {
		if seen[s] == 0 {
			t.Errorf("no %s cases", s)
		}
		if n := len(Cases(s)); n != seen[s] {
			t.Errorf("Cases(%q) has %d cases, the full set %d", s, n, seen[s])
		}
	}
}

func TestClose(t *testing.T) {
	nan := 0.0
	nan = nan / nan
	for _, c := range []struct {
		got, want, tol float64
		ok             bool
	}{
		{1, 1, 0, true}, {1, 1 + 1e-16, 0, true}, {1, 1.0000001, 0, false}, {1, 1.0000001, 1e-6, true},
		{nan, nan, 0, true}, {nan, 1, 1, false}, {1e-12, 0, 1e-10, true},
	} {
		if got := close(c.got, c.want, c.tol); got != c.ok {
			t.Errorf("close(%v, %v, %v) = %v", c.got, c.want, c.tol, got)
		}
	}
}
