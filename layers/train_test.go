package layers_test

import (
	"math/rand"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// End to end with graph's Trainer and Evaluator: a small CNN with every kind of layer learns to
// tell apart two classes of 8×8 images (bright top half or bright bottom half), in float32.
func TestTrainSmallCNN(t *testing.T) {
	model := layers.Sequential{
		layers.Conv2D{In: 1, Out: 4, Kernel: 3, Padding: 1},
		layers.BatchNorm2D{Features: 4},
		layers.ReLU{},
		layers.MaxPool2D{Kernel: 2},
		layers.AvgPool2D{Kernel: 2},
		layers.Flatten{},
		layers.Linear{In: 16, Out: 8},
		layers.GELU{},
		layers.Dropout{P: layers.Set(0.2)},
		layers.Linear{In: 8, Out: 2},
	}
	store := graph.NewStore(tensor.Float32, 5)
	loss := func(out, target *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, target) }
	tr, err := graph.NewTrainer(model, store, tensor.Shape{16, 1, 8, 8}, tensor.Int, tensor.Shape{16}, loss,
		gorgonia.NewAdamSolver(gorgonia.WithLearnRate(0.01)))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := rand.New(rand.NewSource(1))
	batch := func() (*tensor.Dense, *tensor.Dense) {
		x := make([]float32, 16*64)
		y := make([]int, 16)
		for i := range y {
			y[i] = rng.Intn(2)
			for p := 0; p < 64; p++ {
				v := float32(rng.NormFloat64() * 0.5)
				if (p < 32) == (y[i] == 0) {
					v += 1
				}
				x[i*64+p] = v
			}
		}
		return tensor.New(tensor.WithShape(16, 1, 8, 8), tensor.WithBacking(x)), tensor.New(tensor.WithShape(16), tensor.WithBacking(y))
	}
	var first, last float64
	for step := 0; step < 60; step++ {
		x, y := batch()
		l, err := tr.Step(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if step < 5 {
			first += l / 5
		}
		if step >= 55 {
			last += l / 5
		}
	}
	if !(last < first/4) {
		t.Fatalf("loss went from %.4f to %.4f", first, last)
	}
	if nbt, _ := store.Get("1.num_batches_tracked"); nbt.Data().([]float32)[0] != 60 {
		t.Errorf("num_batches_tracked = %v, want 60", nbt.Data())
	}
	ev, err := graph.NewEvaluator(model, store, tensor.Shape{16, 1, 8, 8})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	x, y := batch()
	out, err := ev.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	o, labels := out.Data().([]float32), y.Data().([]int)
	correct := 0
	for i, lab := range labels {
		pred := 0
		if o[i*2+1] > o[i*2] {
			pred = 1
		}
		if pred == lab {
			correct++
		}
	}
	if correct < 15 {
		t.Errorf("eval accuracy %d/16", correct)
	}
}
