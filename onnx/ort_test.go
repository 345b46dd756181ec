package onnx

import (
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/data/mnist"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// exportCase is a model to export, with the per-sample shape of its input.
type exportCase struct {
	name   string
	m      graph.Module
	sample []int
	// noFloat64 is the first operator of the model, in ONNX Runtime's error message, that
	// ONNX Runtime's CPU provider cannot run in float64.
	noFloat64 string
}

// demoCNN is cmd/demo's CNN (conv16-conv32-fc128).
func demoCNN() graph.Module {
	return layers.Sequential{
		layers.Conv2D{In: 1, Out: 16, Kernel: 3, Padding: 1}, layers.ReLU{}, layers.MaxPool2D{Kernel: 2},
		layers.Conv2D{In: 16, Out: 32, Kernel: 3, Padding: 1}, layers.ReLU{}, layers.MaxPool2D{Kernel: 2},
		layers.Flatten{}, layers.Linear{In: 32 * 7 * 7, Out: 128}, layers.ReLU{}, layers.Linear{In: 128, Out: 10},
	}
}

// everyLayer uses every exportable layer, each with non-default settings somewhere.
func everyLayer() graph.Module {
	return layers.Sequential{
		layers.Conv2D{In: 3, Out: 6, Kernel: 3, Stride: 2, Padding: 1}, // 6×6×6
		layers.BatchNorm2D{Features: 6, Eps: layers.Set(1e-3)},
		layers.LeakyReLU{Slope: layers.Set(0.2)},
		layers.MaxPool2D{Kernel: 3, Stride: 1, Padding: 1},    // 6×6×6
		layers.Conv2D{In: 6, Out: 4, Kernel: 3, NoBias: true}, // 4×4×4
		layers.GELU{},
		layers.AvgPool2D{Kernel: 2, Stride: 1, Padding: 1}, // 4×5×5
		layers.Tanh{},
		layers.Sequential{layers.Flatten{}, layers.Dropout{P: layers.Set(0.5)}}, // 100
		layers.Linear{In: 100, Out: 16},
		layers.BatchNorm1D{Features: 16},
		layers.Sigmoid{},
		layers.Linear{In: 16, Out: 8, NoBias: true},
		layers.LeakyReLU{},
		layers.ReLU{},
		layers.Linear{In: 8, Out: 5},
		layers.Softmax{Axis: layers.Set(1)},
	}
}

// everyFloat64Layer uses every layer that ONNX Runtime can run in float64 (all but Conv2D,
// AvgPool2D and GELU).
func everyFloat64Layer() graph.Module {
	return layers.Sequential{
		layers.MaxPool2D{Kernel: 3, Stride: 1, Padding: 1}, // 2×5×5
		layers.BatchNorm2D{Features: 2},
		layers.LeakyReLU{Slope: layers.Set(0.3)},
		layers.Sequential{layers.Flatten{}, layers.Dropout{P: layers.Set(0.2)}}, // 50
		layers.Linear{In: 50, Out: 12},
		layers.BatchNorm1D{Features: 12, Eps: layers.Set(1e-4)},
		layers.Tanh{},
		layers.Linear{In: 12, Out: 9, NoBias: true},
		layers.Sigmoid{},
		layers.Linear{In: 9, Out: 7},
		layers.LeakyReLU{},
		layers.ReLU{},
		layers.Linear{In: 7, Out: 4},
		layers.Softmax{Axis: layers.Set(-1)},
	}
}

// geometry uses the convolution and pooling options: (height, width) forms, dilation, groups,
// padding='same', ceil mode, count_include_pad=False and divisor_override.
func geometry() graph.Module {
	return layers.Sequential{
		layers.Conv2D{In: 4, Out: 6, KernelHW: [2]int{3, 2}, StrideHW: [2]int{2, 1}, PaddingHW: [2]int{1, 0},
			DilationHW: [2]int{1, 2}, Groups: 2}, // 6×7×9
		layers.MaxPool2D{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true},               // 6×4×5
		layers.Conv2D{In: 6, Out: 6, Kernel: 3, Dilation: 2, Same: true},                 // 6×4×5
		layers.Conv2D{In: 6, Out: 6, KernelHW: [2]int{2, 3}, Same: true},                 // 6×4×5, uneven padding
		layers.AvgPool2D{Kernel: 2, Stride: 1, Padding: 1, ExcludePad: true},             // 6×5×6
		layers.AvgPool2D{KernelHW: [2]int{2, 3}, StrideHW: [2]int{2, 2}, CeilMode: true}, // 6×3×3
		layers.AvgPool2D{Kernel: 2, Stride: 1, DivisorOverride: 3},                       // 6×2×2
		layers.Flatten{},
	}
}

func exportCases() []exportCase {
	return []exportCase{
		{"mlp", models.MLP(784, []int{512, 256}, 10, layers.ReLU{}), []int{784}, ""},
		{"cnn", demoCNN(), []int{1, 28, 28}, "Conv(11)"},
		{"mnistcnn", models.CNN(models.MNISTCNN), []int{1, 28, 28}, "Conv(11)"},
		{"every-layer", everyLayer(), []int{3, 12, 12}, "Conv(11)"},
		{"every-float64-layer", everyFloat64Layer(), []int{2, 5, 5}, ""},
		{"logsoftmax", layers.Sequential{layers.Linear{In: 10, Out: 6}, layers.LogSoftmax{Axis: layers.Set(-1)}}, []int{10}, ""},
		{"batchnorm1d-3d", layers.Sequential{layers.BatchNorm1D{Features: 4}, layers.LogSoftmax{Axis: layers.Set(1)}}, []int{4, 7}, ""},
		{"gelu", layers.GELU{}, []int{6}, "Erf(13)"},
		{"avgpool", layers.AvgPool2D{Kernel: 3, Stride: 2, Padding: 1}, []int{2, 7, 7}, "AveragePool(11)"},
		{"geometry", geometry(), []int{4, 13, 11}, "Conv(11)"},
		{"maxpool-options", layers.Sequential{
			layers.MaxPool2D{KernelHW: [2]int{3, 2}, StrideHW: [2]int{2, 3}, PaddingHW: [2]int{1, 1}, Dilation: 2, CeilMode: true},
			layers.LogSoftmax{}, // the implicit axis of (N, C, H, W): 1
		}, []int{3, 9, 10}, ""},
		{"softmax-implicit", layers.Sequential{layers.Linear{In: 10, Out: 6}, layers.Softmax{}}, []int{10}, ""}, // axis 1
		// The implicit axis of a 3-D input is 0, the batch, as in PyTorch. (Compared at the full
		// batch only: the Evaluator pads a smaller batch with zeros, which enter a softmax over
		// the batch.)
		{"softmax-implicit-3d", layers.Sequential{layers.BatchNorm1D{Features: 4}, layers.Softmax{}}, []int{4, 7}, ""},
		{"dropout-only", layers.Dropout{P: layers.Set(0.3)}, []int{5}, ""},
	}
}

var cases = exportCases()

// randomizeBuffers gives BatchNorm layers non-trivial parameters and running statistics.
func randomizeBuffers(t *testing.T, s *graph.Store, rng *rand.Rand) {
	t.Helper()
	for _, name := range s.Names() {
		var f func() float64
		switch {
		case strings.HasSuffix(name, "running_mean"):
			f = func() float64 { return 0.5 * rng.NormFloat64() }
		case strings.HasSuffix(name, "running_var"):
			f = func() float64 { return 0.5 + 1.5*rng.Float64() }
		default:
			continue
		}
		tt, _ := s.Get(name)
		setAll(t, s, name, tt.Shape(), f)
		// the affine parameters of the same layer
		base := strings.TrimSuffix(strings.TrimSuffix(name, "running_mean"), "running_var")
		if w, ok := s.Get(base + "weight"); ok {
			setAll(t, s, base+"weight", w.Shape(), func() float64 { return 0.5 + rng.Float64() })
		}
		if b, ok := s.Get(base + "bias"); ok {
			setAll(t, s, base+"bias", b.Shape(), func() float64 { return 0.2 * rng.NormFloat64() })
		}
	}
}

func setAll(t *testing.T, s *graph.Store, name string, shape tensor.Shape, f func() float64) {
	t.Helper()
	v := make([]float64, shape.TotalSize())
	for i := range v {
		v[i] = f()
	}
	if err := s.Set(name, golden.Tensor(s.Dtype(), shape, v)); err != nil {
		t.Fatal(err)
	}
}

// float64s returns t's data as float64s.
func float64s(t tensor.Tensor) []float64 {
	if r := golden.Values(t); r != nil {
		return r
	}
	panic(fmt.Sprintf("unexpected data %T", t.Data()))
}

// relErr is max |got−want| / max(|want|, 1): relative for outputs of magnitude ≥ 1, absolute below.
func relErr(got, want []float64) float64 {
	var m float64
	for i := range want {
		e := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1)
		if !(e <= m) { // NaN counts as the worst
			m = e
			if math.IsNaN(e) {
				return math.Inf(1)
			}
		}
	}
	return m
}

// dtypeOf is the tensor dtype and ONNX Runtime type name of T.
func dtypeOf[T float32 | float64]() (tensor.Dtype, string, float64) {
	var z T
	if _, ok := any(z).(float32); ok {
		return tensor.Float32, "float32", 1e-5
	}
	return tensor.Float64, "float64", 1e-10
}

// TestONNXRuntime exports each model, runs it in ONNX Runtime at two batch sizes (the batch is
// dynamic) and compares the outputs with Stheno's Evaluator on the same inputs.
func TestONNXRuntime(t *testing.T) {
	t.Run("float32", testONNXRuntime[float32])
	t.Run("float64", testONNXRuntime[float64])
}

func testONNXRuntime[T float32 | float64](t *testing.T) {
	dir := ortDir(t)
	dt, ortType, tol := dtypeOf[T]()
	tmp := t.TempDir()
	const batch = 3
	for ci, c := range cases {
		rng := rand.New(rand.NewSource(int64(ci) + 1))
		s := graph.NewStore(dt, int64(ci)+7)
		shape := append(tensor.Shape{batch}, c.sample...)
		ev, err := graph.NewEvaluator(c.m, s, shape)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		randomizeBuffers(t, s, rng)
		path := filepath.Join(tmp, c.name+".onnx")
		if err := WriteFile(path, c.m, s, c.sample...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var jobs []ortJob
		var wants []tensor.Tensor
		batches := []int{batch, 1}
		if c.name == "softmax-implicit-3d" {
			batches = batches[:1]
		}
		for _, n := range batches {
			xs := append(tensor.Shape{n}, c.sample...)
			x := make([]float64, xs.TotalSize())
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			xt := golden.Tensor(dt, xs, x)
			out, err := ev.Forward(xt)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			jobs = append(jobs, ortJob{Model: path, Dtype: ortType, Dims: xs, Data: float64s(xt)})
			wants = append(wants, out)
		}
		if err := ev.Close(); err != nil {
			t.Fatal(err)
		}
		res, err := runORT(t, dir, jobs)
		if err != nil {
			// ONNX Runtime's CPU provider has float64 kernels for neither Conv, AveragePool nor Erf.
			if dt == tensor.Float64 && c.noFloat64 != "" && strings.Contains(err.Error(), "Could not find an implementation for "+c.noFloat64) {
				t.Logf("%-24s not run: ONNX Runtime has no float64 %s", c.name, c.noFloat64)
				continue
			}
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, r := range res {
			w := wants[i]
			name := fmt.Sprintf("%s batch %d", c.name, jobs[i].Dims[0])
			if fmt.Sprint(r.Dims) != fmt.Sprint([]int(w.Shape())) || r.Type != ortType {
				t.Errorf("%s: ONNX Runtime output is %s %v, Stheno's %s %v", name, r.Type, r.Dims, ortType, w.Shape())
				continue
			}
			e := relErr(r.Data, float64s(w))
			t.Logf("%-24s max error %.2e (tolerance %.0e)", name, e, tol)
			if e > tol {
				t.Errorf("%s: ONNX Runtime differs from Stheno by %.3g relative, want ≤ %g", name, e, tol)
			}
		}
	}
}

// TestChecker validates every exported model, in both dtypes, with python3-onnx's checker.
func TestChecker(t *testing.T) {
	py := python(t)
	tmp := t.TempDir()
	var files []string
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for ci, c := range cases {
			s := graph.NewStore(dt, int64(ci))
			path := filepath.Join(tmp, fmt.Sprintf("%s-%v.onnx", c.name, dt))
			if err := WriteFile(path, c.m, s, c.sample...); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			files = append(files, path)
		}
	}
	checkONNX(t, py, files...)
}

// TestONNXRuntimeTrained trains the demo's MLP and CNN briefly on real MNIST (float32, AdamW,
// batches of 64, as cmd/demo does), exports them, and compares ONNX Runtime's logits on 500 test
// images with Stheno's, and their predicted classes.
func TestONNXRuntimeTrained(t *testing.T) {
	dir := ortDir(t)
	mnistDir, err := mnist.Dir()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := data.LoadMNIST(mnistDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		m      graph.Module
		sample []int
		layout data.Layout
	}{
		{"mlp", models.MLP(784, []int{512, 256}, 10, layers.ReLU{}), []int{784}, data.Flat},
		{"cnn", demoCNN(), []int{1, 28, 28}, data.Image},
	} {
		s := graph.NewStore(tensor.Float32, 1)
		adamw, err := solvers.NewAdamW(solvers.WithLearnRate(1e-3))
		if err != nil {
			t.Fatal(err)
		}
		loss := func(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }
		tr, err := graph.NewTrainer(c.m, s, append(tensor.Shape{64}, c.sample...), tensor.Int, tensor.Shape{64}, loss, adamw)
		if err != nil {
			t.Fatal(err)
		}
		batches, err := data.NewBatcher(train, 64, data.WithLayout(c.layout), data.WithShuffle(1), data.WithDropLast())
		if err != nil {
			t.Fatal(err)
		}
		var first, last float64
		for i := 0; i < 40 && batches.Next(); i++ {
			if last, err = tr.Step(batches.X(), batches.Y()); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = last
			}
		}
		tr.Close()
		if last > first/2 {
			t.Errorf("%s: training loss %v → %v: not trained", c.name, first, last)
		}

		ev, err := graph.NewEvaluator(c.m, s, append(tensor.Shape{500}, c.sample...))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := data.NewBatcher(test.Head(500), 500, data.WithLayout(c.layout))
		if err != nil || !tb.Next() {
			t.Fatalf("test batch: %v", err)
		}
		want, err := ev.Forward(tb.X())
		if err != nil {
			t.Fatal(err)
		}
		ev.Close()
		path := filepath.Join(t.TempDir(), c.name+".onnx")
		if err := WriteFile(path, c.m, s, c.sample...); err != nil {
			t.Fatal(err)
		}
		res, err := runORT(t, dir, []ortJob{{Model: path, Dtype: "float32", Dims: tb.X().Shape(), Data: float64s(tb.X())}})
		if err != nil {
			t.Fatal(err)
		}
		got, w := res[0].Data, float64s(want)
		e := relErr(got, w)
		agree := 0
		for i := 0; i < 500; i++ {
			if argmax(got[10*i:10*i+10]) == argmax(w[10*i:10*i+10]) {
				agree++
			}
		}
		t.Logf("%s trained (loss %.3f → %.3f): max error %.2e, same class for %d of 500 test images", c.name, first, last, e, agree)
		if e > 1e-5 || agree != 500 {
			t.Errorf("%s: ONNX Runtime differs from Stheno by %.3g relative; same class for %d of 500", c.name, e, agree)
		}
	}
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
