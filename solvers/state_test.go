package solvers

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainer runs a deterministic sequence of steps on two parameters.
type trainer struct {
	ps  []*testParam
	rng *rand.Rand
}

func newTrainer(dt tensor.Dtype) *trainer {
	rng := rand.New(rand.NewSource(7))
	tr := &trainer{rng: rng}
	for _, spec := range []struct {
		name  string
		shape []int
	}{{"w", []int{3, 5}}, {"b", []int{5}}} {
		n := spec.shape[0]
		if len(spec.shape) > 1 {
			n *= spec.shape[1]
		}
		init := make([]float64, n)
		for i := range init {
			init[i] = rng.NormFloat64()
		}
		tr.ps = append(tr.ps, newTestParam(spec.name, dt, spec.shape, init))
	}
	return tr
}

func (tr *trainer) model() []gorgonia.ValueGrad {
	out := make([]gorgonia.ValueGrad, len(tr.ps))
	for i, p := range tr.ps {
		out[i] = p
	}
	return out
}

// steps sets pseudo-random gradients (depending on the parameters, so that
// the trajectory is sensitive to every bit) and steps s n times.
func (tr *trainer) steps(t *testing.T, s Solver, n int) {
	for k := 0; k < n; k++ {
		for _, p := range tr.ps {
			v := values(p.val)
			g := make([]float64, len(v))
			for i := range g {
				g[i] = v[i]*0.5 + tr.rng.NormFloat64()
			}
			p.setGrad(g)
		}
		if err := s.Step(tr.model()); err != nil {
			t.Fatal(err)
		}
	}
}

func allSolvers(t *testing.T) map[string]func() Solver {
	sched := Sequential([]Schedule{LinearWarmup(0.1, 3), CosineAnnealingLR(10, 0.001)}, []int{3})
	mk := func(name string, opts ...Option) func() Solver {
		return func() Solver { return newSolver(t, name, opts) }
	}
	return map[string]func() Solver{
		"SGD":     mk("sgd", WithLearnRate(0.05), WithMomentum(0.9), WithNesterov(true), WithWeightDecay(1e-3), WithSchedule(sched)),
		"Adam":    mk("adam", WithLearnRate(0.01), WithAMSGrad(true), WithSchedule(StepLR(4, 0.5))),
		"AdamW":   mk("adamw", WithLearnRate(0.01), WithSchedule(sched), WithClipGradNorm(2)),
		"RMSProp": mk("rmsprop", WithCentered(true), WithMomentum(0.5)),
		"Adagrad": mk("adagrad", WithLRDecay(0.01), WithInitialAccumulatorValue(0.1)),
		"Adadelta": mk("adadelta", WithRho(0.8), WithWeightDecay(1e-3), WithMaximize(false),
			WithSchedule(MultiStepLR([]int{2, 6}, 0.5))),
		"Adamax": mk("adamax", WithLearnRate(0.01), WithMaximize(true), WithSchedule(OneCycleLR{TotalSteps: 12})),
		"NAdam":  mk("nadam", WithLearnRate(0.01), WithMomentumDecay(0.1), WithSchedule(ExponentialLR(0.9))),
		"RAdam":  mk("radam", WithLearnRate(0.01), WithWeightDecay(1e-2), WithClipGradNorm(2)),
		"SGDGroups": mk("sgd", WithLearnRate(0.05), WithMomentum(0.9), WithSchedule(StepLR(3, 0.5)),
			WithGroup(func(n string) bool { return n == "b" }, WithMomentum(0), WithLearnRate(0.2))),
		"AdamWGroups": mk("adamw", WithLearnRate(0.01),
			WithGroup(func(n string) bool { return n == "b" }, WithWeightDecay(0), WithAMSGrad(true))),
	}
}

// TestSaveLoadResume checks that saving mid-run and resuming in a fresh
// solver gives bit-identical parameters to an uninterrupted run.
func TestSaveLoadResume(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for name, mk := range allSolvers(t) {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				ref := newTrainer(dt)
				s := mk()
				ref.steps(t, s, 12)

				tr := newTrainer(dt)
				s1 := mk()
				tr.steps(t, s1, 5)
				var buf bytes.Buffer
				if err := s1.SaveState(&buf); err != nil {
					t.Fatal(err)
				}
				s2 := mk()
				s2.SetLearnRate(123) // restored by LoadState
				if err := s2.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
					t.Fatal(err)
				}
				if s2.LearnRate() != s1.LearnRate() {
					t.Fatalf("learn rate %v after load, want %v", s2.LearnRate(), s1.LearnRate())
				}
				tr.steps(t, s2, 7)
				for i := range ref.ps {
					a, b := values(ref.ps[i].val), values(tr.ps[i].val)
					for j := range a {
						if a[j] != b[j] {
							t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", ref.ps[i].name, j, b[j], a[j])
						}
					}
				}
			})
		}
	}
}

func TestLoadStateRejectsBadInput(t *testing.T) {
	tr := newTrainer(tensor.Float64)
	s, _ := NewAdam()
	tr.steps(t, s, 3)
	var buf bytes.Buffer
	if err := s.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	fresh := func() *Adam {
		a, _ := NewAdam(WithLearnRate(0.5))
		return a
	}
	cases := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXXXXXX"), good[8:]...),
		"truncated": good[:len(good)/2],
		"flipped":   func() []byte { b := append([]byte(nil), good...); b[len(b)/2] ^= 1; return b }(),
		"trailing":  append(append([]byte(nil), good...), 0),
	}
	for name, in := range cases {
		a := fresh()
		if err := a.LoadState(bytes.NewReader(in)); err == nil {
			t.Errorf("%s: LoadState succeeded on bad input", name)
		}
		if a.LearnRate() != 0.5 || a.Steps() != 0 || len(a.params) != 0 {
			t.Errorf("%s: failed LoadState changed the solver", name)
		}
	}
	sgd, _ := NewSGD(WithLearnRate(0.1))
	if err := sgd.LoadState(bytes.NewReader(good)); err == nil || !strings.Contains(err.Error(), "Adam") {
		t.Errorf("loading Adam state into SGD: err = %v, want a kind mismatch", err)
	}
	// A loaded state whose sizes do not match the parameter is an error at Step.
	a := fresh()
	if err := a.LoadState(bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	other := newTestParam("w", tensor.Float64, []int{2}, []float64{1, 2})
	if err := a.Step([]gorgonia.ValueGrad{other}); err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("step with mismatching loaded state: err = %v", err)
	}
}

func TestSaveStateNeedsNames(t *testing.T) {
	s, _ := NewAdam()
	p := newTestParam("", tensor.Float64, []int{2}, []float64{1, 2})
	if err := s.Step([]gorgonia.ValueGrad{p}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(&bytes.Buffer{}); err == nil {
		t.Error("SaveState with an unnamed parameter succeeded")
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "solver.state")
	tr := newTrainer(tensor.Float32)
	s, _ := NewAdamW(WithLearnRate(0.01))
	tr.steps(t, s, 4)
	if err := SaveStateFile(s, path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after SaveStateFile, want 1 (no temporary left)", len(entries))
	}
	s2, _ := NewAdamW(WithLearnRate(0.01))
	if err := LoadStateFile(s2, path); err != nil {
		t.Fatal(err)
	}
	if s2.Steps() != 4 {
		t.Errorf("Steps after LoadStateFile = %d, want 4", s2.Steps())
	}
	if err := LoadStateFile(s2, filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadStateFile of a missing file: no error")
	}
	if err := SaveStateFile(s, filepath.Join(dir, "no", "such", "dir", "x")); err == nil {
		t.Error("SaveStateFile into a missing directory: no error")
	}
}
