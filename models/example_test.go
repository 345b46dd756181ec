package models_test

import (
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// Train an MLP end to end: data, model, training, evaluation, checkpoint. This program is
// reproduced verbatim in docs/graphs.md (TestDocContainsExample checks it).
func Example_train() {
	// Data: 256 points in [-1.5, 1.5]²; class 1 lies outside the unit circle.
	rng := rand.New(rand.NewSource(1))
	xs, ys := make([]float32, 2*256), make([]int64, 256)
	for i := range ys {
		a, b := 3*rng.Float32()-1.5, 3*rng.Float32()-1.5
		xs[2*i], xs[2*i+1] = a, b
		if a*a+b*b > 1 {
			ys[i] = 1
		}
	}

	// Model (weights in the store), solver, loss, and the compiled train and eval programs.
	model := models.MLP(2, []int{32, 32}, 2, layers.ReLU{})
	store := graph.NewStore(tensor.Float32, 42)
	adam, err := solvers.NewAdam(solvers.WithLearnRate(0.01))
	if err != nil {
		log.Fatal(err)
	}
	loss := func(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }
	trainer, err := graph.NewTrainer(model, store, tensor.Shape{64, 2}, tensor.Int64, tensor.Shape{64}, loss, adam)
	if err != nil {
		log.Fatal(err)
	}
	defer trainer.Close()
	eval, err := graph.NewEvaluator(model, store, tensor.Shape{256, 2})
	if err != nil {
		log.Fatal(err)
	}
	defer eval.Close()

	// 100 epochs of 4 batches of 64.
	for epoch := 0; epoch < 100; epoch++ {
		for i := 0; i < 256; i += 64 {
			x := tensor.New(tensor.WithShape(64, 2), tensor.WithBacking(xs[2*i:2*(i+64)]))
			y := tensor.New(tensor.WithShape(64), tensor.WithBacking(ys[i:i+64]))
			if _, err := trainer.Step(x, y); err != nil {
				log.Fatal(err)
			}
		}
	}

	// The evaluator shares the trained weights.
	accuracy := func(e *graph.Evaluator) float64 {
		logits, err := e.Forward(tensor.New(tensor.WithShape(256, 2), tensor.WithBacking(xs)))
		if err != nil {
			log.Fatal(err)
		}
		pred, err := tensor.Argmax(logits, 1)
		if err != nil {
			log.Fatal(err)
		}
		correct := 0
		for i, p := range pred.Data().([]int) {
			if int64(p) == ys[i] {
				correct++
			}
		}
		return float64(correct) / 256
	}
	acc := accuracy(eval)
	fmt.Println("accuracy above 95%:", acc > 0.95)

	// Save the weights, load them into a fresh store, and evaluate again.
	path := filepath.Join(os.TempDir(), "circle.safetensors")
	if err := models.Save(path, store); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(path)
	store2 := graph.NewStore(tensor.Float32, 7)
	eval2, err := graph.NewEvaluator(model, store2, tensor.Shape{256, 2}) // creates the tensors
	if err != nil {
		log.Fatal(err)
	}
	if err := models.Load(path, store2); err != nil {
		log.Fatal(err)
	}
	fmt.Println("same accuracy after reload:", accuracy(eval2) == acc)
	// Output:
	// accuracy above 95%: true
	// same accuracy after reload: true
}

// Save writes a store as safetensors; Load reads it back into a store holding the same model.
func ExampleSave() {
	model := models.MLP(4, []int{8}, 3, layers.Tanh{})
	src := graph.NewStore(tensor.Float64, 1)
	if _, err := graph.NewEvaluator(model, src, tensor.Shape{1, 4}); err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), "mlp.safetensors")
	defer os.Remove(path)
	if err := models.Save(path, src); err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Names())
	// Output: [0.weight 0.bias 2.weight 2.bias]
}

// Load refuses a checkpoint that does not match the model, naming the difference, and leaves the
// store unchanged.
func ExampleLoad() {
	small := graph.NewStore(tensor.Float64, 1)
	if _, err := graph.NewEvaluator(models.MLP(4, []int{8}, 3, layers.ReLU{}), small, tensor.Shape{1, 4}); err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), "small.safetensors")
	defer os.Remove(path)
	if err := models.Save(path, small); err != nil {
		log.Fatal(err)
	}
	big := graph.NewStore(tensor.Float64, 1)
	if _, err := graph.NewEvaluator(models.MLP(4, []int{8, 8}, 3, layers.ReLU{}), big, tensor.Shape{1, 4}); err != nil {
		log.Fatal(err)
	}
	err := models.Load(path, big)
	fmt.Println(err != nil)
	fmt.Println(err.Error()[len(err.Error())-len(`missing tensors ["4.weight" "4.bias"]`):])
	// Output:
	// true
	// missing tensors ["4.weight" "4.bias"]
}
