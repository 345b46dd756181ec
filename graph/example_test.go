package graph_test

import (
	"fmt"
	"log"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// Dense is a hand-written module: x·Wᵀ + b with PyTorch's Linear names, layout and default init.
type Dense struct{ In, Out int }

// Forward builds the layer on b.
func (d Dense) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	w, err := b.Param("weight", tensor.Shape{d.Out, d.In}, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, err
	}
	bound := 1 / math.Sqrt(float64(d.In))
	bias, err := b.Param("bias", tensor.Shape{d.Out}, graph.Uniform(-bound, bound))
	if err != nil {
		return nil, err
	}
	xw, err := gorgonia.Mul(x, gorgonia.Must(gorgonia.Transpose(w)))
	if err != nil {
		return nil, err
	}
	return gorgonia.BroadcastAdd(xw, bias, nil, []byte{0})
}

// TanhNet is Dense(2→8), tanh, Dense(8→2), scoped "0" and "2" like torch.nn.Sequential.
type TanhNet struct{}

// Forward builds the network on b.
func (TanhNet) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	h, err := Dense{2, 8}.Forward(b.Scope("0"), x)
	if err != nil {
		return nil, err
	}
	if h, err = gorgonia.Tanh(h); err != nil {
		return nil, err
	}
	return Dense{8, 2}.Forward(b.Scope("2"), h)
}

// A store's tensors are created when a model is first built on a graph; their names are
// PyTorch state_dict names.
func ExampleNewStore() {
	s := graph.NewStore(tensor.Float32, 1)
	if _, err := graph.NewEvaluator(TanhNet{}, s, tensor.Shape{1, 2}); err != nil {
		log.Fatal(err)
	}
	for _, name := range s.Names() {
		t, _ := s.Get(name)
		fmt.Println(name, t.Shape(), s.IsParam(name))
	}
	// Output:
	// 0.weight (8, 2) true
	// 0.bias (8) true
	// 2.weight (2, 8) true
	// 2.bias (2) true
}

// A Builder names parameters by scope and binds each to its store tensor; building again on another
// graph reuses the same tensor.
func ExampleNewBuilder() {
	s := graph.NewStore(tensor.Float64, 1)
	g1, g2 := gorgonia.NewGraph(), gorgonia.NewGraph()
	b1 := graph.NewBuilder(g1, s, true).Scope("encoder")
	b2 := graph.NewBuilder(g2, s, false).Scope("encoder")
	w1, err := b1.Param("weight", tensor.Shape{3, 2}, graph.XavierUniform(1))
	if err != nil {
		log.Fatal(err)
	}
	w2, err := b2.Param("weight", tensor.Shape{3, 2}, graph.XavierUniform(1))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w1.Name(), w1.Value() == w2.Value(), len(s.Names()))
	_, err = b2.Param("weight", tensor.Shape{2, 3}, graph.Zeros())
	fmt.Println(err)
	// Output:
	// encoder.weight true 1
	// graph: parameter "encoder.weight" has shape (3, 2) in the store, requested shape (2, 3)
}

// Train TanhNet on XOR with cross-entropy and Adam, then classify the four points with an
// Evaluator that shares the trained weights.
func ExampleNewTrainer() {
	s := graph.NewStore(tensor.Float64, 42)
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.05))
	if err != nil {
		log.Fatal(err)
	}
	loss := func(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }
	tr, err := graph.NewTrainer(TanhNet{}, s, tensor.Shape{4, 2}, tensor.Int64, tensor.Shape{4}, loss, adam)
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{0, 0, 0, 1, 1, 0, 1, 1}))
	y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 1, 0}))
	var l float64
	for step := 0; step < 300; step++ {
		if l, err = tr.Step(x, y); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("loss below 0.01:", l < 0.01)

	ev, err := graph.NewEvaluator(TanhNet{}, s, tensor.Shape{4, 2})
	if err != nil {
		log.Fatal(err)
	}
	defer ev.Close()
	logits, err := ev.Forward(x)
	if err != nil {
		log.Fatal(err)
	}
	pred, err := tensor.Argmax(logits, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("predictions:", pred.Data())
	// Output:
	// loss below 0.01: true
	// predictions: [0 1 1 0]
}

// An Evaluator compiled for a batch of 4 also takes smaller batches: the input is padded inside
// and the output trimmed. It reads the store's current weights on every call.
func ExampleNewEvaluator() {
	s := graph.NewStore(tensor.Float64, 1)
	ev, err := graph.NewEvaluator(Dense{In: 2, Out: 1}, s, tensor.Shape{4, 2})
	if err != nil {
		log.Fatal(err)
	}
	defer ev.Close()
	// set the weights by hand: y = 2*x0 - x1 + 0.5
	if err := s.Set("weight", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{2, -1}))); err != nil {
		log.Fatal(err)
	}
	if err := s.Set("bias", tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0.5}))); err != nil {
		log.Fatal(err)
	}
	out, err := ev.Forward(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 1, 3, 0})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Shape(), out.Data())
	// Output: (2, 1) [1.5 6.5]
}
