package layers_test

import (
	"fmt"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A two-layer perceptron as a Sequential: its tensors get torch.nn.Sequential's state_dict names.
func ExampleSequential() {
	model := layers.Sequential{
		layers.Linear{In: 4, Out: 3},
		layers.ReLU{},
		layers.Linear{In: 3, Out: 2},
	}
	store := graph.NewStore(tensor.Float64, 42)
	g := gorgonia.NewGraph()
	b := graph.NewBuilder(g, store, false)
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(1, 4), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float64{1, 2, 3, 4}))))
	out, err := model.Forward(b, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range store.Names() {
		t, _ := store.Get(name)
		fmt.Println(name, t.Shape())
	}
	// Replace the random initial weights with round numbers, so the output is easy to check:
	// hidden = ReLU((1+2+3+4, -(1+2+3+4), 1) + 0.5) = (10.5, 0, 1.5); out = (sum, first) of hidden.
	set := func(name string, v ...float64) {
		t, _ := store.Get(name)
		copy(t.Data().([]float64), v)
	}
	set("0.weight", 1, 1, 1, 1, -1, -1, -1, -1, 1, 0, 0, 0)
	set("0.bias", 0.5, 0.5, 0.5)
	set("2.weight", 1, 1, 1, 1, 0, 0)
	set("2.bias", 0, 0)

	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output", out.Shape(), out.Value().Data())

	// A shape mistake is an error naming the layer.
	bad := layers.Sequential{layers.Linear{In: 4, Out: 3}, layers.Linear{In: 4, Out: 2}}
	g2 := gorgonia.NewGraph()
	_, err = bad.Forward(graph.NewBuilder(g2, graph.NewStore(tensor.Float64, 1), false),
		gorgonia.NewMatrix(g2, tensor.Float64, gorgonia.WithShape(1, 4), gorgonia.WithName("x")))
	fmt.Println(err)
	// Output:
	// 0.weight (3, 4)
	// 0.bias (3)
	// 2.weight (2, 3)
	// 2.bias (2)
	// output (1, 2) [12 10.5]
	// layers: Linear "1": input has 3 features, want 4
}

// A convolutional stack on a batch of 64 MNIST-sized images: output shapes and the store's
// PyTorch names.
func ExampleConv2D() {
	model := layers.Sequential{
		layers.Conv2D{In: 1, Out: 32, Kernel: 3, Padding: 1},
		layers.BatchNorm2D{Features: 32},
		layers.ReLU{},
		layers.MaxPool2D{Kernel: 2},
		layers.Flatten{},
		layers.Linear{In: 32 * 14 * 14, Out: 10},
	}
	store := graph.NewStore(tensor.Float32, 1)
	g := gorgonia.NewGraph()
	x := gorgonia.NewTensor(g, tensor.Float32, 4, gorgonia.WithShape(64, 1, 28, 28), gorgonia.WithName("x"))
	out, err := model.Forward(graph.NewBuilder(g, store, true), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output", out.Shape())
	for _, name := range store.Names() {
		t, _ := store.Get(name)
		fmt.Println(name, t.Shape(), store.IsParam(name))
	}
	// Output:
	// output (64, 10)
	// 0.weight (32, 1, 3, 3) true
	// 0.bias (32) true
	// 1.weight (32) true
	// 1.bias (32) true
	// 1.running_mean (32) false
	// 1.running_var (32) false
	// 1.num_batches_tracked (1) false
	// 5.weight (10, 6272) true
	// 5.bias (10) true
}
