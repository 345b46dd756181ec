package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/onnx"
)

// TestExportONNX trains the MLP briefly with -export-onnx and checks that the ONNX file holds the
// trained weights: it is exactly the export of a store loaded from the run's checkpoint. (The
// onnx package's tests run this architecture in ONNX Runtime.)
func TestExportONNX(t *testing.T) {
	cfg := testConfig(t, "mlp", 640, 1, 64)
	cfg.testLimit = 500
	cfg.ExportONNX = filepath.Join(t.TempDir(), "mlp.onnx")
	exp := &onnxExport{path: cfg.ExportONNX}
	if _, err := run(context.Background(), cfg, nil, exp.wrap(newGraphProgram), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := exp.write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `input "input" (N, 784)`) {
		t.Errorf("output %q", out.String())
	}
	got, err := os.ReadFile(cfg.ExportONNX)
	if err != nil {
		t.Fatal(err)
	}
	s := graph.NewStore(tensor.Float32, 99)
	m, _ := buildModel(cfg, 28, 28, 10, 1)
	fresh, err := onnx.Marshal(m, s, 784) // creates the store's tensors, untrained
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, fresh) {
		t.Fatal("the exported model has untrained weights")
	}
	g, _ := readRunState(t, cfg.Out)
	if err := models.Load(g.Path(weightsFile), s); err != nil {
		t.Fatal(err)
	}
	want, err := onnx.Marshal(m, s, 784)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the exported model differs from the export of the run's checkpoint")
	}
}

// TestExportONNXFlag: the flag is parsed, is not part of the saved run, and without it nothing
// is written.
func TestExportONNXFlag(t *testing.T) {
	cfg, _, err := parseFlags([]string{"-export-onnx", "m.onnx"}, io.Discard)
	if err != nil || cfg.ExportONNX != "m.onnx" {
		t.Fatalf("ExportONNX %q, err %v", cfg.ExportONNX, err)
	}
	var out bytes.Buffer
	if err := (&onnxExport{}).write(&out); err != nil || out.Len() != 0 {
		t.Errorf("without -export-onnx: %v, %q", err, out.String())
	}
	if err := (&onnxExport{path: "x.onnx"}).write(&out); err == nil {
		t.Error("no error exporting before a model was built")
	}
}
