package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestSequentialNames(t *testing.T) {
	m := Sequential{Conv2D{In: 1, Out: 2, Kernel: 3}, BatchNorm2D{Features: 2}, ReLU{}, Dropout{},
		Flatten{}, Sequential{Linear{In: 8, Out: 3}, Tanh{}}}
	g := gorgonia.NewGraph()
	s := graph.NewStore(tensor.Float32, 1)
	b := graph.NewBuilder(g, s, true)
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(2, 1, 4, 4), gorgonia.WithName("x"))
	y, err := m.Forward(b, x)
	if err != nil {
		t.Fatal(err)
	}
	if !y.Shape().Eq(tensor.Shape{2, 3}) {
		t.Fatalf("output shape %v", y.Shape())
	}
	want := []string{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
		"1.num_batches_tracked", "5.0.weight", "5.0.bias"}
	got := s.Names()
	if len(got) != len(want) {
		t.Fatalf("names %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("names %v, want %v", got, want)
		}
	}
	if s.IsParam("1.running_mean") || !s.IsParam("1.weight") {
		t.Error("running_mean must be a buffer and weight a parameter")
	}
	if n := len(b.Learnables()); n != 6 {
		t.Errorf("%d learnables, want 6", n)
	}
	wantErr(t, buildErr(Sequential{}, tensor.Float32, 2, 3), "Sequential: input has dtype float32")
	wantErr(t, buildErr(Sequential{ReLU{}, nil}, tensor.Float64, 2, 3), "layer 1 is nil")
	wantErr(t, buildErr(Sequential{ReLU{}, Sequential{ReLU{}, Linear{In: 2, Out: 1}}}, tensor.Float64, 2, 3),
		`layers: Linear "1.1": input has 3 features, want 2`)
}

// On a LispMachine (automatic differentiation) the layers' ops report an error instead of giving
// zero gradients silently.
func TestLispMachineBackpropIsAnError(t *testing.T) {
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, graph.NewStore(tensor.Float64, 1), true)
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))))
	y, err := Sequential{Linear{In: 3, Out: 2}, Tanh{}}.Forward(b, x)
	if err != nil {
		t.Fatal(err)
	}
	gorgonia.Must(gorgonia.Sum(y)) // the cost the LispMachine differentiates
	vm := gorgonia.NewLispMachine(g)
	defer vm.Close()
	wantErr(t, vm.RunAll(), "use gorgonia.Grad with a TapeMachine")

	// Forward-only execution works.
	fwd := gorgonia.NewLispMachine(g, gorgonia.ExecuteFwdOnly())
	defer fwd.Close()
	if err := fwd.RunAll(); err != nil {
		t.Fatal(err)
	}
	if v := y.Value(); v == nil || !v.Shape().Eq(tensor.Shape{2, 2}) {
		t.Fatalf("forward value %v", v)
	}
}

// A MobileNet-style block and a ResNet stem take PyTorch's state_dict (by name) and give its
// outputs, gradients and running statistics.
func TestBlocksGolden(t *testing.T) { runGoldenFile(t, "blocks.json") }
