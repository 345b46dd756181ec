package layers_test

import (
	"path/filepath"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"gorgonia.org/tensor"
)

// blockModels are the models of tools/golden/layers.py's write_block_checkpoints.
var blockModels = map[string]graph.Module{
	"mobilenet": layers.Sequential{
		layers.Conv2D{In: 4, Out: 4, Kernel: 3, Padding: 1, Groups: 4, NoBias: true}, layers.BatchNorm2D{Features: 4}, layers.ReLU{},
		layers.Conv2D{In: 4, Out: 8, Kernel: 1, NoBias: true}, layers.BatchNorm2D{Features: 8}, layers.ReLU{},
	},
	"resnet_stem": layers.Sequential{
		layers.Conv2D{In: 3, Out: 4, Kernel: 7, Stride: 2, Padding: 3, NoBias: true}, layers.BatchNorm2D{Features: 4}, layers.ReLU{},
		layers.MaxPool2D{Kernel: 3, Stride: 2, Padding: 1, CeilMode: true},
	},
}

type blockArr struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// A MobileNet-style block (depthwise + pointwise convolutions, BatchNorm) and a ResNet stem (7×7/2
// convolution, ceil-mode pooling) load PyTorch's state_dicts from safetensors with models.Load and
// give PyTorch's eval-mode outputs; saved by Stheno and loaded again, they give the same bits.
func TestBlocksLoadPyTorchSafetensors(t *testing.T) {
	var cases map[string]struct {
		File string   `json:"file"`
		X    blockArr `json:"x"`
		Out  blockArr `json:"out"`
	}
	if err := golden.Load(filepath.Join("testdata", "blocks_torch.json"), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != len(blockModels) {
		t.Fatalf("%d cases, want %d", len(cases), len(blockModels))
	}
	for key, c := range cases {
		t.Run(key, func(t *testing.T) {
			m := blockModels[key]
			x := make([]float32, len(c.X.Data))
			for i, v := range c.X.Data {
				x[i] = float32(v)
			}
			saved := filepath.Join(t.TempDir(), key+".safetensors")
			run := func(load string) []float64 {
				store := graph.NewStore(tensor.Float32, 1)
				eval, err := graph.NewEvaluator(m, store, tensor.Shape(c.X.Shape)) // creates the tensors
				if err != nil {
					t.Fatal(err)
				}
				defer eval.Close()
				if err := models.Load(load, store); err != nil {
					t.Fatal(err)
				}
				out, err := eval.Forward(tensor.New(tensor.WithShape(c.X.Shape...), tensor.WithBacking(append([]float32(nil), x...))))
				if err != nil {
					t.Fatal(err)
				}
				if !out.Shape().Eq(tensor.Shape(c.Out.Shape)) {
					t.Fatalf("output shape %v, want %v", out.Shape(), c.Out.Shape)
				}
				if err := models.Save(saved, store); err != nil { // what was loaded, for the round trip
					t.Fatal(err)
				}
				var r []float64
				for _, v := range out.Data().([]float32) {
					r = append(r, float64(v))
				}
				return r
			}
			got := run(filepath.Join("testdata", c.File))
			if err := golden.Close(got, c.Out.Data, tensor.Float32); err != nil {
				t.Fatal(err)
			}
			again := run(saved)
			for i := range got {
				if got[i] != again[i] {
					t.Fatalf("after a Stheno save and load, element %d is %v, was %v", i, again[i], got[i])
				}
			}
		})
	}
}
