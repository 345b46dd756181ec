package solvers

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// constructors lists every solver of the package. TestConstructorsListed
// fails when a New… constructor is added without an entry here, so that
// the round-trip table below covers it.
var constructors = map[string]func(opts ...Option) (Solver, error){
	"NewSGD":      func(o ...Option) (Solver, error) { return NewSGD(o...) },
	"NewAdam":     func(o ...Option) (Solver, error) { return NewAdam(o...) },
	"NewAdamW":    func(o ...Option) (Solver, error) { return NewAdamW(o...) },
	"NewRMSProp":  func(o ...Option) (Solver, error) { return NewRMSProp(o...) },
	"NewAdagrad":  func(o ...Option) (Solver, error) { return NewAdagrad(o...) },
	"NewAdadelta": func(o ...Option) (Solver, error) { return NewAdadelta(o...) },
	"NewAdamax":   func(o ...Option) (Solver, error) { return NewAdamax(o...) },
	"NewNAdam":    func(o ...Option) (Solver, error) { return NewNAdam(o...) },
	"NewRAdam":    func(o ...Option) (Solver, error) { return NewRAdam(o...) },
}

// optionSamples holds one valid instance of every option (with the options
// it needs to be accepted). TestStateRoundTripEveryOption fails when an
// option is added without a sample.
var optionSamples = map[optKey][]Option{
	optLearnRate:        {WithLearnRate(0.03)},
	optMomentum:         {WithMomentum(0.9)},
	optDampening:        {WithMomentum(0.9), WithDampening(0.3)},
	optNesterov:         {WithMomentum(0.9), WithNesterov(true)},
	optWeightDecay:      {WithWeightDecay(0.1)},
	optBetas:            {WithBetas(0.8, 0.9)},
	optEps:              {WithEps(1e-3)},
	optAMSGrad:          {WithAMSGrad(true)},
	optMaximize:         {WithMaximize(true)},
	optAlpha:            {WithAlpha(0.9)},
	optCentered:         {WithCentered(true)},
	optLRDecay:          {WithLRDecay(0.1)},
	optInitAcc:          {WithInitialAccumulatorValue(0.5)},
	optSchedule:         {WithSchedule(StepLR(2, 0.5))},
	optClip:             {WithClipGradNorm(1)},
	optErrorIfNonfinite: {WithClipGradNorm(1), WithErrorIfNonfinite(true)},
	optRho:              {WithRho(0.8)},
	optMomentumDecay:    {WithMomentumDecay(0.01)},
	optGroup:            {WithGroup(func(n string) bool { return n == "b" }, WithLearnRate(0.2), WithWeightDecay(0.01))},
}

// TestConstructorsListed parses the package and checks that every exported
// func New…(opts ...Option) is in constructors.
func TestConstructorsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "New") || fn.Type.Params.NumFields() != 1 {
				continue
			}
			if e, ok := fn.Type.Params.List[0].Type.(*ast.Ellipsis); ok {
				if id, ok := e.Elt.(*ast.Ident); ok && id.Name == "Option" {
					found = append(found, fn.Name.Name)
				}
			}
		}
	}
	sort.Strings(found)
	if len(found) < 5 {
		t.Fatalf("found only %v", found)
	}
	for _, name := range found {
		if constructors[name] == nil {
			t.Errorf("%s is not in constructors (roundtrip_test.go): add it, so that its state round trip is tested", name)
		}
	}
}

// TestStateRoundTripEveryOption checks SaveState/LoadState for every solver
// with every option it accepts, in both dtypes: three steps, save, load
// into a fresh solver, and the loaded solver must save the same bytes and
// continue bit for bit as the original.
func TestStateRoundTripEveryOption(t *testing.T) {
	for k := range optNames {
		if optionSamples[k] == nil {
			t.Errorf("option %s has no sample in optionSamples (roundtrip_test.go)", optNames[k])
		}
	}
	names := make([]string, 0, len(constructors))
	for n := range constructors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		mk := constructors[name]
		accepted := 0
		for key, sample := range optionSamples {
			opts := append([]Option{WithLearnRate(0.05)}, sample...)
			if _, err := mk(opts...); err != nil {
				if !strings.Contains(err.Error(), "does not apply") {
					t.Fatalf("%s with %s: %v", name, optNames[key], err)
				}
				continue
			}
			accepted++
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				t.Run(name+"/"+optNames[key]+"/"+dt.String(), func(t *testing.T) {
					roundTrip(t, func() Solver {
						s, err := mk(opts...)
						if err != nil {
							t.Fatal(err)
						}
						return s
					}, dt)
				})
			}
		}
		if accepted < 5 {
			t.Errorf("%s accepts only %d options", name, accepted)
		}
	}
}

func roundTrip(t *testing.T, mk func() Solver, dt tensor.Dtype) {
	a, b := newTrainer(dt), newTrainer(dt)
	s1 := mk()
	a.steps(t, s1, 3)
	b.steps(t, mk(), 3) // b's parameters follow a's; its solver is replaced
	var saved bytes.Buffer
	if err := s1.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	s2 := mk()
	if err := s2.LoadState(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatalf("LoadState: %v", err)
	}
	var again bytes.Buffer
	if err := s2.SaveState(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved.Bytes(), again.Bytes()) {
		t.Fatal("the loaded solver saves different bytes")
	}
	if s2.Steps() != 3 || s2.LearnRate() != s1.LearnRate() || s2.ScheduledLR() != s1.ScheduledLR() {
		t.Fatalf("loaded: steps %d lr %v scheduled %v, saved: 3, %v, %v", s2.Steps(), s2.LearnRate(), s2.ScheduledLR(), s1.LearnRate(), s1.ScheduledLR())
	}
	a.steps(t, s1, 3)
	b.steps(t, s2, 3)
	moved := false
	for i := range a.ps {
		x, y := values(a.ps[i].val), values(b.ps[i].val)
		for j := range x {
			if x[j] != y[j] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", a.ps[i].name, j, y[j], x[j])
			}
		}
		moved = moved || x[0] != values(newTrainer(dt).ps[i].val)[0]
	}
	if !moved {
		t.Fatal("the parameters did not move")
	}
}

// FuzzLoadState feeds LoadState arbitrary bytes (seeded with real states
// of every solver and dtype): it must never panic or allocate beyond the
// input's size, and a state it accepts must save, load and save again to
// the same bytes.
func FuzzLoadState(f *testing.F) {
	for _, mk := range constructors {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			s, _ := mk(WithLearnRate(0.1), WithSchedule(StepLR(2, 0.5)))
			tr := newTrainer(dt)
			model := tr.model()
			for _, p := range tr.ps {
				p.setGrad(make([]float64, p.val.Shape().TotalSize()))
			}
			if err := s.Step(model); err != nil {
				f.Fatal(err)
			}
			var buf bytes.Buffer
			if err := s.SaveState(&buf); err != nil {
				f.Fatal(err)
			}
			f.Add(buf.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, mk := range constructors {
			s, _ := mk(WithLearnRate(0.1))
			if err := s.LoadState(bytes.NewReader(data)); err != nil {
				if s.Steps() != 0 || s.LearnRate() != 0.1 {
					t.Fatalf("%s: a failed LoadState changed the solver", name)
				}
				continue
			}
			var out, again bytes.Buffer
			if err := s.SaveState(&out); err != nil {
				t.Fatalf("%s: SaveState after a successful LoadState: %v", name, err)
			}
			// (an older format version loads and saves as the current one)
			s2, _ := mk(WithLearnRate(0.1))
			if err := s2.LoadState(bytes.NewReader(out.Bytes())); err != nil {
				t.Fatalf("%s: LoadState of what a loaded state saved: %v", name, err)
			}
			if err := s2.SaveState(&again); err != nil || !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Fatalf("%s: saving, loading and saving again changed %d bytes into %d (%v)", name, out.Len(), again.Len(), err)
			}
			p := newTestParam("w", tensor.Float32, []int{3, 5}, make([]float64, 15))
			_ = s.Step([]gorgonia.ValueGrad{p}) // may fail (mismatch), must not panic
		}
	})
}
