package num

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestDtype(t *testing.T) {
	if Dtype[float32]() != tensor.Float32 || Dtype[float64]() != tensor.Float64 {
		t.Fatal("wrong dtypes")
	}
	if !Is32[float32]() || Is32[float64]() {
		t.Fatal("Is32 wrong")
	}
}

func TestData(t *testing.T) {
	x := tensor.New(tensor.WithBacking([]float32{1, 2}))
	d, err := Data[float32](x)
	if err != nil || len(d) != 2 || d[1] != 2 {
		t.Fatalf("Data[float32] = %v, %v", d, err)
	}
	if _, err := Data[float64](x); err == nil || err.Error() != "data is []float32, want []float64" {
		t.Fatalf("want dtype error, got %v", err)
	}
}

func TestGrowZeros(t *testing.T) {
	b := make([]float64, 2, 8)
	b[0] = 3
	g := Grow(b, 5)
	if len(g) != 5 || &g[0] != &b[0] || g[0] != 3 {
		t.Fatal("Grow reallocated within capacity or lost data")
	}
	if g := Grow(b, 9); len(g) != 9 || &g[0] == &b[0] {
		t.Fatal("Grow beyond capacity must reallocate")
	}
	z := Zeros(b, 4)
	for _, v := range z {
		if v != 0 {
			t.Fatal("Zeros left data")
		}
	}
}

func TestShapes(t *testing.T) {
	if !SameShape(tensor.Shape{2, 3}, tensor.Shape{2, 3}) || SameShape(tensor.Shape{2, 3}, tensor.Shape{3, 2}) ||
		SameShape(tensor.Shape{6}, tensor.Shape{6, 1}) {
		t.Fatal("SameShape wrong")
	}
	if n, ok := Elems(tensor.Shape{2, 3, 4}); !ok || n != 24 {
		t.Fatal("Elems wrong")
	}
	if n, ok := Elems(tensor.Shape{0, 5}); !ok || n != 0 {
		t.Fatal("Elems of a zero dim")
	}
	if _, ok := Elems(tensor.Shape{math.MaxInt / 2, 3}); ok {
		t.Fatal("Elems overflow not caught")
	}
	if _, ok := Elems(tensor.Shape{-1}); ok {
		t.Fatal("negative dim not caught")
	}
}

func TestScalar(t *testing.T) {
	for _, c := range []struct {
		v    interface{ Data() any }
		want float64
		ok   bool
	}{
		{tensor.New(tensor.FromScalar(2.5)), 2.5, true},
		{tensor.New(tensor.FromScalar(float32(1.5))), 1.5, true},
		{tensor.New(tensor.WithBacking([]float32{3})), 3, true},
		{tensor.New(tensor.WithBacking([]float64{1, 2})), 0, false},
		{tensor.New(tensor.WithBacking([]int{1})), 0, false},
	} {
		if x, ok := Scalar(c.v); x != c.want || ok != c.ok {
			t.Errorf("Scalar(%v) = %v, %v; want %v, %v", c.v, x, ok, c.want, c.ok)
		}
	}
}
