package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/pkg/errors"

	"github.com/stheno-ml/stheno/graph"
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

// write exports the model to e.path (nothing without -export-onnx).
func (e *onnxExport) write(stdout io.Writer) error {
	if e.path == "" {
		return nil
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
