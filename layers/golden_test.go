package layers

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// goldenArr is a tensor in a golden file.
type goldenArr struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// goldenCase is one case written by tools/golden/layers.py.
type goldenCase struct {
	Name         string               `json:"name"`
	Layer        string               `json:"layer"`
	Dtype        string               `json:"dtype"`
	Train        bool                 `json:"train"`
	Cfg          map[string]any       `json:"cfg"`
	X            goldenArr            `json:"x"`
	R            goldenArr            `json:"r"`
	Params       map[string]goldenArr `json:"params"`
	Buffers      map[string]goldenArr `json:"buffers"`
	Out          goldenArr            `json:"out"`
	GradX        goldenArr            `json:"grad_x"`
	Grads        map[string]goldenArr `json:"grads"`
	BuffersAfter map[string]goldenArr `json:"buffers_after"`
	Attrs        map[string]any       `json:"attrs"`
	Indices      goldenArr            `json:"indices"`
}

func loadGolden(t *testing.T, file string) []goldenCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s: no cases", file)
	}
	return f.Cases
}

func (c *goldenCase) dtype() tensor.Dtype {
	if c.Dtype == "float32" {
		return tensor.Float32
	}
	return tensor.Float64
}

func (c *goldenCase) cfg(key string) int { f, _ := c.Cfg[key].(float64); return int(f) }

// opt is the setting key of the case: unset when the generator did not pass it to PyTorch.
func (c *goldenCase) opt(key string) Opt[float64] {
	if v, ok := c.Cfg[key].(float64); ok {
		return Set(v)
	}
	return Opt[float64]{}
}

// hw is the (height, width) setting key of the case; the zero pair when absent.
func (c *goldenCase) hw(key string) [2]int {
	v, _ := c.Cfg[key].([]any)
	if len(v) != 2 {
		return [2]int{}
	}
	a, _ := v[0].(float64)
	b, _ := v[1].(float64)
	return [2]int{int(a), int(b)}
}

// sq is the int form of the (height, width) setting key when both are equal (else 0: the
// caller then uses the pair).
func (c *goldenCase) sq(key string) int {
	p := c.hw(key)
	if p[0] != p[1] {
		return 0
	}
	return p[0]
}

// module builds the layer a golden case describes.
func (c *goldenCase) module(t *testing.T) graph.Module {
	switch c.Layer {
	case "Linear":
		return Linear{In: c.cfg("in"), Out: c.cfg("out"), NoBias: c.cfg("nobias") == 1}
	case "Conv2D":
		return Conv2D{In: c.cfg("in"), Out: c.cfg("out"), Kernel: c.cfg("kernel"), Stride: c.cfg("stride"),
			Padding: c.cfg("padding"), NoBias: c.cfg("nobias") == 1}
	case "MaxPool2D":
		return MaxPool2D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding")}
	case "AvgPool2D":
		return AvgPool2D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding")}
	case "BatchNorm1D":
		return BatchNorm1D{Features: c.cfg("features"), Eps: c.opt("eps"), Momentum: c.opt("momentum"), CumulativeAverage: c.cfg("cumulative") == 1,
			NoAffine: c.cfg("noaffine") == 1, NoRunningStats: c.cfg("norunning") == 1}
	case "BatchNorm2D":
		return BatchNorm2D{Features: c.cfg("features"), Eps: c.opt("eps"), Momentum: c.opt("momentum"), CumulativeAverage: c.cfg("cumulative") == 1,
			NoAffine: c.cfg("noaffine") == 1, NoRunningStats: c.cfg("norunning") == 1}
	case "ReLU":
		return ReLU{}
	case "LeakyReLU":
		return LeakyReLU{Slope: c.opt("slope")}
	case "Tanh":
		return Tanh{}
	case "Sigmoid":
		return Sigmoid{}
	case "GELU":
		return GELU{}
	case "Flatten":
		return Flatten{}
	case "Conv2DOpt":
		mode, _ := c.Cfg["padding_mode"].(string)
		l := Conv2D{In: c.cfg("in"), Out: c.cfg("out"), Groups: c.cfg("groups"), Same: c.cfg("same") == 1, NoBias: c.cfg("nobias") == 1,
			PaddingMode: mode}
		if c.cfg("sq") == 1 {
			l.Kernel, l.Stride, l.Padding, l.Dilation = c.sq("kernel"), c.sq("stride"), c.sq("padding"), c.sq("dilation")
		} else {
			l.KernelHW, l.StrideHW, l.PaddingHW, l.DilationHW = c.hw("kernel"), c.hw("stride"), c.hw("padding"), c.hw("dilation")
		}
		return l
	case "MaxPool2DOpt":
		return MaxPool2D{KernelHW: c.hw("kernel"), StrideHW: c.hw("stride"), PaddingHW: c.hw("padding"),
			DilationHW: c.hw("dilation"), CeilMode: c.cfg("ceil") == 1}
	case "AvgPool2DOpt":
		return AvgPool2D{KernelHW: c.hw("kernel"), StrideHW: c.hw("stride"), PaddingHW: c.hw("padding"),
			CeilMode: c.cfg("ceil") == 1, ExcludePad: c.cfg("exclude_pad") == 1, DivisorOverride: c.cfg("divisor")}
	case "GELUOpt":
		a, _ := c.Cfg["approximate"].(string)
		return GELU{Approximate: a}
	case "FlattenOpt":
		return Flatten{StartDim: Set(c.cfg("start")), EndDim: Set(c.cfg("end"))}
	case "MobileNetBlock":
		return Sequential{Conv2D{In: 4, Out: 4, Kernel: 3, Padding: 1, Groups: 4, NoBias: true}, BatchNorm2D{Features: 4}, ReLU{},
			Conv2D{In: 4, Out: 8, Kernel: 1, NoBias: true}, BatchNorm2D{Features: 8}, ReLU{}}
	case "ResNetStem":
		return Sequential{Conv2D{In: 3, Out: 4, Kernel: 7, Stride: 2, Padding: 3, NoBias: true}, BatchNorm2D{Features: 4}, ReLU{},
			MaxPool2D{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true}}
	case "Pad":
		var p [4]int
		for i, v := range c.Cfg["padding"].([]any) {
			p[i] = int(v.(float64))
		}
		switch c.Cfg["mode"] {
		case "zero":
			return ZeroPad2D{PaddingLRTB: p}
		case "constant":
			return ConstantPad2D{PaddingLRTB: p, Value: c.Cfg["value"].(float64)}
		case "reflect":
			return ReflectionPad2D{PaddingLRTB: p}
		case "replicate":
			return ReplicationPad2D{PaddingLRTB: p}
		}
	case "AdaptiveAvgPool2D":
		if c.cfg("sq") == 1 {
			return AdaptiveAvgPool2D{OutputSize: c.sq("out")}
		}
		return AdaptiveAvgPool2D{OutputSizeHW: c.hw("out")}
	case "AdaptiveMaxPool2D":
		if c.cfg("sq") == 1 {
			return AdaptiveMaxPool2D{OutputSize: c.sq("out")}
		}
		return AdaptiveMaxPool2D{OutputSizeHW: c.hw("out")}
	case "PoolUnpool":
		return poolUnpool{
			MaxPool2D{KernelHW: c.hw("kernel"), StrideHW: c.hw("stride"), PaddingHW: c.hw("padding"), CeilMode: c.cfg("ceil") == 1},
			MaxUnpool2D{KernelHW: c.hw("kernel"), StrideHW: c.hw("stride"), PaddingHW: c.hw("padding"), OutputSizeHW: c.hw("size")}}
	case "PoolUnpool1D":
		return poolUnpool1D{
			MaxPool1D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding"), Dilation: c.cfg("dilation"), CeilMode: c.cfg("ceil") == 1},
			MaxUnpool1D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding"), OutputSize: c.cfg("size")}}
	case "Conv1D":
		mode, _ := c.Cfg["padding_mode"].(string)
		return Conv1D{In: c.cfg("in"), Out: c.cfg("out"), Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding"),
			Dilation: c.cfg("dilation"), Groups: c.cfg("groups"), Same: c.cfg("same") == 1, PaddingMode: mode, NoBias: c.cfg("nobias") == 1}
	case "MaxPool1D":
		return MaxPool1D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding"), Dilation: c.cfg("dilation"), CeilMode: c.cfg("ceil") == 1}
	case "AvgPool1D":
		return AvgPool1D{Kernel: c.cfg("kernel"), Stride: c.cfg("stride"), Padding: c.cfg("padding"), CeilMode: c.cfg("ceil") == 1, ExcludePad: c.cfg("exclude_pad") == 1}
	case "MLP":
		return Sequential{Linear{In: 6, Out: 5}, ReLU{}, Linear{In: 5, Out: 3}}
	case "CNN":
		return Sequential{Conv2D{In: 1, Out: 3, Kernel: 3, Padding: 1}, BatchNorm2D{Features: 3}, ReLU{},
			MaxPool2D{Kernel: 2}, Flatten{}, Linear{In: 48, Out: 4}}
	}
	t.Fatalf("unknown layer %q", c.Layer)
	return nil
}

// denseFrom makes a tensor of dtype dt from a golden array.
func denseFrom(dt tensor.Dtype, a goldenArr) *tensor.Dense {
	shape := tensor.Shape(append([]int(nil), a.Shape...))
	if len(shape) == 0 {
		shape = tensor.Shape{1}
	}
	if dt == tensor.Float32 {
		f := make([]float32, len(a.Data))
		for i, v := range a.Data {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), a.Data...)))
}

// float64s returns the values of a tensor as float64.
func float64s(v gorgonia.Value) []float64 {
	if r := golden.Values(v); r != nil {
		return r
	}
	panic("unexpected data")
}

// checkClose compares got with want under golden's tolerance rule for dt. A want that is zero
// up to rounding (all |values| < 1e-6, e.g. the gradient of a bias feeding a BatchNorm, which is
// exactly zero mathematically) is compared absolutely instead: |got| must be below 1e-12 in
// float64 and 1e-5 in float32.
func checkClose(t *testing.T, what string, got gorgonia.Value, want goldenArr, dt tensor.Dtype) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no value", what)
		return
	}
	shape := tensor.Shape(want.Shape)
	if len(shape) == 0 {
		shape = tensor.Shape{1}
	}
	if gs := got.Shape(); !gs.Eq(shape) && !(gs.IsScalar() && shape.TotalSize() == 1) {
		t.Errorf("%s: shape %v, want %v", what, gs, shape)
		return
	}
	g := float64s(got)
	if zeroish(want.Data, 1e-6) {
		lim := 1e-12
		if dt == tensor.Float32 {
			lim = 1e-5
		}
		if !zeroish(g, lim) {
			t.Errorf("%s: got %v, want zero up to rounding (%v)", what, g, want.Data)
		}
		return
	}
	if err := golden.Close(g, want.Data, dt); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// zeroish reports whether every |v| < lim.
func zeroish(vs []float64, lim float64) bool {
	for _, v := range vs {
		if !(math.Abs(v) < lim) {
			return false
		}
	}
	return true
}

// lossGraph is a layer built on a fresh graph with loss sum(out * r) and its gradients.
type lossGraph struct {
	g      *gorgonia.ExprGraph
	s      *graph.Store
	b      *graph.Builder
	x, out *gorgonia.Node
	loss   *gorgonia.Node
	wrt    gorgonia.Nodes // x then the learnables
	grads  gorgonia.Nodes
	vm     gorgonia.VM
	xValue *tensor.Dense
	rValue *tensor.Dense
}

func buildLoss(t *testing.T, m graph.Module, dt tensor.Dtype, train bool, x, r *tensor.Dense) *lossGraph {
	t.Helper()
	lg := &lossGraph{g: gorgonia.NewGraph(), s: graph.NewStore(dt, 1), xValue: x, rValue: r}
	lg.b = graph.NewBuilder(lg.g, lg.s, train)
	lg.x = gorgonia.NewTensor(lg.g, dt, x.Dims(), gorgonia.WithShape(x.Shape()...), gorgonia.WithName("x"), gorgonia.WithValue(x))
	out, err := m.Forward(lg.b, lg.x)
	if err != nil {
		t.Fatal(err)
	}
	lg.out = out
	rn := gorgonia.NewTensor(lg.g, dt, r.Dims(), gorgonia.WithShape(r.Shape()...), gorgonia.WithName("r"), gorgonia.WithValue(r))
	prod, err := gorgonia.HadamardProd(out, rn)
	if err != nil {
		t.Fatal(err)
	}
	if lg.loss, err = gorgonia.Sum(prod); err != nil {
		t.Fatal(err)
	}
	lg.wrt = append(gorgonia.Nodes{lg.x}, lg.b.Learnables()...)
	if lg.grads, err = gorgonia.Grad(lg.loss, lg.wrt...); err != nil {
		t.Fatal(err)
	}
	lg.vm = gorgonia.NewTapeMachine(lg.g)
	t.Cleanup(func() { lg.vm.Close() })
	return lg
}

func (lg *lossGraph) run(t *testing.T) {
	t.Helper()
	lg.vm.Reset()
	if err := lg.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

func runGoldenFile(t *testing.T, file string) {
	runGoldenCases(t, loadGolden(t, file), func(c *goldenCase) graph.Module { return c.module(t) })
}

// runGoldenCases checks each case with the module m builds for it.
func runGoldenCases(t *testing.T, cases []goldenCase, m func(*goldenCase) graph.Module) {
	for _, c := range cases {
		c := c
		t.Run(c.Name+"_"+c.Dtype, func(t *testing.T) {
			dt := c.dtype()
			lg := buildLoss(t, m(&c), dt, c.Train, denseFrom(dt, c.X), denseFrom(dt, c.R))
			set := func() {
				for _, m := range []map[string]goldenArr{c.Params, c.Buffers} {
					for name, a := range m {
						if err := lg.s.Set(name, denseFrom(dt, a)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			// The store must hold exactly the PyTorch state_dict names.
			var want []string
			for n := range c.Params {
				want = append(want, n)
			}
			for n := range c.Buffers {
				want = append(want, n)
			}
			got := lg.s.Names()
			sort.Strings(want)
			sort.Strings(got)
			if len(got) != len(want) {
				t.Fatalf("store names %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("store names %v, want %v", got, want)
				}
			}
			// Run twice: op-owned buffers must give the same answer on reuse.
			for run := 0; run < 2; run++ {
				set()
				lg.run(t)
				tol := dt
				checkClose(t, "output", lg.out.Value(), c.Out, tol)
				checkClose(t, "grad x", lg.grads[0].Value(), c.GradX, tol)
				for i, n := range lg.wrt[1:] {
					name := n.Name()
					want, ok := c.Grads[name]
					if !ok {
						t.Fatalf("learnable %q not in golden grads", name)
					}
					checkClose(t, "grad "+name, lg.grads[i+1].Value(), want, tol)
				}
				for name, want := range c.BuffersAfter {
					v, _ := lg.s.Get(name)
					checkClose(t, "buffer "+name, v, want, tol)
				}
			}
		})
	}
}

// gradCheck compares the analytic gradients of sum(out * r) with central finite differences in
// float64, for x and every parameter.
func gradCheck(t *testing.T, m graph.Module, train bool, xShape tensor.Shape, seed int64) {
	t.Helper()
	rng := newTestRand(seed)
	x := randDense(rng, xShape)
	lg0 := buildLossProbe(t, m, train, x)
	r := randDense(rng, lg0)
	lg := buildLoss(t, m, tensor.Float64, train, x, r)
	// Random, well-scaled parameters.
	for _, n := range lg.wrt[1:] {
		v := n.Value().Data().([]float64)
		for i := range v {
			v[i] = rng.NormFloat64()*0.5 + 0.1
		}
	}
	lg.run(t)
	analytic := make([][]float64, len(lg.wrt))
	for i, gn := range lg.grads {
		analytic[i] = float64s(gn.Value())
	}
	lossAt := func() float64 {
		lg.run(t)
		return float64s(lg.loss.Value())[0]
	}
	for i, n := range lg.wrt {
		num := golden.NumGrad(lossAt, n.Value().Data().([]float64), 1e-6)
		if j, e := golden.GradErr(analytic[i], num); e > 1e-5 {
			t.Errorf("gradient of %s: element %d: analytic %v, finite differences %v (error %.3g)", n.Name(), j, analytic[i][j], num[j], e)
		}
	}
}

// buildLossProbe returns the output shape of m on x.
func buildLossProbe(t *testing.T, m graph.Module, train bool, x *tensor.Dense) tensor.Shape {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), train)
	xn := gorgonia.NewTensor(g, tensor.Float64, x.Dims(), gorgonia.WithShape(x.Shape()...), gorgonia.WithName("x"))
	out, err := m.Forward(b, xn)
	if err != nil {
		t.Fatal(err)
	}
	return out.Shape().Clone()
}

// gradCheckGoldenFile runs gradCheck on the layer and input shape of every float64 case of file.
func gradCheckGoldenFile(t *testing.T, file string) {
	for i, c := range loadGolden(t, file) {
		if c.Dtype != "float64" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) { gradCheck(t, c.module(t), c.Train, tensor.Shape(c.X.Shape), int64(i)) })
	}
}
