// Package solvertest is a conformance suite for gorgonia.Solvers: it
// replays the torch.optim (PyTorch 1.13) trajectories that Stheno ships —
// every solver of package solvers with every option, learning-rate
// schedules, gradient clipping, float64 and float32 — against any
// gorgonia.Solver a factory builds for them, as gonum's testlapack does for
// LAPACK implementations.
//
// A test of a solver of one's own:
//
//	func TestConformance(t *testing.T) {
//		solvertest.Run(t, func(c *solvertest.Case) (gorgonia.Solver, error) {
//			if c.Solver != "sgd" || len(c.Options) != 1 || c.Schedule != nil || c.Clip != 0 {
//				return nil, nil // only plain SGD: skip the rest
//			}
//			return NewMySGD(c.Options["lr"].(float64)), nil
//		}, solvertest.Cases("sgd"))
//	}
//
// The golden files are embedded (testdata/*.json) and written by
// tools/golden/solvers.py, solvers_f32.py, solvers_breadth.py and
// solvers_breadth_f32.py in Stheno's repository.
package solvertest

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

//go:embed testdata/*.json
var files embed.FS

// Case is one torch.optim trajectory: the parameters' initial values, the
// gradient of every step and the parameters after every step, as PyTorch
// 1.13 computed them (single-tensor path, foreach=False).
type Case struct {
	// Name identifies the case: golden file and index, e.g. "adam.json/3".
	Name string
	// Solver is the torch.optim class in lower case: "sgd", "adam",
	// "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam" or
	// "radam".
	Solver string
	// Dtype is tensor.Float64 or tensor.Float32.
	Dtype tensor.Dtype
	// Options are the keyword arguments given to the torch.optim
	// constructor besides foreach=False (lr, momentum, betas, ...), as
	// decoded from JSON: numbers are float64, betas a []any of two float64.
	Options map[string]any
	// Schedule describes the lr scheduler stepped after every step, or is
	// nil: {"type": "step", "step_size", "gamma"}, {"type": "cosine",
	// "t_max", "eta_min"}, {"type": "linear", "start", "end", "total"},
	// {"type": "warmup_cosine", "start", "warmup", "t_max", "eta_min"}
	// (LinearLR to 1 then CosineAnnealingLR in a SequentialLR).
	Schedule map[string]any
	// Clip is the max_norm of torch.nn.utils.clip_grad_norm_ applied to the
	// gradients before every step, 0 for none.
	Clip float64
	// Params are the parameters, updated together by each step.
	Params []Param
	// Steps is the number of steps.
	Steps int
	// LRs[k] is the learning rate of the first parameter group at step k
	// (param_groups[0]["lr"] before the step).
	LRs []float64
	// Tol is the tolerance Run applies: |got − want| ≤ Tol·max(1, |want|)
	// for every element. Tol 0 asks for the same bits as PyTorch. Run's
	// callers may relax it.
	Tol float64

	grad   func(k, i int) []float64
	want   [][]tensorData // want[k][i], the values after step k
	hashes [][]uint32     // hashes[k][i]: bitsHash of parameter i after step k, if recorded
}

// Param is one parameter of a Case.
type Param struct {
	Name  string
	Shape []int
	Init  []float64 // initial values, in the case's dtype
}

// tensorData holds values of some elements of a parameter: all of them
// when idx is nil.
type tensorData struct {
	idx  []int
	vals []float64
}

// Grad returns the gradient of parameter i at step k.
func (c *Case) Grad(k, i int) []float64 { return c.grad(k, i) }

// Want returns the values of parameter i after step k that the case
// records: at the indices idx, or all of them when idx is nil.
func (c *Case) Want(k, i int) (idx []int, vals []float64) {
	d := c.want[k][i]
	return d.idx, d.vals
}

// String returns a short description of the case.
func (c *Case) String() string {
	keys := make([]string, 0, len(c.Options))
	for k := range c.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s/%v", c.Name, c.Solver, c.Dtype)
	for _, k := range keys {
		fmt.Fprintf(&b, "/%s=%v", k, c.Options[k])
	}
	if c.Schedule != nil {
		fmt.Fprintf(&b, "/sched=%v", c.Schedule["type"])
	}
	if c.Clip != 0 {
		fmt.Fprintf(&b, "/clip=%v", c.Clip)
	}
	return b.String()
}

// file is the JSON layout of a golden file: either explicit data (shapes,
// init, grads, and every element of every parameter after each step in
// params) or generated data (generated; the cases then record a hash of
// every parameter after each step and the values of a few elements).
type file struct {
	Shapes    map[string][]int       `json:"shapes"`
	Init      map[string][]float64   `json:"init"`
	Grads     []map[string][]float64 `json:"grads"`
	Generated *generated             `json:"generated"`
	Cases     []struct {
		Solver   string                 `json:"solver"`
		Dtype    string                 `json:"dtype"`
		Options  map[string]any         `json:"options"`
		Schedule map[string]any         `json:"schedule"`
		Clip     *float64               `json:"clip"`
		Exact    bool                   `json:"exact"`
		LRs      []float64              `json:"lrs"`
		Params   []map[string][]float64 `json:"params"`
		Hashes   [][]string             `json:"hashes"`
		Values   [][][]float64          `json:"values"`
	} `json:"cases"`
}

// Cases returns the shipped cases of the given torch.optim solvers ("sgd",
// "adam", ...), or all of them when none is given, in a fixed order.
func Cases(solvers ...string) []*Case {
	want := map[string]bool{}
	for _, s := range solvers {
		want[s] = true
	}
	names, err := files.ReadDir("testdata")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	var out []*Case
	for _, e := range names {
		cs, err := load(path.Join("testdata", e.Name()))
		if err != nil {
			panic(err) // embedded files are checked by this package's tests
		}
		for _, c := range cs {
			if len(want) == 0 || want[c.Solver] {
				out = append(out, c)
			}
		}
	}
	return out
}

func load(name string) ([]*Case, error) {
	raw, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Generated != nil {
		return loadGenerated(name, &f)
	}
	pnames := make([]string, 0, len(f.Shapes))
	for n := range f.Shapes {
		pnames = append(pnames, n)
	}
	sort.Strings(pnames)
	var out []*Case
	for ci, fc := range f.Cases {
		c := &Case{Name: fmt.Sprintf("%s/%d", path.Base(name), ci), Solver: fc.Solver, Options: fc.Options,
			Schedule: fc.Schedule, LRs: fc.LRs, Steps: len(fc.Params)}
		if err := c.setDtype(fc.Dtype, fc.Exact); err != nil {
			return nil, fmt.Errorf("%s: case %d: %w", name, ci, err)
		}
		if fc.Clip != nil {
			c.Clip = *fc.Clip
		}
		for _, n := range pnames {
			c.Params = append(c.Params, Param{Name: n, Shape: f.Shapes[n], Init: rounded(c.Dtype, f.Init[n])})
		}
		if len(f.Grads) < c.Steps || len(c.LRs) != c.Steps {
			return nil, fmt.Errorf("%s: case %d: %d steps, %d gradients, %d learning rates", name, ci, c.Steps, len(f.Grads), len(c.LRs))
		}
		grads := make([][][]float64, c.Steps)
		for k := 0; k < c.Steps; k++ {
			var ws []tensorData
			for _, n := range pnames {
				grads[k] = append(grads[k], rounded(c.Dtype, f.Grads[k][n]))
				ws = append(ws, tensorData{vals: fc.Params[k][n]})
			}
			c.want = append(c.want, ws)
		}
		c.grad = func(k, i int) []float64 { return grads[k][i] }
		out = append(out, c)
	}
	return out, nil
}

func (c *Case) setDtype(dt string, exact bool) error {
	switch dt {
	case "float64":
		c.Dtype, c.Tol = tensor.Float64, 1e-10
	case "float32":
		c.Dtype, c.Tol = tensor.Float32, 1e-5
	default:
		return fmt.Errorf("dtype %q", dt)
	}
	if exact {
		c.Tol = 0
	}
	return nil
}

// rounded returns v rounded to dt, as the generator fed it to PyTorch.
func rounded(dt tensor.Dtype, v []float64) []float64 {
	out := append([]float64(nil), v...)
	if dt == tensor.Float32 {
		for i := range out {
			out[i] = float64(float32(out[i]))
		}
	}
	return out
}

// Factory returns the solver under test for c, configured as c's Options,
// Schedule and Clip say. It returns a nil solver and a nil error to skip a
// case it does not support; Run logs the skip.
type Factory func(c *Case) (gorgonia.Solver, error)

// Scheduled is implemented by solvers that report the learning rate their
// next Step uses (every solvers.Solver does). Run then checks it against
// PyTorch's before every step.
type Scheduled interface {
	ScheduledLR() float64
}

// Run replays every case as a subtest: it builds the case's solver with f,
// sets the gradients of each step, calls Step, and compares every recorded
// element of every parameter with PyTorch's within the case's Tol (the
// same bits when Tol is 0, when every element of a parameter is checked
// through a hash of its bits if the case records one), and the scheduled
// learning rate when the solver reports it.
func Run(t *testing.T, f Factory, cases []*Case) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("solvertest.Run: no cases")
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) { run(t, f, c) })
	}
}

func run(t *testing.T, f Factory, c *Case) {
	s, err := f(c)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	if s == nil {
		t.Skip("factory skipped the case")
	}
	sched, hasLR := s.(Scheduled)
	if !hasLR {
		t.Logf("%T does not implement solvertest.Scheduled: learning rates not checked", s)
	}
	model := make([]gorgonia.ValueGrad, len(c.Params))
	ps := make([]*param, len(c.Params))
	for i, p := range c.Params {
		ps[i] = newParam(p.Name, c.Dtype, p.Shape, p.Init)
		model[i] = ps[i]
	}
	for k := 0; k < c.Steps; k++ {
		if hasLR {
			if lr := sched.ScheduledLR(); !close(lr, c.LRs[k], 1e-12) {
				t.Fatalf("step %d: scheduled lr %v, torch %v", k, lr, c.LRs[k])
			}
		}
		for i, p := range ps {
			p.setGrad(c.Grad(k, i))
		}
		if err := s.Step(model); err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
		for i, p := range ps {
			if c.Tol == 0 && c.hashes != nil {
				if h := bitsHash(p.val.Float32s()); h != c.hashes[k][i] {
					t.Fatalf("step %d: %s: the bits differ from PyTorch's (hash %08x, torch %08x)", k, p.name, h, c.hashes[k][i])
				}
			}
			idx, want := c.Want(k, i)
			for j, w := range want {
				e := j
				if idx != nil {
					e = idx[j]
				}
				if c.Dtype == tensor.Float32 {
					w = float64(float32(w)) // stored as the shortest decimal
				}
				if got := p.at(e); !close(got, w, c.Tol) {
					t.Fatalf("step %d: %s[%d] = %.9g (bits %#x), torch %.9g (bits %#x), tolerance %g",
						k, p.name, e, got, bits(c.Dtype, got), w, bits(c.Dtype, w), c.Tol)
				}
			}
		}
	}
}

// close reports whether got is within tol of want relative to max(1,
// |want|); tol 0 asks for equality (NaN equals NaN).
func close(got, want, tol float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if tol == 0 {
		return got == want && math.Signbit(got) == math.Signbit(want)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func bits(dt tensor.Dtype, x float64) uint64 {
	if dt == tensor.Float32 {
		return uint64(math.Float32bits(float32(x)))
	}
	return math.Float64bits(x)
}

// param is a named parameter with an explicit gradient: the
// gorgonia.ValueGrad Run hands the solver.
type param struct {
	name      string
	val, grad *tensor.Dense
}

func newParam(name string, dt tensor.Dtype, shape []int, init []float64) *param {
	p := &param{name: name,
		val:  tensor.New(tensor.Of(dt), tensor.WithShape(shape...)),
		grad: tensor.New(tensor.Of(dt), tensor.WithShape(shape...))}
	fill(p.val, init)
	return p
}

func (p *param) Name() string                  { return p.name }
func (p *param) Value() gorgonia.Value         { return p.val }
func (p *param) Grad() (gorgonia.Value, error) { return p.grad, nil }
func (p *param) setGrad(g []float64)           { fill(p.grad, g) }

func (p *param) at(i int) float64 {
	if p.val.Dtype() == tensor.Float32 {
		return float64(p.val.Float32s()[i])
	}
	return p.val.Float64s()[i]
}

func fill(t *tensor.Dense, v []float64) {
	if t.Dtype() == tensor.Float32 {
		d := t.Float32s()
		for i := range d {
			d[i] = float32(v[i])
		}
		return
	}
	copy(t.Float64s(), v)
}
