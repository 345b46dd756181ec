package models

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

var update = flag.Bool("update", false, "rewrite models/testdata/go_*.safetensors and go_logits.json")

// goldenCase is one model of the checkpoint cross-check with PyTorch (tools/golden/checkpoint.py).
type goldenCase struct {
	File        string    `json:"file"`
	Dtype       string    `json:"dtype"`
	InputShape  []int     `json:"input_shape"`
	Input       []float64 `json:"input"`
	Logits      []float64 `json:"logits"`
	LogitsShape []int     `json:"logits_shape"`
}

// goldenModels are the models checkpoint.py rebuilds in PyTorch: key -> (module, input shape).
var goldenModels = map[string]struct {
	m     graph.Module
	shape tensor.Shape
}{
	"mlp": {MLP(4, []int{8}, 3, layers.ReLU{}), tensor.Shape{2, 4}},
	"cnn": {CNN(tinyCNN), tensor.Shape{2, 1, 8, 8}},
	"bn": {layers.Sequential{
		layers.Conv2D{In: 1, Out: 2, Kernel: 3, Padding: 1}, layers.BatchNorm2D{Features: 2}, layers.ReLU{},
		layers.Flatten{}, layers.Linear{In: 32, Out: 3},
	}, tensor.Shape{2, 1, 4, 4}},
}

// logitsOf builds key's model on a fresh store, loads the checkpoint file and returns the logits for c's input.
func logitsOf(t *testing.T, key string, c goldenCase) []float64 {
	t.Helper()
	gm := goldenModels[key]
	dt := golden.Dtype(c.Dtype)
	s := graph.NewStore(dt, 99)
	ev, err := graph.NewEvaluator(gm.m, s, tensor.Shape(c.InputShape))
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if err := Load(filepath.Join("testdata", c.File), s); err != nil {
		t.Fatal(err)
	}
	out, err := ev.Forward(golden.Tensor(dt, c.InputShape, c.Input))
	if err != nil {
		t.Fatal(err)
	}
	v, err := float64s(out)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readGolden(t *testing.T, name string) map[string]goldenCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]goldenCase
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func compareLogits(t *testing.T, what string, dt tensor.Dtype, got, want []float64) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%s: %d logits, want %d", what, len(got), len(want))
	}
	tol := 1e-10
	if dt == tensor.Float32 {
		tol = 1e-5
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s: logit %d = %.12g, want %.12g", what, i, got[i], want[i])
		}
	}
}

// TestGoCheckpointGolden checks the committed Go-trained checkpoints (which checkpoint.py verified
// against PyTorch) still load and give the stored logits. With -update it first trains the models
// briefly on random data and rewrites the checkpoints and logits.
func TestGoCheckpointGolden(t *testing.T) {
	if *update {
		writeGoGolden(t)
	}
	for key, c := range readGolden(t, "go_logits.json") {
		compareLogits(t, "Go "+key, golden.Dtype(c.Dtype), logitsOf(t, key, c), c.Logits)
	}
}

// TestTorchCheckpoint loads checkpoints written by PyTorch (tools/golden/checkpoint.py) and checks the
// Go models give torch's logits.
func TestTorchCheckpoint(t *testing.T) {
	for key, c := range readGolden(t, "torch_logits.json") {
		if _, ok := goldenModels[key]; !ok {
			t.Errorf("no Go model for %q", key)
			continue
		}
		compareLogits(t, "torch "+key, golden.Dtype(c.Dtype), logitsOf(t, key, c), c.Logits)
	}
	// torch's int64 scalar counter loads into the store's (1)-shaped float buffer
	s := graph.NewStore(tensor.Float32, 1)
	if _, err := graph.NewEvaluator(goldenModels["bn"].m, s, goldenModels["bn"].shape); err != nil {
		t.Fatal(err)
	}
	if err := Load(filepath.Join("testdata", "torch_bn.safetensors"), s); err != nil {
		t.Fatal(err)
	}
	nb, _ := s.Get("1.num_batches_tracked")
	if v, _ := float64s(nb); len(v) != 1 || v[0] != 3 {
		t.Errorf("num_batches_tracked = %v, want [3]", v)
	}
}

// writeGoGolden trains every golden model for 20 Adam steps and writes its checkpoint and logits.
func writeGoGolden(t *testing.T) {
	dtypes := map[string]string{"mlp": "float64", "cnn": "float32", "bn": "float64"}
	out := map[string]goldenCase{}
	for key, gm := range goldenModels {
		dt := golden.Dtype(dtypes[key])
		s := graph.NewStore(dt, 2024)
		adam, err := solvers.NewAdam(solvers.WithLearnRate(0.05))
		if err != nil {
			t.Fatal(err)
		}
		batch := gm.shape.Clone()
		batch[0] = 8
		loss := func(o, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(o, y) }
		tr, err := graph.NewTrainer(gm.m, s, batch, tensor.Int64, tensor.Shape{8}, loss, adam)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(3))
		xs := make([]float64, batch.TotalSize())
		for i := range xs {
			xs[i] = rng.NormFloat64()
		}
		ys := make([]int64, 8)
		for i := range ys {
			ys[i] = int64(rng.Intn(3))
		}
		for i := 0; i < 20; i++ {
			if _, err := tr.Step(golden.Tensor(dt, batch, xs), tensor.New(tensor.WithBacking(ys))); err != nil {
				t.Fatal(err)
			}
		}
		tr.Close()
		c := goldenCase{File: "go_" + key + ".safetensors", Dtype: dtypes[key], InputShape: gm.shape}
		for i := 0; i < gm.shape.TotalSize(); i++ {
			c.Input = append(c.Input, math.Sin(0.37*float64(i)+0.1))
		}
		if err := Save(filepath.Join("testdata", c.File), s); err != nil {
			t.Fatal(err)
		}
		c.Logits = logitsOf(t, key, c)
		c.LogitsShape = []int{gm.shape[0], 3}
		out[key] = c
	}
	raw, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "go_logits.json"), append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
