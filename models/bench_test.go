package models

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// benchStep measures one training step (forward, backward, Adam) of m at batch 64 in float32.
func benchStep(b *testing.B, m graph.Module, x tensor.Shape) {
	s := graph.NewStore(tensor.Float32, 1)
	adam, err := solvers.NewAdam()
	if err != nil {
		b.Fatal(err)
	}
	loss := func(o, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(o, y) }
	tr, err := graph.NewTrainer(m, s, x, tensor.Int64, tensor.Shape{x[0]}, loss, adam)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	xs := make([]float32, x.TotalSize())
	for i := range xs {
		xs[i] = float32(i%251) / 251
	}
	ys := make([]int64, x[0])
	for i := range ys {
		ys[i] = int64(i % 10)
	}
	xt := tensor.New(tensor.WithShape(x...), tensor.WithBacking(xs))
	yt := tensor.New(tensor.WithBacking(ys))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(xt, yt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMNISTCNNStep: MNISTCNN, batch 64 (938 steps make an MNIST epoch).
func BenchmarkMNISTCNNStep(b *testing.B) { benchStep(b, CNN(MNISTCNN), tensor.Shape{64, 1, 28, 28}) }

// BenchmarkMNISTMLPStep: MLP 784-128-10, batch 64.
func BenchmarkMNISTMLPStep(b *testing.B) {
	benchStep(b, MLP(784, []int{128}, 10, layers.ReLU{}), tensor.Shape{64, 784})
}
