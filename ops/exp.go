package ops

import (
	"math"

	"github.com/stheno-ml/stheno/internal/num"
)

// Fast exp for the loss kernels. Go's math.Exp is accurate but slow (it
// dominated the kernels); these reduce x = (32k + j) ln2/32 + r with
// |r| <= ln2/64, take 2^(j/32) from a table and e^r from a short
// polynomial, and scale by 2^k through the exponent bits.
//   - expAcc: degree-6 polynomial, ln2 split in hi/lo: ~2e-16 relative
//     error (double precision), for float64 data.
//   - expF32: degree 3: ~6e-10 relative error, for float32 data (whose
//     results are rounded to float32 anyway).
//
// Both are meant for x <= 0 (all kernels call them on x - rowmax, -|x| or
// a log-probability): below -708 they return exp(-708) ≈ 3e-308 instead of
// a denormal or 0, which no sum or float32 result can tell apart. NaN
// propagates.

const (
	expRound = 6755399441055744.0 // 1.5 * 2^52: adding it rounds to an integer
	expLog2e = 1.4426950408889634
	expLn2Hi = 6.93147180369123816490e-01
	expLn2Lo = 1.90821492927058770002e-10
	expMin   = -708.0
)

// exp2Tab[j] holds the bits of 2^(j/32).
var exp2Tab = func() (t [32]uint64) {
	for j := range t {
		t[j] = math.Float64bits(math.Exp2(float64(j) / 32))
	}
	return
}()

func expAcc(x float64) float64 {
	if x < expMin {
		x = expMin
	}
	kf := x*(32*expLog2e) + expRound
	n := math.Float64bits(kf) - math.Float64bits(expRound)
	kf -= expRound
	r := x - kf*(expLn2Hi/32) - kf*(expLn2Lo/32)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return math.Float64frombits(exp2Tab[n&31]+uint64(int64(n)>>5)<<52) * p
}

func expF32(x float64) float64 {
	if x < expMin {
		x = expMin
	}
	kf := x*(32*expLog2e) + expRound
	n := math.Float64bits(kf) - math.Float64bits(expRound)
	kf -= expRound
	r := x - kf*(expLn2Hi/32) - kf*(expLn2Lo/32)
	p := 1 + r*(1+r*(0.5+r*(1.0/6)))
	return math.Float64frombits(exp2Tab[n&31]+uint64(int64(n)>>5)<<52) * p
}

// expT picks the exp matching T's precision.
func expT[T num.Float](x float64) float64 {
	if num.Is32[T]() {
		return expF32(x)
	}
	return expAcc(x)
}
