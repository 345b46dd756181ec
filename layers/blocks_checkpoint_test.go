package layers_test

import (
	"flag"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"gorgonia.org/gorgonia"
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

var updateBlocks = flag.Bool("update", false, "rewrite layers/testdata/blocks_go_*.safetensors (then run tools/golden/layers.py)")

// blockShapes are the input shapes of blockModels.
var blockShapes = map[string]tensor.Shape{"mobilenet": {2, 4, 6, 6}, "resnet_stem": {1, 3, 11, 11}}

// The Go → PyTorch direction: the blocks' weights and BatchNorm statistics as Stheno made them
// (its initialisation, BatchNorm affine parameters drawn at random, running statistics moved by
// three training-mode forward passes), saved by models.Save in both dtypes
// (testdata/blocks_go_*.safetensors), were loaded by tools/golden/layers.py into the PyTorch
// modules (load_state_dict, strict) and PyTorch's eval-mode outputs stored in blocks_go.json; the
// blocks must give them here. With -update the weights are rewritten first (the outputs then need
// the generator run again).
func TestBlocksGoCheckpointInPyTorch(t *testing.T) {
	if *updateBlocks {
		writeGoBlocks(t)
		t.Skip("wrote testdata/blocks_go_*.safetensors: run /usr/bin/python3 tools/golden/layers.py to record PyTorch's outputs")
	}
	var cases map[string]struct {
		File  string   `json:"file"`
		Dtype string   `json:"dtype"`
		X     blockArr `json:"x"`
		Out   blockArr `json:"out"`
	}
	if err := golden.Load(filepath.Join("testdata", "blocks_go.json"), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2*len(blockModels) {
		t.Fatalf("%d cases, want %d (each block in both dtypes)", len(cases), 2*len(blockModels))
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			key := strings.TrimSuffix(strings.TrimSuffix(name, "_float32"), "_float64")
			m, ok := blockModels[key]
			if !ok {
				t.Fatalf("no block %q", key)
			}
			dt := tensor.Float64
			if c.Dtype == "float32" {
				dt = tensor.Float32
			}
			store := graph.NewStore(dt, 1)
			eval, err := graph.NewEvaluator(m, store, tensor.Shape(c.X.Shape))
			if err != nil {
				t.Fatal(err)
			}
			defer eval.Close()
			if err := models.Load(filepath.Join("testdata", c.File), store); err != nil {
				t.Fatal(err)
			}
			out, err := eval.Forward(golden.Tensor(dt, c.X.Shape, c.X.Data))
			if err != nil {
				t.Fatal(err)
			}
			if !out.Shape().Eq(tensor.Shape(c.Out.Shape)) {
				t.Fatalf("output shape %v, want %v", out.Shape(), c.Out.Shape)
			}
			if err := golden.Close(golden.Values(out), c.Out.Data, dt); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// writeGoBlocks writes each block's Stheno-made state in both dtypes.
func writeGoBlocks(t *testing.T) {
	for key, m := range blockModels {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			store := graph.NewStore(dt, 7)
			g := gorgonia.NewGraph()
			shape := blockShapes[key]
			x := gorgonia.NewTensor(g, dt, 4, gorgonia.WithShape(shape...), gorgonia.WithName("x"))
			if _, err := m.Forward(graph.NewBuilder(g, store, true), x); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(11))
			for _, n := range store.Names() {
				if strings.HasSuffix(n, ".weight") || strings.HasSuffix(n, ".bias") {
					if v, _ := store.Get(n); v.Dims() == 1 { // a BatchNorm's affine parameters
						off := 0.0
						if strings.HasSuffix(n, ".weight") {
							off = 1
						}
						vs := make([]float64, v.Shape().TotalSize())
						for i := range vs {
							vs[i] = off + 0.5*rng.NormFloat64()
						}
						if err := store.Set(n, golden.Tensor(dt, v.Shape(), vs)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			vm := gorgonia.NewTapeMachine(g)
			for step := 0; step < 3; step++ { // training-mode passes move the running statistics
				xs := make([]float64, shape.TotalSize())
				for i := range xs {
					xs[i] = 1 + 2*rng.NormFloat64()
				}
				if err := gorgonia.Let(x, golden.Tensor(dt, shape, xs)); err != nil {
					t.Fatal(err)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
			}
			vm.Close()
			if err := models.Save(filepath.Join("testdata", fmt.Sprintf("blocks_go_%s_%s.safetensors", key, dt)), store); err != nil {
				t.Fatal(err)
			}
		}
	}
}
