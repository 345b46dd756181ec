package solvers

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestOptionErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"sgd needs lr", func() error { _, err := NewSGD(); return err }, "WithLearnRate"},
		{"negative lr", func() error { _, err := NewSGD(WithLearnRate(-1)); return err }, "WithLearnRate(-1)"},
		{"nan lr", func() error { _, err := NewAdam(WithLearnRate(nan)); return err }, "WithLearnRate(NaN)"},
		{"betas on sgd", func() error { _, err := NewSGD(WithLearnRate(1), WithBetas(0.9, 0.99)); return err }, "WithBetas does not apply to SGD"},
		{"momentum on adam", func() error { _, err := NewAdam(WithMomentum(0.9)); return err }, "WithMomentum does not apply to Adam"},
		{"amsgrad on rmsprop", func() error { _, err := NewRMSProp(WithAMSGrad(true)); return err }, "WithAMSGrad does not apply to RMSProp"},
		{"alpha on adagrad", func() error { _, err := NewAdagrad(WithAlpha(0.9)); return err }, "WithAlpha does not apply to Adagrad"},
		{"lr decay on adamw", func() error { _, err := NewAdamW(WithLRDecay(0.1)); return err }, "WithLRDecay does not apply to AdamW"},
		{"beta1 = 1", func() error { _, err := NewAdam(WithBetas(1, 0.999)); return err }, "beta1 = 1"},
		{"beta2 < 0", func() error { _, err := NewAdamW(WithBetas(0.9, -0.1)); return err }, "beta2 = -0.1"},
		{"negative eps", func() error { _, err := NewAdam(WithEps(-1e-8)); return err }, "WithEps(-1e-08)"},
		{"negative momentum", func() error { _, err := NewSGD(WithLearnRate(1), WithMomentum(-0.5)); return err }, "WithMomentum(-0.5)"},
		{"dampening > 1", func() error { _, err := NewSGD(WithLearnRate(1), WithDampening(2)); return err }, "WithDampening(2)"},
		{"nesterov without momentum", func() error { _, err := NewSGD(WithLearnRate(1), WithNesterov(true)); return err }, "WithNesterov"},
		{"nesterov with dampening", func() error {
			_, err := NewSGD(WithLearnRate(1), WithMomentum(0.9), WithDampening(0.1), WithNesterov(true))
			return err
		}, "zero dampening"},
		{"negative weight decay", func() error { _, err := NewRMSProp(WithWeightDecay(-1)); return err }, "WithWeightDecay(-1)"},
		{"negative alpha", func() error { _, err := NewRMSProp(WithAlpha(-1)); return err }, "WithAlpha(-1)"},
		{"negative init acc", func() error { _, err := NewAdagrad(WithInitialAccumulatorValue(-1)); return err }, "WithInitialAccumulatorValue(-1)"},
		{"clip zero", func() error { _, err := NewAdam(WithClipGradNorm(0)); return err }, "WithClipGradNorm(0)"},
		{"nil schedule", func() error { _, err := NewAdam(WithSchedule(nil)); return err }, "WithSchedule(nil)"},
		{"bad steplr", func() error { _, err := NewAdam(WithSchedule(StepLR(0, 0.5))); return err }, "stepSize 0"},
		{"bad cosine", func() error { _, err := NewAdam(WithSchedule(CosineAnnealingLR(0, 0))); return err }, "tMax 0"},
		{"bad linear", func() error { _, err := NewAdam(WithSchedule(LinearLR(0, 1, 3))); return err }, "startFactor 0"},
		{"bad sequential", func() error {
			_, err := NewAdam(WithSchedule(Sequential([]Schedule{StepLR(1, 1), StepLR(1, 1)}, nil)))
			return err
		}, "need 1 milestones"},
		{"bad per epoch", func() error { _, err := NewAdam(WithSchedule(PerEpoch(StepLR(1, 1), 0))); return err }, "stepsPerEpoch 0"},
		{"nil group match", func() error { _, err := NewAdam(WithGroup(nil)); return err }, "match function"},
		{"schedule in group", func() error {
			_, err := NewAdam(WithGroup(func(string) bool { return true }, WithSchedule(StepLR(1, 1))))
			return err
		}, "WithSchedule cannot be set per group"},
		{"bad option in group", func() error {
			_, err := NewAdam(WithGroup(func(string) bool { return true }, WithMomentum(0.9)))
			return err
		}, "WithMomentum does not apply to Adam (group 0)"},
		{"bad value in group", func() error {
			_, err := NewAdam(WithGroup(func(string) bool { return true }, WithLearnRate(-3)))
			return err
		}, "WithLearnRate(-3)"},
		{"zero option", func() error { _, err := NewAdam(Option{}); return err }, "zero Option"},
	}
	for _, c := range cases {
		err := c.make()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	a, _ := NewAdam()
	w, _ := NewAdamW()
	r, _ := NewRMSProp()
	g, _ := NewAdagrad()
	for _, c := range []struct {
		name      string
		got, want hyper
	}{
		{"Adam", a.cfg.hyper, hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8}},
		{"AdamW", w.cfg.hyper, hyper{lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01}},
		{"RMSProp", r.cfg.hyper, hyper{lr: 1e-2, alpha: 0.99, eps: 1e-8}},
		{"Adagrad", g.cfg.hyper, hyper{lr: 1e-2, eps: 1e-10}},
	} {
		if c.got != c.want {
			t.Errorf("%s defaults %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

// TestGroups checks per-name overrides: no weight decay and a different
// learning rate on biases, and that SetLearnRate leaves a group's own rate.
func TestGroups(t *testing.T) {
	isBias := func(n string) bool { return strings.HasPrefix(n, "b") }
	s, err := NewSGD(WithLearnRate(0.1), WithWeightDecay(0.5), WithGroup(isBias, WithWeightDecay(0), WithLearnRate(1)))
	if err != nil {
		t.Fatal(err)
	}
	w := newTestParam("w", tensor.Float64, []int{1}, []float64{2})
	b := newTestParam("b", tensor.Float64, []int{1}, []float64{2})
	model := []gorgonia.ValueGrad{w, b}
	w.setGrad([]float64{1})
	b.setGrad([]float64{1})
	if err := s.Step(model); err != nil {
		t.Fatal(err)
	}
	// w: 2 − 0.1·(1 + 0.5·2) = 1.8; b: 2 − 1·1 = 1.
	if got := values(w.val)[0]; got != 1.8 {
		t.Errorf("w = %v, want 1.8", got)
	}
	if got := values(b.val)[0]; got != 1 {
		t.Errorf("b = %v, want 1", got)
	}
	s.SetLearnRate(0.2)
	if err := s.Step(model); err != nil {
		t.Fatal(err)
	}
	// w: 1.8 − 0.2·(1 + 0.9) = 1.42; b: 1 − 1·1 = 0.
	if got := values(w.val)[0]; math.Abs(got-1.42) > 1e-15 {
		t.Errorf("w = %v, want 1.42", got)
	}
	if got := values(b.val)[0]; got != 0 {
		t.Errorf("b = %v, want 0", got)
	}
}

// TestStateKeyedByParameter checks that state follows the parameter, not
// its position, and that parameters can come and go between steps.
func TestStateKeyedByParameter(t *testing.T) {
	run := func(order func(k int, a, b gorgonia.ValueGrad) []gorgonia.ValueGrad) (float64, float64) {
		s, _ := NewAdam(WithLearnRate(0.1))
		a := newTestParam("a", tensor.Float64, []int{2}, []float64{1, 2})
		b := newTestParam("b", tensor.Float64, []int{3}, []float64{3, 4, 5})
		for k := 0; k < 6; k++ {
			a.setGrad([]float64{1, -1})
			b.setGrad([]float64{float64(k), 1, 2})
			if err := s.Step(order(k, a, b)); err != nil {
				t.Fatal(err)
			}
		}
		return values(a.val)[0], values(b.val)[0]
	}
	a1, b1 := run(func(k int, a, b gorgonia.ValueGrad) []gorgonia.ValueGrad { return []gorgonia.ValueGrad{a, b} })
	a2, b2 := run(func(k int, a, b gorgonia.ValueGrad) []gorgonia.ValueGrad {
		if k%2 == 0 {
			return []gorgonia.ValueGrad{b, a}
		}
		return []gorgonia.ValueGrad{a, b}
	})
	if a1 != a2 || b1 != b2 {
		t.Errorf("reordering the model changed the result: (%v, %v) vs (%v, %v)", a1, b1, a2, b2)
	}
	// b only in some steps: its bias correction uses its own step count.
	a3, b3 := run(func(k int, a, b gorgonia.ValueGrad) []gorgonia.ValueGrad {
		if k < 3 {
			return []gorgonia.ValueGrad{a}
		}
		return []gorgonia.ValueGrad{b, a}
	})
	if a3 != a1 {
		t.Errorf("a's trajectory depends on b's presence: %v vs %v", a3, a1)
	}
	if b3 == b1 || b3 == 3 {
		t.Errorf("b = %v: want it updated 3 times (≠ %v after 6)", b3, b1)
	}
}

func TestStepErrors(t *testing.T) {
	s, _ := NewAdam()
	a := newTestParam("a", tensor.Float64, []int{2}, []float64{1, 2})
	if err := s.Step([]gorgonia.ValueGrad{a, a}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate parameter: err = %v", err)
	}
	i := &testParam{name: "ints", val: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2})), grad: tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))}
	if err := s.Step([]gorgonia.ValueGrad{i}); err == nil || !strings.Contains(err.Error(), `"ints"`) {
		t.Errorf("int parameter: err = %v", err)
	}
	m := &testParam{name: "m", val: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), grad: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3}))}
	if err := s.Step([]gorgonia.ValueGrad{m}); err == nil || !strings.Contains(err.Error(), "gradient") {
		t.Errorf("mismatched gradient: err = %v", err)
	}
	d := &testParam{name: "d", val: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), grad: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{1, 2}))}
	if err := s.Step([]gorgonia.ValueGrad{d}); err == nil {
		t.Errorf("float32 gradient of a float64 parameter: no error")
	}
	if err := s.Step([]gorgonia.ValueGrad{nil}); err == nil {
		t.Errorf("nil parameter: no error")
	}
	if err := s.Step([]gorgonia.ValueGrad{valueParam{}}); err == nil || !strings.Contains(err.Error(), "comparable") {
		t.Errorf("non-comparable parameter: err = %v", err)
	}
	// Errors change nothing.
	if s.Steps() != 0 || values(a.val)[0] != 1 {
		t.Errorf("failed steps changed state: steps %d, a %v", s.Steps(), values(a.val))
	}
}

// valueParam is a ValueGrad that cannot be a map key.
type valueParam struct{ _ []float64 }

func (valueParam) Value() gorgonia.Value         { return nil }
func (valueParam) Grad() (gorgonia.Value, error) { return nil, nil }
func (valueParam) Shape() tensor.Shape           { return nil }
func (valueParam) Dtype() tensor.Dtype           { return tensor.Float64 }
func (valueParam) Uintptr() uintptr              { return 0 }
func (valueParam) MemSize() uintptr              { return 0 }
