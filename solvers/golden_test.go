package solvers

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// testParam is a minimal gorgonia.ValueGrad: a named value and gradient.
type testParam struct {
	name      string
	val, grad *tensor.Dense
}

func (p *testParam) Name() string                  { return p.name }
func (p *testParam) Value() gorgonia.Value         { return p.val }
func (p *testParam) Grad() (gorgonia.Value, error) { return p.grad, nil }
func (p *testParam) Shape() tensor.Shape           { return p.val.Shape() }
func (p *testParam) Dtype() tensor.Dtype           { return p.val.Dtype() }
func (p *testParam) Uintptr() uintptr              { return p.val.Uintptr() }
func (p *testParam) MemSize() uintptr              { return p.val.MemSize() }
func (p *testParam) setGrad(g []float64)           { fill(p.grad, g) }
func newTestParam(name string, dt tensor.Dtype, shape []int, init []float64) *testParam {
	p := &testParam{name: name,
		val:  tensor.New(tensor.Of(dt), tensor.WithShape(shape...)),
		grad: tensor.New(tensor.Of(dt), tensor.WithShape(shape...))}
	fill(p.val, init)
	return p
}

func fill(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

func values(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i := range d {
			out[i] = float64(d[i])
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

type goldenCase struct {
	Solver   string                 `json:"solver"`
	Dtype    string                 `json:"dtype"`
	Options  map[string]interface{} `json:"options"`
	Schedule map[string]interface{} `json:"schedule"`
	Clip     *float64               `json:"clip"`
	LRs      []float64              `json:"lrs"`
	Params   []map[string][]float64 `json:"params"`
}

type goldenFile struct {
	Shapes map[string][]int       `json:"shapes"`
	Init   map[string][]float64   `json:"init"`
	Grads  []map[string][]float64 `json:"grads"`
	Cases  []goldenCase           `json:"cases"`
}

func loadGolden(t testing.TB, name string) goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func scheduleFromSpec(t testing.TB, s map[string]interface{}) Schedule {
	if s == nil {
		return nil
	}
	f := func(k string) float64 { return s[k].(float64) }
	i := func(k string) int { return int(s[k].(float64)) }
	switch s["type"] {
	case "step":
		return StepLR(i("step_size"), f("gamma"))
	case "cosine":
		return CosineAnnealingLR(i("t_max"), f("eta_min"))
	case "linear":
		return LinearLR(f("start"), f("end"), i("total"))
	case "warmup_cosine":
		return Sequential([]Schedule{LinearWarmup(f("start"), i("warmup")), CosineAnnealingLR(i("t_max"), f("eta_min"))}, []int{i("warmup")})
	}
	t.Fatalf("unknown schedule %v", s)
	return nil
}

func optionsFromSpec(t testing.TB, c goldenCase) []Option {
	var opts []Option
	keys := make([]string, 0, len(c.Options))
	for k := range c.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := c.Options[k]
		switch k {
		case "lr":
			opts = append(opts, WithLearnRate(v.(float64)))
		case "momentum":
			opts = append(opts, WithMomentum(v.(float64)))
		case "dampening":
			opts = append(opts, WithDampening(v.(float64)))
		case "nesterov":
			opts = append(opts, WithNesterov(v.(bool)))
		case "weight_decay":
			opts = append(opts, WithWeightDecay(v.(float64)))
		case "maximize":
			opts = append(opts, WithMaximize(v.(bool)))
		case "amsgrad":
			opts = append(opts, WithAMSGrad(v.(bool)))
		case "betas":
			b := v.([]interface{})
			opts = append(opts, WithBetas(b[0].(float64), b[1].(float64)))
		case "eps":
			opts = append(opts, WithEps(v.(float64)))
		case "alpha":
			opts = append(opts, WithAlpha(v.(float64)))
		case "centered":
			opts = append(opts, WithCentered(v.(bool)))
		case "lr_decay":
			opts = append(opts, WithLRDecay(v.(float64)))
		case "initial_accumulator_value":
			opts = append(opts, WithInitialAccumulatorValue(v.(float64)))
		default:
			t.Fatalf("unknown option %q", k)
		}
	}
	if s := scheduleFromSpec(t, c.Schedule); s != nil {
		opts = append(opts, WithSchedule(s))
	}
	if c.Clip != nil {
		opts = append(opts, WithClipGradNorm(*c.Clip))
	}
	return opts
}

func newSolver(t testing.TB, name string, opts []Option) Solver {
	t.Helper()
	var s Solver
	var err error
	switch name {
	case "sgd":
		s, err = NewSGD(opts...)
	case "adam":
		s, err = NewAdam(opts...)
	case "adamw":
		s, err = NewAdamW(opts...)
	case "rmsprop":
		s, err = NewRMSProp(opts...)
	case "adagrad":
		s, err = NewAdagrad(opts...)
	default:
		t.Fatalf("unknown solver %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// closeEnough compares to a relative tolerance tol, with an absolute floor
// of tol for values near zero.
func closeEnough(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func replayGolden(t *testing.T, file string) {
	g := loadGolden(t, file)
	names := []string{"mat", "vec"}
	for ci, c := range g.Cases {
		t.Run(fmt.Sprintf("%d/%s/%s/%v/sched=%v/clip=%v", ci, c.Solver, c.Dtype, c.Options, c.Schedule != nil, c.Clip != nil), func(t *testing.T) {
			dt, tol := tensor.Float64, 1e-10
			if c.Dtype == "float32" {
				dt, tol = tensor.Float32, 1e-5
			}
			s := newSolver(t, c.Solver, optionsFromSpec(t, c))
			ps := map[string]*testParam{}
			var model []gorgonia.ValueGrad
			for _, n := range names {
				ps[n] = newTestParam(n, dt, g.Shapes[n], g.Init[n])
				model = append(model, ps[n])
			}
			for k, want := range c.Params {
				if sl, ok := s.(interface{ ScheduledLR() float64 }); ok && !closeEnough(sl.ScheduledLR(), c.LRs[k], 1e-12) {
					t.Fatalf("step %d: scheduled lr %v, torch %v", k, sl.ScheduledLR(), c.LRs[k])
				}
				for _, n := range names {
					ps[n].setGrad(g.Grads[k][n])
				}
				if err := s.Step(model); err != nil {
					t.Fatal(err)
				}
				for _, n := range names {
					got := values(ps[n].val)
					for i := range got {
						if !closeEnough(got[i], want[n][i], tol) {
							t.Fatalf("step %d: %s[%d] = %.17g, torch %.17g", k, n, i, got[i], want[n][i])
						}
					}
				}
			}
		})
	}
}

// TestGoldenExtras replays schedules, gradient clipping and default
// options (tools/golden/solvers.py).
func TestGoldenExtras(t *testing.T) { replayGolden(t, "extras.json") }
