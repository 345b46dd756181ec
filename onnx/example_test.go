package onnx_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/onnx"
)

// Export an MLP for 784-feature inputs; in ONNX its input is "input" of shape (N, 784) and its
// output "output" of shape (N, 10), with initializers "0.weight", "0.bias", "2.weight", "2.bias".
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "onnx-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store := graph.NewStore(tensor.Float32, 1) // in a real program: the trained weights
	mlp := models.MLP(784, []int{128}, 10, layers.ReLU{})
	path := filepath.Join(dir, "mlp.onnx")
	if err := onnx.WriteFile(path, mlp, store, 784); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	// 101,770 float32 weights of 4 bytes, plus the graph.
	fmt.Println(store.Names(), fi.Size() > 4*101770)
	// Output: [0.weight 0.bias 2.weight 2.bias] true
}
