package solvers

import (
	"math"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestClipGradNormFunction(t *testing.T) {
	a := newTestParam("a", tensor.Float64, []int{2}, []float64{0, 0})
	b := newTestParam("b", tensor.Float32, []int{1}, []float64{0})
	a.setGrad([]float64{3, 0})
	b.setGrad([]float64{4})
	model := []gorgonia.ValueGrad{a, b}
	n, err := ClipGradNorm(model, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("norm %v, want 5", n)
	}
	after, _ := GlobalGradNorm(model)
	if math.Abs(after-1) > 1e-6 {
		t.Errorf("norm after clipping %v, want 1", after)
	}
	if _, err := ClipGradNorm(model, -1); err == nil {
		t.Error("negative maxNorm: no error")
	}
}
