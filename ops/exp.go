package ops

import (
	"math"
	"unsafe"
)

// Fast exp for the loss kernels. Go's math.Exp is accurate but slow here
// (~15 ns); these use the classic reduction x = k ln2 + r, |r| <= ln2/2,
// a polynomial for e^r and a scaling by 2^k built from the exponent bits.
// expAcc has ~5e-16 relative error (double precision); expF32 ~2e-7, used
// for float32 data where the result is rounded to float32 anyway.
// Both return 0 below -708 (where exp underflows to denormals), +Inf above
// 709.78 and propagate NaN.

const (
	expRound = 6755399441055744.0 // 1.5 * 2^52: adding it rounds to an integer
	expLog2e = 1.4426950408889634
	expLn2Hi = 6.93147180369123816490e-01
	expLn2Lo = 1.90821492927058770002e-10
)

func expAcc(x float64) float64 {
	if !(x >= -708 && x <= 709) {
		return expSlow(x)
	}
	kf := x*expLog2e + expRound
	k := int64(math.Float64bits(kf) - math.Float64bits(expRound))
	kf -= expRound
	r := x - kf*expLn2Hi - kf*expLn2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040+r*(1.0/40320+r*(1.0/362880+r*(1.0/3628800+r*(1.0/39916800+r*(1.0/479001600))))))))))))
	return p * math.Float64frombits(uint64(k+1023)<<52)
}

func expF32(x float64) float64 {
	if !(x >= -708 && x <= 709) {
		return expSlow(x)
	}
	kf := x*expLog2e + expRound
	k := int64(math.Float64bits(kf) - math.Float64bits(expRound))
	kf -= expRound
	r := x - kf*expLn2Hi
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(k+1023)<<52)
}

func expSlow(x float64) float64 {
	if x < -708 {
		return math.Exp(x) // denormal or 0
	}
	return math.Exp(x) // NaN or overflow
}

// expT picks the exp matching T's precision.
func expT[T float](x float64) float64 {
	var z T
	if isF32(z) {
		return expF32(x)
	}
	return expAcc(x)
}

func isF32[T float](z T) bool { return unsafe.Sizeof(z) == 4 }

// float is the element type of the kernels.
type float interface{ ~float32 | ~float64 }
