package solvers

import (
	"bytes"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/internal/num"
	"github.com/stheno-ml/stheno/solvers/solvertest"
	"gorgonia.org/tensor"
)

// bitExact asks for PyTorch's bits (Tol 0): Adadelta, Adamax, NAdam and
// RAdam follow torch 1.13's operation order (fused multiply-adds where
// torch fuses, computed exactly by math.FMA and fma32 on every platform),
// so every float32 case is bit-identical — the small ones of
// solvers_breadth.py and the 1- to 200003-element ones of
// solvers_breadth_f32.py. float64 cases are too when the solver's scalars
// involve no power (f64 true: Adadelta); with β^t they keep 1e-10,
// because Go's math.Pow and glibc's pow, which Python's ** calls, differ
// in the last bit for some t (0.9^4: …aae vs …aad), and that bit reaches
// the float64 parameters.
func bitExact(cases []*solvertest.Case, f64 bool) []*solvertest.Case {
	for _, c := range cases {
		if c.Dtype == tensor.Float32 || f64 {
			c.Tol = 0
		}
	}
	return cases
}

// TestGoldenAdadelta replays torch.optim.Adadelta for every combination of
// lr, rho, eps, weight decay and maximize, and the defaults.
func TestGoldenAdadelta(t *testing.T) {
	solvertest.Run(t, factory(t), bitExact(solvertest.Cases("adadelta"), true))
}

// TestGoldenAdamax replays torch.optim.Adamax for every combination of
// betas, eps, weight decay and maximize, and the defaults.
func TestGoldenAdamax(t *testing.T) {
	solvertest.Run(t, factory(t), bitExact(solvertest.Cases("adamax"), false))
}

// TestGoldenNAdam replays torch.optim.NAdam for every combination of
// betas, eps, weight decay and momentum decay, and the defaults.
func TestGoldenNAdam(t *testing.T) {
	solvertest.Run(t, factory(t), bitExact(solvertest.Cases("nadam"), false))
}

// TestGoldenRAdam replays torch.optim.RAdam for every combination of
// betas, eps and weight decay (12 steps: unrectified, then rectified from
// step 6), and the defaults.
func TestGoldenRAdam(t *testing.T) {
	solvertest.Run(t, factory(t), bitExact(solvertest.Cases("radam"), false))
}

// plateauMetrics is the metric reported after each step by plateauSteps.
var plateauMetrics = []float64{5, 4, 4, 4, 4, 3.9, 3, 3, 3, 3, 3, 3}

// newPlateauSGD returns SGD driven by ExponentialLR and ReduceLROnPlateau.
func newPlateauSGD(t *testing.T) (Solver, *ReduceLROnPlateau) {
	p := NewReduceLROnPlateau()
	p.Patience, p.Factor, p.Cooldown = 1, 0.5, 1
	s, err := NewSGD(WithLearnRate(0.05), WithMomentum(0.9), WithSchedule(Chained(ExponentialLR(0.95), p)))
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// plateauSteps steps s from step from to step to, reporting the scripted
// metric to p after each.
func plateauSteps(t *testing.T, tr *trainer, s Solver, p *ReduceLROnPlateau, from, to int) {
	for k := from; k < to; k++ {
		tr.steps(t, s, 1)
		p.Step(plateauMetrics[k])
	}
}

// TestPlateauSaveLoadResume: the plateau's position is part of the
// solver's state, so that a resumed run reduces the rate at the same steps
// and ends on the same bits as an uninterrupted one.
func TestPlateauSaveLoadResume(t *testing.T) {
	ref := newTrainer(tensor.Float64)
	s, p := newPlateauSGD(t)
	plateauSteps(t, ref, s, p, 0, 12)
	if p.Reductions() < 2 {
		t.Fatalf("%d reductions; the script should cause at least 2", p.Reductions())
	}

	tr := newTrainer(tensor.Float64)
	s1, p1 := newPlateauSGD(t)
	plateauSteps(t, tr, s1, p1, 0, 5)
	var buf bytes.Buffer
	if err := s1.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	s2, p2 := newPlateauSGD(t)
	if err := s2.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if p2.st != p1.st {
		t.Fatalf("plateau state %+v after load, saved %+v", p2.st, p1.st)
	}
	plateauSteps(t, tr, s2, p2, 5, 12)
	if p2.Reductions() != p.Reductions() || s2.ScheduledLR() != s.ScheduledLR() {
		t.Fatalf("resumed: %d reductions, lr %v; uninterrupted %d, %v", p2.Reductions(), s2.ScheduledLR(), p.Reductions(), s.ScheduledLR())
	}
	for i := range ref.ps {
		a, b := values(ref.ps[i].val), values(tr.ps[i].val)
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", ref.ps[i].name, j, b[j], a[j])
			}
		}
	}
}

// TestPlateauStateMismatch: a state saved with a ReduceLROnPlateau cannot
// be loaded into a solver without one (and the reverse), and a failed load
// changes nothing.
func TestPlateauStateMismatch(t *testing.T) {
	tr := newTrainer(tensor.Float64)
	withP, p := newPlateauSGD(t)
	plateauSteps(t, tr, withP, p, 0, 4)
	var a bytes.Buffer
	if err := withP.SaveState(&a); err != nil {
		t.Fatal(err)
	}
	without, err := NewSGD(WithLearnRate(0.05), WithMomentum(0.9))
	if err != nil {
		t.Fatal(err)
	}
	tr2 := newTrainer(tensor.Float64)
	tr2.steps(t, without, 2)
	var b bytes.Buffer
	if err := without.SaveState(&b); err != nil {
		t.Fatal(err)
	}
	if err := without.LoadState(bytes.NewReader(a.Bytes())); err == nil || !strings.Contains(err.Error(), "saved with another schedule") {
		t.Errorf("plateau state into a solver without: err %v", err)
	}
	if without.Steps() != 2 {
		t.Errorf("failed load changed the step count to %d", without.Steps())
	}
	fresh, fp := newPlateauSGD(t)
	fp.Step(1)
	before := fp.st
	if err := fresh.LoadState(bytes.NewReader(b.Bytes())); err == nil || !strings.Contains(err.Error(), "saved with another schedule") {
		t.Errorf("state without plateau into a solver with one: err %v", err)
	}
	if fp.st != before {
		t.Errorf("failed load changed the plateau")
	}
}

// TestNAdamMuProductFloat32: torch keeps NAdam's product of momenta in a
// float32 tensor also for float64 parameters; the float64 goldens pass at
// 1e-10 only with that rounding. Here the product itself: after t steps
// it is the float32 running product, and recomputing it after a load
// (from step 1) gives the same bits as advancing it step by step.
func TestNAdamMuProductFloat32(t *testing.T) {
	h := &hyper{beta1: 0.9, momDecay: 4e-3}
	var mp muProduct
	want := float32(1)
	for step := int64(1); step <= 50; step++ {
		mp = mp.advance(h, step)
		want *= float32(nadamMomentum(h, step))
		if mp.prod != want || mp.step != step {
			t.Fatalf("step %d: product %v (step %d), want %v", step, mp.prod, mp.step, want)
		}
	}
	if again := (muProduct{}).advance(h, 50); again != mp {
		t.Fatalf("recomputed %+v, advanced %+v", again, mp)
	}
	if f64 := nadamMomentum(h, 1) * nadamMomentum(h, 2) * nadamMomentum(h, 3); float64(muProduct{}.advance(h, 3).prod) == f64 {
		t.Fatalf("the float32 product equals the float64 one; the test cannot tell them apart")
	}
}

// TestOneCycleMomentum: OneCycleLR cycles the momentum of solvers that
// have one (the goldens check the values against torch); for the others,
// or SGD without momentum, Step is an error that changes nothing, unless
// FixedMomentum is set.
func TestOneCycleMomentum(t *testing.T) {
	oc := OneCycleLR{TotalSteps: 10}
	for _, c := range []struct {
		name string
		mk   func(...Option) (Solver, error)
		opts []Option
		want string
	}{
		{"Adagrad", func(o ...Option) (Solver, error) { return NewAdagrad(o...) }, nil, "Adagrad has none"},
		{"Adadelta", func(o ...Option) (Solver, error) { return NewAdadelta(o...) }, nil, "Adadelta has none"},
		{"SGD", func(o ...Option) (Solver, error) { return NewSGD(o...) }, []Option{WithLearnRate(0.1)}, `parameter "w" has momentum 0`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.mk(append(c.opts, WithSchedule(oc))...)
			if err != nil {
				t.Fatal(err)
			}
			tr := newTrainer(tensor.Float64)
			before := values(tr.ps[0].val)
			err = s.Step(tr.model())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one containing %q", err, c.want)
			}
			if got := values(tr.ps[0].val); got[0] != before[0] || s.Steps() != 0 {
				t.Fatalf("a failed Step changed the solver or the parameters")
			}
			fixed := oc
			fixed.FixedMomentum = true
			s, err = c.mk(append(c.opts, WithSchedule(fixed))...)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Step(tr.model()); err != nil {
				t.Fatalf("FixedMomentum: %v", err)
			}
		})
	}
	// CyclicLR cycles only a momentum option, as torch's (which refuses
	// Adam with cycle_momentum).
	ad, err := NewAdam(WithSchedule(CyclicLR{MaxLR: 0.1}))
	if err != nil {
		t.Fatal(err)
	}
	if err := ad.Step(newTrainer(tensor.Float64).model()); err == nil || !strings.Contains(err.Error(), "has betas, not a momentum") {
		t.Fatalf("Adam with CyclicLR: err %v", err)
	}
	// The user's own β1 is restored after every step.
	a, err := NewAdam(WithBetas(0.5, 0.9), WithSchedule(oc))
	if err != nil {
		t.Fatal(err)
	}
	tr := newTrainer(tensor.Float32)
	tr.steps(t, a, 3)
	if a.cfg.beta1 != 0.5 {
		t.Fatalf("β1 %v after cycled steps, want the configured 0.5", a.cfg.beta1)
	}
	if m, _ := oc.momentum(0); m != 0.95 {
		t.Fatalf("momentum at step 0 %v, want MaxMomentum 0.95", m)
	}
}

// breadthKernelCase is a configuration of one of the four solvers whose
// vector kernel is checked against its Go loop.
type breadthKernelCase struct {
	name string
	mk   func() Solver
}

func breadthKernelCases(t *testing.T) []breadthKernelCase {
	mk := func(name string, opts ...Option) func() Solver {
		return func() Solver { return newSolver(t, name, opts) }
	}
	return []breadthKernelCase{
		{"Adadelta", mk("adadelta", WithWeightDecay(0.1), WithRho(0.7))},
		{"Adadelta/maximize", mk("adadelta", WithMaximize(true))},
		{"Adamax", mk("adamax", WithLearnRate(0.01), WithWeightDecay(0.1))},
		{"NAdam", mk("nadam", WithLearnRate(0.01), WithWeightDecay(0.1), WithMomentumDecay(0.1))},
		{"RAdam", mk("radam", WithLearnRate(0.01), WithWeightDecay(0.1))},
		{"RAdam/betas", mk("radam", WithLearnRate(0.01), WithBetas(0.8, 0.9))},
	}
}

// TestBreadthKernelsBitIdentical runs each of the four solvers' updates as
// Step runs them (vector kernel over the bulk, Go loop over the tail)
// against the Go loop alone, for lengths covering every tail of 8- and
// 16-lane vectors, on steps 1 to 8 (RAdam switches to its rectified
// kernel at step 6), with zero, huge, tiny and NaN gradients: every bit of
// the parameters and buffers must agree (any NaN matching any NaN).
func TestBreadthKernelsBitIdentical(t *testing.T) {
	t.Logf("vector kernels: %s", breadthKernels)
	t.Run("float32", testBreadthKernels[float32])
	t.Run("float64", testBreadthKernels[float64])
}

func testBreadthKernels[T num.Float](t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	same := func(a, b T) bool {
		return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) || (a != a && b != b)
	}
	for _, kc := range breadthKernelCases(t) {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1003} {
			b := baseOfBreadth(kc.mk())
			vec, loop := breadthKernelOf[T](b, true), breadthKernelOf[T](b, false)
			ps := &param{name: "p", hp: &b.cfg.hyper, dtype: num.Dtype[T](), n: n}
			ps2 := &param{name: "p", hp: &b.cfg.hyper, dtype: num.Dtype[T](), n: n}
			p, g, bufs := kernelData[T](rng, n, b.alg.nbuf(&b.cfg.hyper))
			for i := 5; i < n; i += 13 {
				g[i] = T(math.NaN()) // NaN must propagate the same way
			}
			p2, bufs2 := clone(p), cloneAll(bufs)
			for step := int64(1); step <= 8; step++ {
				ps.step, ps2.step = step, step
				vec.set(ps, p, g, bufs, 0.01, 0.7)
				vec.Range(0, 0, n)
				loop.set(ps2, p2, g, bufs2, 0.01, 0.7)
				loop.Range(0, 0, n)
				for i := range p {
					if !same(p[i], p2[i]) {
						t.Fatalf("%s n=%d step %d: θ[%d] vector %v, loop %v", kc.name, n, step, i, p[i], p2[i])
					}
					for j := range bufs {
						if !same(bufs[j][i], bufs2[j][i]) {
							t.Fatalf("%s n=%d step %d: buffer %d [%d] vector %v, loop %v", kc.name, n, step, j, i, bufs[j][i], bufs2[j][i])
						}
					}
				}
			}
		}
	}
}

func baseOfBreadth(s Solver) *base {
	switch s := s.(type) {
	case *Adadelta:
		return &s.base
	case *Adamax:
		return &s.base
	case *NAdam:
		return &s.base
	case *RAdam:
		return &s.base
	}
	panic("baseOfBreadth")
}

// breadthKernelOf returns a fresh kernel of b's algorithm for T, with its
// vector kernels or without (the Go loop alone).
func breadthKernelOf[T num.Float](b *base, withVec bool) kernel[T] {
	var k any = b.k64
	if num.Is32[T]() {
		k = b.k32
	}
	vec := bvecFor[T]()
	if !withVec {
		vec = &breadthVec[T]{}
	}
	switch k.(type) {
	case *adadeltaKernel[T]:
		return &adadeltaKernel[T]{vec: vec}
	case *adamaxKernel[T]:
		return &adamaxKernel[T]{vec: vec}
	case *nadamKernel[T]:
		nk := newNAdamKernel[T]()
		nk.vec = vec
		return nk
	case *radamKernel[T]:
		return &radamKernel[T]{vec: vec}
	}
	panic("breadthKernelOf")
}
