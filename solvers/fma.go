package solvers

import (
	"math"
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
)

// fma returns x·y + z rounded once, in T: what PyTorch's CPU kernels
// compute for add(…, alpha=) and addcmul (a vfmadd instruction), and what
// the assembly kernels compute with VFMADD231PS/PD.
func fma[T num.Float](x, y, z T) T {
	if unsafe.Sizeof(x) == 4 {
		return T(fma32(float32(x), float32(y), float32(z)))
	}
	return T(math.FMA(float64(x), float64(y), float64(z)))
}

// fma32 is the correctly rounded float32 fused multiply-add. The product of
// two float32 is exact in float64, so only the sum rounds; rounding it to
// float64 and then to float32 could round twice the wrong way when the
// float64 sum lands exactly halfway between two float32 values (or in
// float32's subnormal range). Then the sum is re-rounded to odd — nudged
// one float64 ulp towards the exact value when inexact — which makes the
// final rounding to float32 exact (53 ≥ 24 + 2 bits).
func fma32(x, y, z float32) float32 {
	p := float64(x) * float64(y)
	s := p + float64(z)
	if b := math.Float64bits(s); b&(1<<29-1) == 1<<28 || math.Abs(s) < 0x1p-125 {
		s = roundOdd(p, float64(z), s)
	}
	return float32(s)
}

// roundOdd returns the float64 next to s on the side of p + z (exact) with
// an odd last bit when s = fl(p + z) is inexact, else s.
func roundOdd(p, z, s float64) float64 {
	bb := s - p
	e := (p - (s - bb)) + (z - bb) // TwoSum: p + z = s + e exactly
	if e == 0 || e != e {
		return s // exact, or not finite
	}
	b := math.Float64bits(s)
	if b&1 == 1 {
		return s
	}
	if (e > 0) == (s > 0) {
		b++ // away from zero
	} else {
		b--
	}
	return math.Float64frombits(b)
}
