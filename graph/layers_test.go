package graph_test

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// TestXORWithLayers trains layers.Sequential{Linear, Tanh, Linear} on XOR with ops.CrossEntropy and
// solvers.Adam in both dtypes, and checks the loss and the evaluator's predictions.
func TestXORWithLayers(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := layers.Sequential{layers.Linear{In: 2, Out: 8}, layers.Tanh{}, layers.Linear{In: 8, Out: 2}}
		s := graph.NewStore(dt, 3)
		adam, err := solvers.NewAdam(solvers.WithLearnRate(0.05))
		if err != nil {
			t.Fatal(err)
		}
		loss := func(o, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(o, y) }
		tr, err := graph.NewTrainer(m, s, tensor.Shape{4, 2}, tensor.Int64, tensor.Shape{4}, loss, adam)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		xv := []float64{0, 0, 0, 1, 1, 0, 1, 1}
		var x tensor.Tensor = tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(xv))
		if dt == tensor.Float32 {
			x = tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 0, 0, 1, 1, 0, 1, 1}))
		}
		y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{0, 1, 1, 0}))
		var l float64
		for i := 0; i < 300; i++ {
			if l, err = tr.Step(x, y); err != nil {
				t.Fatal(err)
			}
		}
		if l > 0.01 {
			t.Errorf("%v: loss %g after 300 steps", dt, l)
		}
		ev, err := graph.NewEvaluator(m, s, tensor.Shape{4, 2})
		if err != nil {
			t.Fatal(err)
		}
		defer ev.Close()
		out, err := ev.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := tensor.Argmax(out, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pred.Data().([]int) {
			if int64(p) != y.Data().([]int64)[i] {
				t.Errorf("%v: point %d predicted %d", dt, i, p)
			}
		}
		// the trainer's last output agrees with the loss: train-mode output has the batch shape
		if o := tr.Output(); o == nil || !o.Shape().Eq(tensor.Shape{4, 2}) {
			t.Errorf("%v: Output() = %v", dt, o)
		}
	}
}
