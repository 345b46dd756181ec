package solvers

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestSchedules(t *testing.T) {
	cases := []struct {
		name string
		s    Schedule
		want []float64 // rates for base 1 at steps 0, 1, ...
	}{
		{"StepLR", StepLR(2, 0.5), []float64{1, 1, 0.5, 0.5, 0.25}},
		{"Cosine", CosineAnnealingLR(2, 0), []float64{1, 0.5, 0, 0.5, 1}},
		{"LinearLR", LinearLR(0.5, 1, 2), []float64{0.5, 0.75, 1, 1, 1}},
		{"PerEpoch", PerEpoch(StepLR(1, 0.1), 3), []float64{1, 1, 1, 0.1, 0.1, 0.1, 0.01}},
		{"Sequential", Sequential([]Schedule{LinearWarmup(0.5, 2), StepLR(1, 0.5)}, []int{2}), []float64{0.5, 0.75, 1, 0.5, 0.25}},
		{"Func", ScheduleFunc(func(b float64, k int) float64 { return b / float64(k+1) }), []float64{1, 0.5, 1.0 / 3}},
	}
	for _, c := range cases {
		if err := checkSchedule(c.s); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		for k, w := range c.want {
			if got := c.s.LR(1, k); math.Abs(got-w) > 1e-15 {
				t.Errorf("%s: step %d lr %v, want %v", c.name, k, got, w)
			}
		}
	}
}

// TestScheduleDrivesSolver checks that the k-th Step uses LR(base, k) and
// that SetLearnRate changes the base the schedule scales.
func TestScheduleDrivesSolver(t *testing.T) {
	s, err := NewSGD(WithLearnRate(1), WithSchedule(StepLR(1, 0.5)))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestParam("p", tensor.Float64, []int{1}, []float64{0})
	model := []gorgonia.ValueGrad{p}
	want := 0.0
	for k, base := range []float64{1, 1, 4} {
		if k == 2 {
			s.SetLearnRate(base)
		}
		p.setGrad([]float64{-1})
		if err := s.Step(model); err != nil {
			t.Fatal(err)
		}
		want += base * math.Pow(0.5, float64(k))
		if got := values(p.val)[0]; got != want {
			t.Fatalf("step %d: p = %v, want %v", k, got, want)
		}
	}
	if s.Steps() != 3 || s.ScheduledLR() != 4*0.125 {
		t.Errorf("Steps %d ScheduledLR %v, want 3 and 0.5", s.Steps(), s.ScheduledLR())
	}
}
