package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/data/mnist"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/onnx"
)

// onnxExport writes the trained model as ONNX after a run (flag -export-onnx FILE): it remembers
// the store and image size of the program the run builds.
type onnxExport struct {
	path                string
	cfg                 Config
	store               *graph.Store
	rows, cols, classes int
}

// wrap returns newProgram, noting the store of the program it builds.
func (e *onnxExport) wrap(newProgram newProgramFunc) newProgramFunc {
	if e.path == "" {
		return newProgram
	}
	return func(cfg Config, rows, cols, classes, stepsPerEpoch int) (program, error) {
		p, err := newProgram(cfg, rows, cols, classes, stepsPerEpoch)
		if gp, ok := p.(*graphProgram); ok {
			e.cfg, e.store, e.rows, e.cols, e.classes = cfg, gp.store, rows, cols, classes
		}
		return p, err
	}
}

// write exports the model of the run that gave res to e.path (nothing without -export-onnx).
// A -resume of a finished run trains nothing; then the weights come from its checkpoint.
func (e *onnxExport) write(res *Result, stdout io.Writer) error {
	if e.path == "" {
		return nil
	}
	if e.store == nil && res != nil && res.AlreadyDone {
		if err := e.fromCheckpoint(res.Config); err != nil {
			return errors.Wrap(err, "-export-onnx")
		}
	}
	if e.store == nil {
		return errors.New("-export-onnx: no model was built")
	}
	m, shape := buildModel(e.cfg, e.rows, e.cols, e.classes, 1)
	if err := onnx.WriteFile(e.path, m, e.store, shape[1:]...); err != nil {
		return errors.Wrap(err, "-export-onnx")
	}
	fmt.Fprintf(stdout, "  %s  ONNX model (opset %d, %s, input %q (N, %s), output %q)\n",
		e.path, onnx.Opset, e.cfg.Dtype, onnx.InputName, strings.Trim(fmt.Sprint(shape[1:]), "()"), onnx.OutputName)
	return nil
}

// fromCheckpoint loads the model of the finished run cfg from its latest checkpoint.
func (e *onnxExport) fromCheckpoint(cfg Config) error {
	dir := cfg.Data
	if dir == "" {
		var err error
		if dir, err = mnist.Dir(); err != nil {
			return err
		}
	}
	train, _, err := data.LoadMNIST(dir) // for the image size and the number of classes
	if err != nil {
		return err
	}
	mgr, err := checkpoint.New(cfg.Out)
	if err != nil {
		return err
	}
	gen, err := mgr.Latest()
	if err != nil {
		return err
	}
	dt := tensor.Float32
	if cfg.Dtype == "float64" {
		dt = tensor.Float64
	}
	s := graph.NewStore(dt, cfg.Seed)
	m, shape := buildModel(cfg, train.Rows, train.Cols, train.Classes, 1)
	if _, err := onnx.Marshal(m, s, shape[1:]...); err != nil { // creates the store's tensors
		return err
	}
	if err := models.Load(gen.Path(weightsFile), s); err != nil {
		return err
	}
	e.cfg, e.store, e.rows, e.cols, e.classes = cfg, s, train.Rows, train.Cols, train.Classes
	return nil
}
