package golden

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestNum(t *testing.T) {
	var v []Num
	if err := json.Unmarshal([]byte(`[1.5, "NaN", "Inf", "-Inf"]`), &v); err != nil {
		t.Fatal(err)
	}
	f := Floats(v)
	if f[0] != 1.5 || !math.IsNaN(f[1]) || !math.IsInf(f[2], 1) || !math.IsInf(f[3], -1) {
		t.Fatalf("decoded %v", f)
	}
	if err := json.Unmarshal([]byte(`["x"]`), &v); err == nil {
		t.Fatal("a bad string decoded")
	}
}

func TestClose(t *testing.T) {
	want := []float64{1, 1000, math.NaN(), math.Inf(1)}
	if err := Close([]float64{1 + 1e-12, 1000, math.NaN(), math.Inf(1)}, want, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if err := Close([]float64{1 + 1e-8, 1000, math.NaN(), math.Inf(1)}, want, tensor.Float64); err == nil ||
		!strings.Contains(err.Error(), "element 0") {
		t.Fatalf("want element 0 to differ, got %v", err)
	}
	if err := Close([]float64{1 + 1e-8, 1000, math.NaN(), math.Inf(1)}, want, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	if err := Close([]float64{1, 1000, 0, math.Inf(1)}, want, tensor.Float64); err == nil {
		t.Fatal("0 matched NaN")
	}
	if err := Close([]float64{1}, want, tensor.Float64); err == nil {
		t.Fatal("lengths differ")
	}
	// A value near zero is judged against the largest magnitude.
	if i := Diff([]float64{1e-14, 100}, []float64{0, 100}, 1e-10, 1e-13); i != -1 {
		t.Fatalf("cancellation error flagged at %d", i)
	}
}

func TestNumGrad(t *testing.T) {
	x := []float64{0.5, -2, 3}
	f := func() float64 { return x[0]*x[0] + math.Sin(x[1]) + x[0]*x[2] }
	g := NumGrad(f, x, 1e-6)
	want := []float64{2*0.5 + 3, math.Cos(-2), 0.5}
	if _, e := GradErr(want, g); e > 1e-6 {
		t.Fatalf("numeric gradient %v, want %v (err %g)", g, want, e)
	}
	if x[0] != 0.5 || x[1] != -2 || x[2] != 3 {
		t.Fatal("x not restored")
	}
	if i, e := GradErr([]float64{want[0], 0, want[2]}, g); i != 1 || e < 0.5 {
		t.Fatalf("wrong gradient not found: %d %g", i, e)
	}
}

func TestTensor(t *testing.T) {
	x := Tensor(Dtype("float32"), []int{2}, []float64{1.5, 2})
	if d, ok := x.Data().([]float32); !ok || d[0] != 1.5 || x.Shape()[0] != 2 {
		t.Fatalf("float32 tensor %v", x)
	}
	v := []float64{3, 4}
	y := Tensor(Dtype("float64"), []int{1, 2}, v)
	v[0] = 0
	if d := y.Data().([]float64); d[0] != 3 || y.Dtype() != tensor.Float64 {
		t.Fatalf("float64 tensor %v shares or lost data", y)
	}
}

func TestValues(t *testing.T) {
	if v := Values(tensor.New(tensor.WithBacking([]float32{1, 2.5}))); len(v) != 2 || v[1] != 2.5 {
		t.Fatalf("float32 values %v", v)
	}
	if v := Values(tensor.New(tensor.FromScalar(3.0))); len(v) != 1 || v[0] != 3 {
		t.Fatalf("scalar values %v", v)
	}
	if v := Values(tensor.New(tensor.WithBacking([]int{1}))); v != nil {
		t.Fatalf("int values %v", v)
	}
}
