package cputime

import "testing"

func TestProcessGrows(t *testing.T) {
	t0, err := Process()
	if err != nil {
		t.Skip(err)
	}
	x := 1.0
	for i := 0; i < 50_000_000; i++ {
		x = x*1.0000001 + 1e-9
	}
	t1, _ := Process()
	if t1 <= t0 {
		t.Fatalf("CPU time did not grow over a busy loop (%v → %v; x=%v)", t0, t1, x)
	}
}
