package layers

import (
	"math"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/tensor"
)

// zeroValues maps each case of testdata/defaults.json to the Stheno layer that must equal it:
// the layer's zero value (only the sizes PyTorch requires set) for PyTorch's default-constructed
// module, and the explicit Set(0) spellings for the zeros PyTorch reads literally.
var zeroValues = map[string]graph.Module{
	"Linear":                   Linear{In: 5, Out: 3},
	"Conv2D":                   Conv2D{In: 3, Out: 2, Kernel: 3},
	"MaxPool2D":                MaxPool2D{Kernel: 2},
	"AvgPool2D":                AvgPool2D{Kernel: 2},
	"BatchNorm1D_train":        BatchNorm1D{Features: 4},
	"BatchNorm1D_eval":         BatchNorm1D{Features: 4},
	"BatchNorm2D_train":        BatchNorm2D{Features: 3},
	"BatchNorm2D_eval":         BatchNorm2D{Features: 3},
	"Dropout_eval":             Dropout{},
	"ReLU":                     ReLU{},
	"LeakyReLU":                LeakyReLU{},
	"Tanh":                     Tanh{},
	"Sigmoid":                  Sigmoid{},
	"GELU":                     GELU{},
	"Flatten":                  Flatten{},
	"Sequential":               Sequential{},
	"Softmax_1d":               Softmax{},
	"Softmax_2d":               Softmax{},
	"Softmax_3d":               Softmax{},
	"Softmax_4d":               Softmax{},
	"Softmax_dim0":             Softmax{Axis: Set(0)},
	"LogSoftmax_1d":            LogSoftmax{},
	"LogSoftmax_2d":            LogSoftmax{},
	"LogSoftmax_3d":            LogSoftmax{},
	"LogSoftmax_4d":            LogSoftmax{},
	"LogSoftmax_dim0":          LogSoftmax{Axis: Set(0)},
	"LeakyReLU_slope0":         LeakyReLU{Slope: Set(0.0)},
	"Dropout_p0":               Dropout{P: Set(0.0)},
	"BatchNorm1D_momentum0":    BatchNorm1D{Features: 4, Momentum: Set(0.0)},
	"BatchNorm1D_momentumNone": BatchNorm1D{Features: 4, CumulativeAverage: true},
	"BatchNorm2D_eps0":         BatchNorm2D{Features: 3, Eps: Set(0.0)},
	"Conv1D":                   Conv1D{In: 3, Out: 2, Kernel: 3},
	"MaxPool1D":                MaxPool1D{Kernel: 2},
	"AvgPool1D":                AvgPool1D{Kernel: 2},
	"AdaptiveAvgPool2D":        AdaptiveAvgPool2D{OutputSize: 2},
	"AdaptiveMaxPool2D":        AdaptiveMaxPool2D{OutputSize: 2},
	"ZeroPad2D":                ZeroPad2D{Padding: 1},
	"ConstantPad2D":            ConstantPad2D{Padding: 1},
	"ReflectionPad2D":          ReflectionPad2D{Padding: 1},
	"ReplicationPad2D":         ReplicationPad2D{Padding: 1},
}

func TestZeroValuesMatchPyTorchDefaults(t *testing.T) {
	cases := loadGolden(t, "defaults.json")
	seen := map[string]bool{}
	for _, c := range cases {
		if _, ok := zeroValues[c.Name]; !ok {
			t.Fatalf("golden case %q has no layer in zeroValues", c.Name)
		}
		seen[c.Name] = true
	}
	for name := range zeroValues {
		if !seen[name] {
			t.Errorf("zeroValues[%q] has no golden case", name)
		}
	}
	runGoldenCases(t, cases, func(c *goldenCase) graph.Module { return zeroValues[c.Name] })
}

// PyTorch's recorded defaults are the values the zero values resolve to.
func TestZeroValueAttrs(t *testing.T) {
	attrs := map[string]map[string]any{}
	for _, c := range loadGolden(t, "defaults.json") {
		attrs[c.Name] = c.Attrs
	}
	if p := attrs["Dropout_eval"]["p"]; p != (Dropout{}).prob() {
		t.Errorf("Dropout{} has p %v, PyTorch's default is %v", (Dropout{}).prob(), p)
	}
	if s := attrs["LeakyReLU"]["negative_slope"]; s != (LeakyReLU{}).Slope.Or(0.01) {
		t.Errorf("PyTorch's default slope is %v", s)
	}
	bn := attrs["BatchNorm1D_train"]
	if bn["eps"] != 1e-5 || bn["momentum"] != 0.1 {
		t.Errorf("PyTorch's BatchNorm defaults are %v", bn)
	}
}

// Dropout{} in training drops with p = 0.5 (PyTorch's nn.Dropout()), scaling kept values by 2.
func TestDropoutZeroValueDrops(t *testing.T) {
	const n = 20000
	out, grad := dropoutRunModule(t, Dropout{}, tensor.Float64, 13, n)()
	zeros := 0
	for i, v := range out {
		switch v {
		case 0:
			zeros++
		case 2:
			if grad[i] != 4 {
				t.Fatalf("kept element %d has gradient %v, want 4", i, grad[i])
			}
		default:
			t.Fatalf("element %d is %v, want 0 or 2", i, v)
		}
	}
	if frac := float64(zeros) / n; math.Abs(frac-0.5) > 5*math.Sqrt(0.25/n) {
		t.Errorf("fraction dropped %v, want 0.5", frac)
	}
}

// The explicit zeros are not replaced: momentum 0 freezes the running statistics, slope 0 is a
// ReLU, P 0 is the identity in training.
func TestExplicitZeros(t *testing.T) {
	out, grad := dropoutRunModule(t, Dropout{P: Set(0.0)}, tensor.Float64, 1, 100)()
	for i := range out {
		if out[i] != 1 || grad[i] != 2 {
			t.Fatalf("Dropout{P: Set(0.0)}: element %d is %v with gradient %v, want 1 and 2", i, out[i], grad[i])
		}
	}
	rng := newTestRand(3)
	x := randDense(rng, tensor.Shape{3, 4})
	lr := buildLoss(t, LeakyReLU{Slope: Set(0.0)}, tensor.Float64, true, x, randDense(rng, tensor.Shape{3, 4}))
	lr.run(t)
	for i, v := range float64s(lr.out.Value()) {
		if want := math.Max(x.Data().([]float64)[i], 0); v != want {
			t.Fatalf("LeakyReLU{Slope: Set(0.0)} element %d: %v, want %v", i, v, want)
		}
	}
	bn := buildLoss(t, BatchNorm1D{Features: 4, Momentum: Set(0.0)}, tensor.Float64, true, randDense(rng, tensor.Shape{5, 4}), randDense(rng, tensor.Shape{5, 4}))
	bn.run(t)
	for _, name := range []string{"running_mean", "running_var"} {
		v, _ := bn.s.Get(name)
		want := 0.0
		if name == "running_var" {
			want = 1
		}
		for _, f := range float64s(v) {
			if f != want {
				t.Fatalf("momentum 0: %s moved to %v", name, f)
			}
		}
	}
	wantErr(t, buildErr(BatchNorm1D{Features: 3, Momentum: Set(0.5), CumulativeAverage: true}, tensor.Float64, 2, 3), "exclude each other")
	wantErr(t, buildErr(BatchNorm1D{Features: 3, Eps: Set(-1.0)}, tensor.Float64, 2, 3), "Eps=-1")
}

func TestOpt(t *testing.T) {
	var o Opt[float64]
	if v, ok := o.Get(); ok || v != 0 || o.Or(3) != 3 || o.String() != "unset" {
		t.Errorf("zero Opt: %v %v %v %q", v, ok, o.Or(3), o)
	}
	o = Set(0.0)
	if v, ok := o.Get(); !ok || v != 0 || o.Or(3) != 0 || o.String() != "0" {
		t.Errorf("Set(0): %v %v %v %q", v, ok, o.Or(3), o)
	}
}
