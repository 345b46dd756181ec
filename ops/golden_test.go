package ops

import (
	"path/filepath"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/ops/optest"

	"gorgonia.org/tensor"
)

// goldenCase is one case written by tools/golden/ops.py. Arrays shared
// between cases are indices into goldenFile.Arrays (-1: none).
type goldenCase struct {
	Dtype       string       `json:"dtype"`
	XShape      []int        `json:"x_shape"`
	X           int          `json:"x"`
	TargetShape []int        `json:"target_shape"`
	Target      int          `json:"target"`
	TargetKind  string       `json:"target_kind"`
	Reduction   string       `json:"reduction"`
	Weight      int          `json:"weight"`
	WeightShape []int        `json:"weight_shape"`
	PosWeight   int          `json:"pos_weight"`
	Ignore      *int         `json:"ignore_index"`
	Smoothing   float64      `json:"label_smoothing"`
	OutShape    []int        `json:"out_shape"`
	Out         []golden.Num `json:"out"`
	Gout        int          `json:"gout"`
	Grad        []golden.Num `json:"grad"`
	Log         bool         `json:"log"`
	Axis        int          `json:"axis"`

	// regression and distribution losses
	GradTarget []golden.Num `json:"grad_target"`
	Var        *int         `json:"var"`
	VarShape   []int        `json:"var_shape"`
	GradVar    []golden.Num `json:"grad_var"`
	Beta       *float64     `json:"beta"`
	Delta      *float64     `json:"delta"`
	LogTarget  bool         `json:"log_target"`
	Full       bool         `json:"full"`
	Eps        *float64     `json:"eps"`
	LogInput   *bool        `json:"log_input"`
}

type goldenFile struct {
	Torch  string         `json:"torch"`
	Arrays [][]golden.Num `json:"arrays"`
	Cases  []goldenCase   `json:"cases"`
}

func loadGolden(t *testing.T, name string) *goldenFile {
	t.Helper()
	var f goldenFile
	if err := golden.Load(filepath.Join("testdata", name+".json"), &f); err != nil {
		t.Fatalf("%v (regenerate with /usr/bin/python3 tools/golden/ops.py)", err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return &f
}

func (f *goldenFile) arr(i int) []float64 {
	if i < 0 {
		return nil
	}
	return golden.Floats(f.Arrays[i])
}

func dtypeOf(s string) tensor.Dtype {
	if s == "float32" {
		return tensor.Float32
	}
	return tensor.Float64
}

// floatTensor makes a tensor of dtype dt from float64 values.
func floatTensor(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		b := make([]float32, len(v))
		for i, x := range v {
			b[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// indexTensor makes a class-index tensor of dtype Int, Int64 or Int32.
func indexTensor(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	var back interface{}
	switch dt {
	case tensor.Int64:
		b := make([]int64, len(v))
		for i, x := range v {
			b[i] = int64(x)
		}
		back = b
	case tensor.Int32:
		b := make([]int32, len(v))
		for i, x := range v {
			b[i] = int32(x)
		}
		back = b
	default:
		b := make([]int, len(v))
		for i, x := range v {
			b[i] = int(x)
		}
		back = b
	}
	if len(shape) == 0 {
		return tensor.New(tensor.FromScalar(reflectFirst(back)))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(back))
}

func reflectFirst(s interface{}) interface{} {
	switch b := s.(type) {
	case []int:
		return b[0]
	case []int64:
		return b[0]
	case []int32:
		return b[0]
	}
	panic("unreachable")
}

// valueFloats returns a value's elements as float64.
var valueFloats = optest.Floats
