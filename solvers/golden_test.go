package solvers

import (
	"sort"
	"testing"

	"github.com/stheno-ml/stheno/solvers/solvertest"
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

func scheduleFromSpec(t testing.TB, s map[string]any) Schedule {
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

func optionsFromSpec(t testing.TB, c *solvertest.Case) []Option {
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
		case "rho":
			opts = append(opts, WithRho(v.(float64)))
		case "momentum_decay":
			opts = append(opts, WithMomentumDecay(v.(float64)))
		default:
			t.Fatalf("unknown option %q", k)
		}
	}
	if s := scheduleFromSpec(t, c.Schedule); s != nil {
		opts = append(opts, WithSchedule(s))
	}
	if c.Clip != 0 {
		opts = append(opts, WithClipGradNorm(c.Clip))
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
	case "adadelta":
		s, err = NewAdadelta(opts...)
	case "adamax":
		s, err = NewAdamax(opts...)
	case "nadam":
		s, err = NewNAdam(opts...)
	case "radam":
		s, err = NewRAdam(opts...)
	default:
		t.Fatalf("unknown solver %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// factory builds this package's solver for a solvertest case.
func factory(t *testing.T) solvertest.Factory {
	return func(c *solvertest.Case) (gorgonia.Solver, error) {
		return newSolver(t, c.Solver, optionsFromSpec(t, c)), nil
	}
}
