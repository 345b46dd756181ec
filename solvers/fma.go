package solvers

import (
	"math"
	"unsafe"

	"github.com/stheno-ml/stheno/internal/num"
)

// fma returns x·y + z rounded once, in T: what PyTorch's CPU kernels
// compute for add(…, alpha=) and addcmul (a vfmadd instruction), and what
// the assembly kernels compute with VFMADD231PS/PD.
//
// For float32 it is exactly rounded too: the product of two float32 is
// exact in float64, so only the sum rounds; rounding it to float64 and then
// to float32 could round twice the wrong way when the float64 sum lands
// exactly halfway between two float32 values (or in float32's subnormal
// range, which the exponent test covers with some margin). Then the sum is
// re-rounded to odd — nudged one float64 ulp towards the exact value when
// inexact — which makes the final rounding to float32 exact (53 ≥ 24 + 2
// bits). (Go's inliner does not inline fma — any version with the rare
// path as a call or in line costs more than its budget —, which makes the
// pure-Go loops several times slower than unfused ones; on amd64 they only
// run the tails of the assembly kernels.)
func fma[T num.Float](x, y, z T) T {
	if unsafe.Sizeof(x) == 8 {
		return T(math.FMA(float64(x), float64(y), float64(z)))
	}
	p := float64(x) * float64(y) // exact
	s := p + float64(z)
	if b := math.Float64bits(s); b&(1<<29-1) == 1<<28 || b&(0x7ff<<52) < 898<<52 {
		s = roundOdd(p, float64(z), s)
	}
	return T(float32(s))
}

// fma32 is fma for float32.
func fma32(x, y, z float32) float32 { return fma(x, y, z) }

// roundOdd returns the float64 next to s on the side of p + z (exact) with
// an odd last bit when s = fl(p + z) is inexact, else s: the rare path of
// fma for float32.
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
