package layers

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// The Trainer skips exactly the gradients of the input data (the first layer's gx), and training
// gives the same bits as computing them: nothing read them.
func TestTrainerSkipsInputGradient(t *testing.T) {
	model := Sequential{
		Conv2D{In: 1, Out: 3, Kernel: 3, Padding: 1}, ReLU{}, Flatten{},
		Linear{In: 3 * 6 * 6, Out: 8}, ReLU{}, Linear{In: 8, Out: 3},
	}
	loss := func(o, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(o, y) }
	run := func(skip bool) []float64 {
		s := graph.NewStore(tensor.Float64, 3)
		sgd, err := solvers.NewSGD(solvers.WithLearnRate(0.1))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := graph.NewTrainer(model, s, tensor.Shape{4, 1, 6, 6}, tensor.Int64, tensor.Shape{4}, loss, sgd)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		var skipped []string
		for _, n := range tr.Graph().AllNodes() {
			var b *opBase
			switch op := n.Op().(type) {
			case *linearGradOp:
				b = &op.opBase
			case *convGradOp:
				b = &op.opBase
			default:
				continue
			}
			if b.unused {
				skipped = append(skipped, b.name)
			}
			if !skip {
				b.unused = false
			}
		}
		if len(skipped) != 1 || skipped[0] != "conv2dGradX" {
			t.Errorf("skipped %v, want [conv2dGradX]", skipped)
		}
		rng := newTestRand(4)
		x := randDense(rng, tensor.Shape{4, 1, 6, 6})
		y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 2, 1}))
		var losses []float64
		for i := 0; i < 3; i++ {
			l, err := tr.Step(x, y)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		for _, name := range s.Names() {
			v, _ := s.Get(name)
			losses = append(losses, v.Data().([]float64)...)
		}
		return losses
	}
	a, b := run(true), run(false)
	if len(a) != len(b) {
		t.Fatalf("%d values vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d: %v with the skip, %v without", i, a[i], b[i])
		}
	}
}
