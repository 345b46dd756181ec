package solvers

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Tests of the solver defects of the reliability issue (#8), one per defect.

// TestSGDPlainStateRoundTrip (defect 2): plain SGD keeps no buffers; its
// saved state (step counts only) must load.
func TestSGDPlainStateRoundTrip(t *testing.T) {
	s, err := NewSGD(WithLearnRate(0.1))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	p.setGrad([]float64{0.5, -0.5})
	if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	s2, _ := NewSGD(WithLearnRate(0.1))
	if err := s2.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("LoadState of plain SGD's state: %v", err)
	}
	if s2.Steps() != 1 {
		t.Errorf("Steps after load = %d, want 1", s2.Steps())
	}
	if err := s2.Step([]gorgonia.ValueGrad{p}); err != nil {
		t.Fatalf("Step after load: %v", err)
	}
	ref, _ := NewSGD(WithLearnRate(0.1))
	q := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	q.setGrad([]float64{0.5, -0.5})
	for k := 0; k < 2; k++ {
		if err := ref.Step([]gorgonia.ValueGrad{q}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := values(p.val), values(q.val); got[0] != want[0] || got[1] != want[1] || got[0] == 1 {
		t.Errorf("after save, load and a second step w = %v, uninterrupted %v", got, want)
	}
}

// TestInvalidLearnRateRejected (defect 4): a NaN, infinite or negative
// learning rate — set by SetLearnRate, loaded by LoadState or produced by a
// schedule — is an error naming it, before any weight or moment moves.
func TestInvalidLearnRateRejected(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.1}
	step := func(t *testing.T, s Solver, p *testParam) error {
		t.Helper()
		p.setGrad([]float64{1, -1})
		return s.Step([]gorgonia.ValueGrad{p})
	}
	unchanged := func(t *testing.T, s Solver, p *testParam, steps int, what string) {
		t.Helper()
		if got := values(p.val); got[0] != 1 || got[1] != 2 {
			t.Errorf("%s: weights moved to %v", what, got)
		}
		if s.Steps() != steps {
			t.Errorf("%s: Steps = %d, want %d", what, s.Steps(), steps)
		}
	}
	for _, lr := range bad {
		// SetLearnRate
		s, _ := NewAdam()
		p := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
		s.SetLearnRate(lr)
		err := step(t, s, p)
		if err == nil || !strings.Contains(err.Error(), "learning rate") {
			t.Errorf("SetLearnRate(%v): Step err = %v, want a learning-rate error", lr, err)
		}
		unchanged(t, s, p, 0, "SetLearnRate")

		// LoadState of a state holding it
		src, _ := NewAdam()
		src.cfg.lr = lr // as an edited or corrupted (but checksummed) file would hold
		var buf bytes.Buffer
		if err := src.SaveState(&buf); err != nil {
			t.Fatal(err)
		}
		dst, _ := NewAdam(WithLearnRate(0.5))
		if err := dst.LoadState(&buf); err == nil || !strings.Contains(err.Error(), "learning rate") {
			t.Errorf("LoadState with lr %v: err = %v, want a learning-rate error", lr, err)
		}
		if dst.LearnRate() != 0.5 {
			t.Errorf("failed LoadState changed the learning rate to %v", dst.LearnRate())
		}

		// a schedule producing it at step 1
		sched := ScheduleFunc(func(base float64, k int) float64 {
			if k == 1 {
				return lr
			}
			return base
		})
		s2, _ := NewSGD(WithLearnRate(0.1), WithMomentum(0.9), WithSchedule(sched))
		p2 := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
		if err := step(t, s2, p2); err != nil {
			t.Fatal(err)
		}
		before := values(p2.val)
		buf0 := append([]float64(nil), bufsOf[float64](s2.params[keyOf(p2)])[0]...)
		err = step(t, s2, p2)
		if err == nil || !strings.Contains(err.Error(), "learning rate") {
			t.Errorf("schedule giving %v: Step err = %v, want a learning-rate error", lr, err)
		}
		if got := values(p2.val); got[0] != before[0] || got[1] != before[1] || s2.Steps() != 1 {
			t.Errorf("schedule giving %v: weights %v → %v, steps %d", lr, before, got, s2.Steps())
		}
		if got := bufsOf[float64](s2.params[keyOf(p2)])[0]; got[0] != buf0[0] {
			t.Errorf("schedule giving %v: momentum moved %v → %v", lr, buf0, got)
		}
	}
}

// TestTwoTrainersShareState (defect 5): two programs (two graphs, as two
// graph.Trainers build for two batch sizes) over the same parameter
// tensors with one solver share one state per parameter name, as
// torch.optim keys state by parameter: alternating steps of the two give
// the trajectory of one, and SaveState works.
func TestTwoTrainersShareState(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		init := []float64{1, -2, 3}
		grads := [][]float64{{0.1, 0.2, -0.3}, {0.5, -0.1, 0.2}, {-0.4, 0.3, 0.1}, {0.2, 0.2, 0.2}}
		// one program
		ref, _ := NewAdam(WithLearnRate(0.1))
		one := newTestParam("w", dt, []int{3}, init)
		for _, g := range grads {
			one.setGrad(g)
			if err := ref.Step([]gorgonia.ValueGrad{one}); err != nil {
				t.Fatal(err)
			}
		}
		// two programs: two ValueGrads named "w" over one value tensor
		s, _ := NewAdam(WithLearnRate(0.1))
		a := newTestParam("w", dt, []int{3}, init)
		b := &testParam{name: "w", val: a.val, grad: tensor.New(tensor.Of(dt), tensor.WithShape(3))}
		for k, g := range grads {
			p := a
			if k%2 == 1 {
				p = b
			}
			p.setGrad(g)
			if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
		}
		want, got := values(one.val), values(a.val)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: alternating programs w = %v, one program %v", dt, got, want)
			}
		}
		if err := s.SaveState(&bytes.Buffer{}); err != nil {
			t.Errorf("%v: SaveState after two programs: %v", dt, err)
		}
	}
}

// TestClipNonFiniteNorm (defect 6): with WithClipGradNorm, a non-finite
// global norm makes every gradient NaN, as torch.nn.utils.clip_grad_norm_
// (clip_coef = max_norm/(nan + 1e-6) = nan multiplies every gradient), so
// no weight moves by an unclipped step.
func TestClipNonFiniteNorm(t *testing.T) {
	s, _ := NewSGD(WithLearnRate(0.1), WithClipGradNorm(1))
	p := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	p.setGrad([]float64{math.NaN(), 100})
	if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
		t.Fatal(err)
	}
	for i, x := range values(p.val) {
		if !math.IsNaN(x) {
			t.Errorf("w[%d] = %v after a NaN-norm clipped step, want NaN (PyTorch's behaviour)", i, x)
		}
	}
	// ClipGradNorm, the in-place function, does the same to the gradients.
	q := newTestParam("q", tensor.Float64, []int{2}, []float64{1, 2})
	q.setGrad([]float64{math.Inf(1), 100})
	if n, err := ClipGradNorm([]gorgonia.ValueGrad{q}, 1); err != nil || !math.IsInf(n, 1) {
		t.Fatalf("ClipGradNorm: %v, %v", n, err)
	}
	if g := values(q.grad); !math.IsNaN(g[0]) || g[1] != 0 {
		t.Errorf("ClipGradNorm with an infinite norm: gradients %v, want [NaN 0] (inf·0, 100·0)", g)
	}
}

// TestErrorIfNonfinite (defect 6): WithErrorIfNonfinite(true) turns a
// non-finite norm into an error that changes nothing, as
// clip_grad_norm_(error_if_nonfinite=True).
func TestErrorIfNonfinite(t *testing.T) {
	s, err := NewAdam(WithClipGradNorm(1), WithErrorIfNonfinite(true))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	p.setGrad([]float64{1, 1})
	if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
		t.Fatal(err)
	}
	before := values(p.val)
	p.setGrad([]float64{math.Inf(-1), 1})
	err = s.Step([]gorgonia.ValueGrad{p})
	if err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("Step with an infinite gradient: err = %v, want a non-finite norm error", err)
	}
	if got := values(p.val); got[0] != before[0] || got[1] != before[1] || s.Steps() != 1 {
		t.Errorf("failed Step changed weights %v → %v or steps (%d)", before, got, s.Steps())
	}
	if _, err := NewAdam(WithErrorIfNonfinite(true)); err == nil {
		t.Error("WithErrorIfNonfinite without WithClipGradNorm: no error")
	}
}

// TestGradShapeMustMatch (defect 11): a gradient of another shape with the
// same number of elements is an error naming both shapes; nothing moves.
func TestGradShapeMustMatch(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s, _ := NewSGD(WithLearnRate(0.1))
		p := &testParam{name: "w", val: tensor.New(tensor.Of(dt), tensor.WithShape(2, 3)),
			grad: tensor.New(tensor.Of(dt), tensor.WithShape(3, 2))}
		fill(p.grad, []float64{1, 1, 1, 1, 1, 1})
		err := s.Step([]gorgonia.ValueGrad{p})
		if err == nil || !strings.Contains(err.Error(), "(2, 3)") || !strings.Contains(err.Error(), "(3, 2)") {
			t.Errorf("%v: (3,2) gradient for a (2,3) value: err = %v", dt, err)
		}
		for _, x := range values(p.val) {
			if x != 0 {
				t.Fatalf("%v: weights moved: %v", dt, values(p.val))
			}
		}
	}
}
