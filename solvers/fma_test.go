package solvers

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// exactFMA32 rounds x·y + z, computed exactly, to float32.
func exactFMA32(x, y, z float32) float32 {
	if math.IsNaN(float64(x)) || math.IsNaN(float64(y)) || math.IsNaN(float64(z)) ||
		math.IsInf(float64(x), 0) || math.IsInf(float64(y), 0) || math.IsInf(float64(z), 0) {
		return float32(float64(x)*float64(y) + float64(z))
	}
	var p, s big.Float
	p.SetPrec(0).SetMode(big.ToNearestEven)
	p.Mul(new(big.Float).SetFloat64(float64(x)), new(big.Float).SetFloat64(float64(y)))
	s.SetPrec(200).Add(&p, new(big.Float).SetFloat64(float64(z)))
	if s.Sign() == 0 {
		// the sign of an exact zero sum follows IEEE: -0 only if both are -0
		return float32(float64(x)*float64(y) + float64(z))
	}
	f, _ := s.Float32()
	return f
}

// TestFMA32 checks fma32 against exact arithmetic on random operands and
// on sums built to fall halfway between two float32 (where rounding
// through float64 goes wrong), in the normal and subnormal ranges.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	check := func(x, y, z float32) {
		t.Helper()
		got, want := fma32(x, y, z), exactFMA32(x, y, z)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#x), exact %g (%#x)", x, y, z, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	naive := 0
	for i := 0; i < 200000; i++ {
		x := float32(rng.NormFloat64() * math.Pow(2, float64(rng.Intn(60)-30)))
		y := float32(rng.NormFloat64() * math.Pow(2, float64(rng.Intn(60)-30)))
		z := float32(rng.NormFloat64() * math.Pow(2, float64(rng.Intn(80)-40)))
		check(x, y, z)
		// z just below the product's rounding boundary: the float64 sum is
		// a float32 midpoint while the exact sum is not.
		zz := -float32(float64(x)*float64(y)) + float32(math.Ldexp(1, rng.Intn(10)-140))
		check(x, y, zz)
		// z with an odd last bit plus a product just below half its ulp:
		// the float64 sum is exactly the float32 midpoint (a tie, rounded
		// to even, away from z) while the exact sum is below it.
		zo := math.Float32frombits(math.Float32bits(float32(math.Abs(float64(z)))+1e-30) | 1)
		_, ez := math.Frexp(float64(zo)) // zo = f·2^ez, f in [0.5, 1)
		e1 := rng.Intn(40) - 20
		xo := float32(math.Ldexp(1+0x1p-23, e1))
		yo := float32(math.Ldexp(1-0x1p-23, ez-25-e1))
		if rng.Intn(2) == 0 {
			xo, zo = -xo, -zo
		}
		check(xo, yo, zo)
		if float32(float64(xo)*float64(yo)+float64(zo)) != exactFMA32(xo, yo, zo) {
			naive++
		}
		// subnormal results
		check(float32(math.Ldexp(rng.Float64(), -70)), float32(math.Ldexp(rng.Float64(), -70)), float32(math.Ldexp(rng.NormFloat64(), -140)))
	}
	for _, c := range [][3]float32{{0, 0, 0}, {-0, 1, 0}, {1, float32(math.Inf(1)), 1}, {float32(math.NaN()), 1, 1},
		{math.MaxFloat32, 2, -math.MaxFloat32}, {1 + 0x1p-23, 1 + 0x1p-23, -1}, {1e-45, 0.5, 0}, {3, 1e-45, 1e-45}} {
		check(c[0], c[1], c[2])
	}
	t.Logf("rounding through float64 alone would have been wrong %d times", naive)
	if naive == 0 {
		t.Error("the midpoint cases never exercised double rounding: the test is too weak")
	}
}

// TestFMAGeneric checks that fma[T] is the fused operation for both dtypes.
func TestFMAGeneric(t *testing.T) {
	x, y, z := 1+0x1p-23, 1-0x1p-23, -1.0
	if got := fma(float32(x), float32(y), float32(z)); got != -0x1p-46 {
		t.Errorf("fma[float32] = %g, want %g", got, -0x1p-46)
	}
	x, y = 1+0x1p-52, 1-0x1p-52
	if got := fma(x, y, z); got != -0x1p-104 {
		t.Errorf("fma[float64] = %g, want %g", got, -0x1p-104)
	}
}
