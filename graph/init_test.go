package graph

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"
)

func moments(x []float64) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		mean += v
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	std = math.Sqrt(std / float64(len(x)))
	return
}

func TestFanInOut(t *testing.T) {
	for _, c := range []struct {
		shape   tensor.Shape
		in, out int
	}{
		{tensor.Shape{10, 20}, 20, 10},
		{tensor.Shape{32, 3, 5, 5}, 75, 800},
		{tensor.Shape{7}, 7, 7},
		{tensor.Shape{}, 1, 1},
	} {
		in, out := FanInOut(c.shape)
		if in != c.in || out != c.out {
			t.Errorf("FanInOut(%v) = %d, %d; want %d, %d", c.shape, in, out, c.in, c.out)
		}
	}
}

// TestInitializerStatistics checks every initialiser's bounds, mean and standard deviation
// against the PyTorch formulas on a large sample.
func TestInitializerStatistics(t *testing.T) {
	shape := tensor.Shape{200, 100, 3, 3} // fanIn 900, fanOut 1800
	fanIn, fanOut := 900.0, 1800.0
	n := shape.TotalSize()
	a := math.Sqrt(5)
	xb := 2 * math.Sqrt(6/(fanIn+fanOut))
	kb := math.Sqrt(3) * math.Sqrt(2/(1+a*a)) / math.Sqrt(fanIn)
	for _, c := range []struct {
		name      string
		init      Initializer
		mean, std float64
		bound     float64 // 0: unbounded
	}{
		{"Uniform", Uniform(-2, 4), 1, 6 / math.Sqrt(12), 0},
		{"Normal", Normal(3, 0.5), 3, 0.5, 0},
		{"XavierUniform", XavierUniform(2), 0, xb / math.Sqrt(3), xb},
		{"XavierNormal", XavierNormal(2), 0, 2 * math.Sqrt(2/(fanIn+fanOut)), 0},
		{"KaimingUniform", KaimingUniform(a), 0, kb / math.Sqrt(3), kb},
		{"KaimingNormal", KaimingNormal(0), 0, math.Sqrt(2) / math.Sqrt(fanIn), 0},
	} {
		dst := make([]float64, n)
		c.init(rand.New(rand.NewSource(1)), shape, dst)
		mean, std, lo, hi := moments(dst)
		// sampling error of the mean is std/sqrt(n) ≈ std/1300; allow 5 sigma.
		if math.Abs(mean-c.mean) > 5*c.std/math.Sqrt(float64(n)) {
			t.Errorf("%s: mean %g, want %g", c.name, mean, c.mean)
		}
		if math.Abs(std-c.std)/c.std > 0.01 {
			t.Errorf("%s: std %g, want %g", c.name, std, c.std)
		}
		if c.bound > 0 {
			if lo < -c.bound || hi > c.bound {
				t.Errorf("%s: range [%g, %g] outside ±%g", c.name, lo, hi, c.bound)
			}
			if lo > -0.99*c.bound || hi < 0.99*c.bound {
				t.Errorf("%s: range [%g, %g] does not fill ±%g", c.name, lo, hi, c.bound)
			}
		}
	}
	if lo, hi := -2.0, 4.0; true {
		dst := make([]float64, n)
		Uniform(lo, hi)(rand.New(rand.NewSource(1)), shape, dst)
		_, _, mn, mx := moments(dst)
		if mn < lo || mx >= hi {
			t.Errorf("Uniform(-2,4) range [%g, %g]", mn, mx)
		}
	}
}

func TestConstantAndZeros(t *testing.T) {
	dst := []float64{1, 2, 3}
	Constant(2.5)(nil, tensor.Shape{3}, dst)
	for _, v := range dst {
		if v != 2.5 {
			t.Fatalf("Constant: %v", dst)
		}
	}
	Zeros()(nil, tensor.Shape{3}, dst)
	for _, v := range dst {
		if v != 0 {
			t.Fatalf("Zeros: %v", dst)
		}
	}
}

func TestInitializerSeeded(t *testing.T) {
	a := make([]float64, 50)
	b := make([]float64, 50)
	KaimingUniform(math.Sqrt(5))(rand.New(rand.NewSource(7)), tensor.Shape{5, 10}, a)
	KaimingUniform(math.Sqrt(5))(rand.New(rand.NewSource(7)), tensor.Shape{5, 10}, b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different values at %d: %g vs %g", i, a[i], b[i])
		}
	}
	KaimingUniform(math.Sqrt(5))(rand.New(rand.NewSource(8)), tensor.Shape{5, 10}, b)
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("different seeds gave the same values")
	}
}
