// Package golden holds Stheno's test helpers for values computed by
// PyTorch: JSON numbers that may be NaN or infinite, loading a golden
// file, one tolerance rule for both dtypes, and a finite-difference
// gradient. It is imported only by tests and by the exported test
// harnesses (ops/optest).
package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"gorgonia.org/tensor"
)

// Num is a JSON number that may also be the string "NaN", "Inf" or "-Inf"
// (how tools/golden/*.py write non-finite values).
type Num float64

// UnmarshalJSON reads a number or one of the non-finite strings.
func (n *Num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = Num(math.NaN())
	case `"Inf"`:
		*n = Num(math.Inf(1))
	case `"-Inf"`:
		*n = Num(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = Num(f)
	}
	return nil
}

// Floats converts a slice of Num.
func Floats(ns []Num) []float64 {
	out := make([]float64, len(ns))
	for i, n := range ns {
		out[i] = float64(n)
	}
	return out
}

// Load decodes the JSON file at path into v.
func Load(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Tol returns the tolerance rule for a dtype: rtol relative to each value
// and atol relative to the largest magnitude of the expected values (terms
// that cancel to ~0 carry the rounding error of the largest ones).
// float64: 1e-10 and 1e-13; float32: 1e-5 and 1e-6.
func Tol(dt tensor.Dtype) (rtol, atol float64) {
	if dt == tensor.Float32 {
		return 1e-5, 1e-6
	}
	return 1e-10, 1e-13
}

// Diff returns the index of the first element of got that is not within
// the tolerance of want, or -1 when all are. NaN must meet NaN and an
// infinity must meet the same infinity. Slices of different lengths
// differ at index min(len).
func Diff(got, want []float64, rtol, atol float64) int {
	if len(got) != len(want) {
		return min(len(got), len(want))
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
				return i
			}
		case math.IsInf(w, 0) || math.IsInf(g, 0):
			if g != w {
				return i
			}
		case math.Abs(g-w) > rtol*math.Abs(w)+atol*scale+1e-300:
			return i
		}
	}
	return -1
}

// Close reports whether got matches want under Tol(dt); on a mismatch the
// error names the first differing index and both values.
func Close(got, want []float64, dt tensor.Dtype) error {
	rtol, atol := Tol(dt)
	i := Diff(got, want, rtol, atol)
	switch {
	case i < 0:
		return nil
	case len(got) != len(want):
		return fmt.Errorf("got %d values, want %d", len(got), len(want))
	default:
		return fmt.Errorf("element %d: got %.17g, want %.17g (rtol %g, atol %g)", i, got[i], want[i], rtol, atol)
	}
}

// NumGrad returns the central finite-difference gradient of f at x with
// step h·max(1,|x_i|): x is perturbed in place one element at a time and
// restored exactly.
func NumGrad(f func() float64, x []float64, h float64) []float64 {
	g := make([]float64, len(x))
	for i, xi := range x {
		step := h * math.Max(1, math.Abs(xi))
		x[i] = xi + step
		fp := f()
		x[i] = xi - step
		fm := f()
		x[i] = xi
		g[i] = (fp - fm) / (2 * step)
	}
	return g
}

// GradErr compares an analytic gradient with a numeric one: it returns the
// index of the worst element and its error |a−n| / max(1e-3·scale, |n|),
// where scale is the largest magnitude of the numeric gradient. Central
// differences with h = 1e-6 in float64 reach ~1e-7; callers typically
// require GradErr < 1e-5.
func GradErr(analytic, numeric []float64) (worst int, err float64) {
	var scale float64
	for _, n := range numeric {
		scale = math.Max(scale, math.Abs(n))
	}
	floor := math.Max(1e-3*scale, 1e-8)
	worst = -1
	for i := range numeric {
		e := math.Abs(analytic[i]-numeric[i]) / math.Max(floor, math.Abs(numeric[i]))
		if e > err || worst < 0 {
			worst, err = i, e
		}
	}
	return worst, err
}

// Dtype returns the tensor dtype a golden file names: "float32" or (any
// other name) float64.
func Dtype(name string) tensor.Dtype {
	if name == "float32" {
		return tensor.Float32
	}
	return tensor.Float64
}

// Tensor returns a dense tensor of dtype dt (float32 or float64) and the
// given shape holding v, converted; v is copied.
func Tensor(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// Values returns the float32 or float64 data of v (a tensor, a gorgonia
// value or a scalar) as a new []float64; other data is nil.
func Values(v interface{ Data() any }) []float64 {
	switch d := v.Data().(type) {
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
	}
	return nil
}
