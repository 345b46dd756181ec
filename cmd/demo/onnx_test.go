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
	"github.com/stheno-ml/stheno/onnx"
)

// TestExportONNX trains the MLP briefly with -export-onnx and checks that the ONNX file holds the
// trained weights: it is exactly the export of the run's store, and not that of a fresh one. (The
// onnx package's tests run this architecture, trained, in ONNX Runtime.)
func TestExportONNX(t *testing.T) {
	cfg := testConfig(t, "mlp", 640, 1, 64)
	cfg.testLimit = 500
	cfg.ExportONNX = filepath.Join(t.TempDir(), "mlp.onnx")
	exp := &onnxExport{path: cfg.ExportONNX}
	if _, err := run(context.Background(), cfg, nil, exp.wrap(newGraphProgram), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := exp.write(nil, &out); err != nil {
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
	want, err := onnx.Marshal(m, exp.store, 784) // the weights the run trained
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the exported model differs from the export of the run's trained weights")
	}

	// -resume of the finished run trains nothing: the export comes from its checkpoint.
	again, _, err := parseFlags([]string{"-resume", "-out", cfg.Out, "-export-onnx", cfg.ExportONNX + "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	exp2 := &onnxExport{path: again.ExportONNX}
	res, err := run(context.Background(), again, map[string]bool{"resume": true, "out": true}, exp2.wrap(newGraphProgram), io.Discard, io.Discard)
	if err != nil || !res.AlreadyDone {
		t.Fatalf("resume of a finished run: %v, %+v", err, res)
	}
	if err := exp2.write(res, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got2, err := os.ReadFile(again.ExportONNX); err != nil || !bytes.Equal(got2, got) {
		t.Errorf("the export of the finished run's checkpoint differs from the one after training (%v)", err)
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
	if err := (&onnxExport{}).write(nil, &out); err != nil || out.Len() != 0 {
		t.Errorf("without -export-onnx: %v, %q", err, out.String())
	}
	if err := (&onnxExport{path: "x.onnx"}).write(nil, &out); err == nil {
		t.Error("no error exporting before a model was built")
	}
}
