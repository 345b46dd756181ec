package ops

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// num is a JSON number that may also be "NaN", "Inf" or "-Inf".
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = num(math.NaN())
	case `"Inf"`:
		*n = num(math.Inf(1))
	case `"-Inf"`:
		*n = num(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = num(f)
	}
	return nil
}

// goldenCase is one case written by tools/golden/ops.py. Arrays shared
// between cases are indices into goldenFile.Arrays (-1: none).
type goldenCase struct {
	Dtype       string  `json:"dtype"`
	XShape      []int   `json:"x_shape"`
	X           int     `json:"x"`
	TargetShape []int   `json:"target_shape"`
	Target      int     `json:"target"`
	TargetKind  string  `json:"target_kind"`
	Reduction   string  `json:"reduction"`
	Weight      int     `json:"weight"`
	WeightShape []int   `json:"weight_shape"`
	PosWeight   int     `json:"pos_weight"`
	Ignore      *int    `json:"ignore_index"`
	Smoothing   float64 `json:"label_smoothing"`
	OutShape    []int   `json:"out_shape"`
	Out         []num   `json:"out"`
	Gout        int     `json:"gout"`
	Grad        []num   `json:"grad"`
	Log         bool    `json:"log"`
	Axis        int     `json:"axis"`
}

type goldenFile struct {
	Torch  string       `json:"torch"`
	Arrays [][]num      `json:"arrays"`
	Cases  []goldenCase `json:"cases"`
}

func loadGolden(t *testing.T, name string) *goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatalf("%v (regenerate with /usr/bin/python3 tools/golden/ops.py)", err)
	}
	var f goldenFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
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
	out := make([]float64, len(f.Arrays[i]))
	for k, v := range f.Arrays[i] {
		out[k] = float64(v)
	}
	return out
}

func nums(v []num) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
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

func toFloat64s(v interface{}) []float64 {
	switch d := v.(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	case G.F64:
		return []float64{float64(d)}
	case G.F32:
		return []float64{float64(d)}
	}
	panic(fmt.Sprintf("toFloat64s: %T", v))
}

func valueFloats(v G.Value) []float64 {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}
	case *G.F32:
		return []float64{float64(*x)}
	}
	return toFloat64s(v.Data())
}

// closeTo reports whether got matches want within rtol relative to each
// value plus atol times the largest magnitude in want (values that cancel
// to ~0 carry the rounding error of the largest ones: for float32 ~1e-7 of
// it). NaNs must match NaNs, infinities must be equal.
func closeTo(got, want []float64, rtol, atol float64) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	var scale float64
	for _, w := range want {
		if !math.IsInf(w, 0) && !math.IsNaN(w) {
			scale = math.Max(scale, math.Abs(w))
		}
	}
	for i := range got {
		g, w := got[i], want[i]
		switch {
		case math.IsNaN(w) || math.IsNaN(g):
			if !(math.IsNaN(w) && math.IsNaN(g)) {
				return i, false
			}
		case math.IsInf(w, 0) || math.IsInf(g, 0):
			if g != w {
				return i, false
			}
		case math.Abs(g-w) > rtol*math.Abs(w)+atol*scale+1e-300:
			return i, false
		}
	}
	return 0, true
}

// tolFor returns the relative and the scale-relative tolerances.
func tolFor(dt tensor.Dtype) (rtol, atol float64) {
	if dt == tensor.Float32 {
		return 1e-5, 1e-6
	}
	return 1e-10, 1e-13
}
