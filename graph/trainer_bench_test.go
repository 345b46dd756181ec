package graph

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// benchData is one MNIST-sized batch: 64 × 784 inputs and their classes.
func benchData() (*tensor.Dense, *tensor.Dense) {
	xs := make([]float32, 64*784)
	for i := range xs {
		xs[i] = float32(i%255) / 255
	}
	ys := make([]int64, 64)
	for i := range ys {
		ys[i] = int64(i % 10)
	}
	return tensor.New(tensor.WithShape(64, 784), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(64), tensor.WithBacking(ys))
}

// BenchmarkTrainerStep measures one Trainer.Step of a 784-128-10 MLP at batch 64 (float32, Adam).
func BenchmarkTrainerStep(b *testing.B) {
	s := NewStore(tensor.Float32, 1)
	adam, err := solvers.NewAdam()
	if err != nil {
		b.Fatal(err)
	}
	m := seq{lin{784, 128}, tanh{}, lin{128, 10}}
	tr, err := NewTrainer(m, s, tensor.Shape{64, 784}, tensor.Int64, tensor.Shape{64}, crossEntropy, adam)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	x, y := benchData()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGorgoniaStep is the same step as a Gorgonia user writes it today: a hand-built graph,
// Let on the inputs, BindDualValues, RunAll, the solver, Reset (same model: PyTorch-layout weights
// (out, in) used through Transpose, as the Trainer's model).
func BenchmarkGorgoniaStep(b *testing.B) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(64, 784), gorgonia.WithName("x"))
	y := gorgonia.NewVector(g, tensor.Int64, gorgonia.WithShape(64), gorgonia.WithName("y"))
	w0 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(128, 784), gorgonia.WithName("w0"), gorgonia.WithInit(gorgonia.GlorotU(1)))
	b0 := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(128), gorgonia.WithName("b0"), gorgonia.WithInit(gorgonia.Zeroes()))
	w1 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(10, 128), gorgonia.WithName("w1"), gorgonia.WithInit(gorgonia.GlorotU(1)))
	b1 := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(10), gorgonia.WithName("b1"), gorgonia.WithInit(gorgonia.Zeroes()))
	h := gorgonia.Must(gorgonia.Tanh(gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.Mul(x, gorgonia.Must(gorgonia.Transpose(w0)))), b0, nil, []byte{0}))))
	out := gorgonia.Must(gorgonia.BroadcastAdd(gorgonia.Must(gorgonia.Mul(h, gorgonia.Must(gorgonia.Transpose(w1)))), b1, nil, []byte{0}))
	loss, err := ops.CrossEntropy(out, y)
	if err != nil {
		b.Fatal(err)
	}
	learnables := gorgonia.Nodes{w0, b0, w1, b1}
	if _, err := gorgonia.Grad(loss, learnables...); err != nil {
		b.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(learnables...))
	defer vm.Close()
	adam, err := solvers.NewAdam()
	if err != nil {
		b.Fatal(err)
	}
	xv, yv := benchData()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := gorgonia.Let(x, xv); err != nil {
			b.Fatal(err)
		}
		if err := gorgonia.Let(y, yv); err != nil {
			b.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := adam.Step(gorgonia.NodesToValueGrads(learnables)); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}
