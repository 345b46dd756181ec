package graph

import (
	"math"
	"math/rand"

	"gorgonia.org/tensor"
)

// Initializer fills dst (row-major, len = shape.TotalSize()) for a tensor of the given shape,
// drawing any randomness from rng.
//
// Fan-in and fan-out follow PyTorch (see FanInOut).
type Initializer func(rng *rand.Rand, shape tensor.Shape, dst []float64)

// FanInOut returns PyTorch's fan-in and fan-out of a tensor shape:
// fanIn = shape[1]*prod(shape[2:]) and fanOut = shape[0]*prod(shape[2:]).
// So a Linear weight (out, in) has fanIn = in, fanOut = out, and a Conv2D weight
// (out, in, kh, kw) has fanIn = in*kh*kw, fanOut = out*kh*kw.
//
// PyTorch refuses shapes with fewer than 2 dimensions; here a 1-D shape (n) gives
// fanIn = fanOut = n and a scalar gives 1, 1, so initialisers never fail.
func FanInOut(shape tensor.Shape) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	}
	field := 1
	for _, d := range shape[2:] {
		field *= d
	}
	return shape[1] * field, shape[0] * field
}

// Zeros fills with 0 (torch.nn.init.zeros_).
func Zeros() Initializer { return Constant(0) }

// Constant fills with v (torch.nn.init.constant_).
func Constant(v float64) Initializer {
	return func(_ *rand.Rand, _ tensor.Shape, dst []float64) {
		for i := range dst {
			dst[i] = v
		}
	}
}

// Uniform draws from U(lo, hi) (torch.nn.init.uniform_).
func Uniform(lo, hi float64) Initializer {
	return func(rng *rand.Rand, _ tensor.Shape, dst []float64) {
		for i := range dst {
			dst[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// Normal draws from N(mean, std²) (torch.nn.init.normal_).
func Normal(mean, std float64) Initializer {
	return func(rng *rand.Rand, _ tensor.Shape, dst []float64) {
		for i := range dst {
			dst[i] = mean + std*rng.NormFloat64()
		}
	}
}

// XavierUniform draws from U(-b, b) with b = gain*sqrt(6/(fanIn+fanOut))
// (torch.nn.init.xavier_uniform_).
func XavierUniform(gain float64) Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, dst []float64) {
		in, out := FanInOut(shape)
		b := gain * math.Sqrt(6/float64(in+out))
		Uniform(-b, b)(rng, shape, dst)
	}
}

// XavierNormal draws from N(0, std²) with std = gain*sqrt(2/(fanIn+fanOut))
// (torch.nn.init.xavier_normal_).
func XavierNormal(gain float64) Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, dst []float64) {
		in, out := FanInOut(shape)
		Normal(0, gain*math.Sqrt(2/float64(in+out)))(rng, shape, dst)
	}
}

// kaimingStd is torch's gain("leaky_relu", a)/sqrt(fanIn).
func kaimingStd(a float64, shape tensor.Shape) float64 {
	in, _ := FanInOut(shape)
	gain := math.Sqrt(2 / (1 + a*a))
	return gain / math.Sqrt(float64(in))
}

// KaimingUniform draws from U(-b, b) with b = sqrt(3)*sqrt(2/(1+a²))/sqrt(fanIn)
// (torch.nn.init.kaiming_uniform_(a=a, mode="fan_in", nonlinearity="leaky_relu")).
// KaimingUniform(math.Sqrt(5)) is PyTorch's default for Linear and Conv weights.
func KaimingUniform(a float64) Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, dst []float64) {
		b := math.Sqrt(3) * kaimingStd(a, shape)
		Uniform(-b, b)(rng, shape, dst)
	}
}

// KaimingNormal draws from N(0, std²) with std = sqrt(2/(1+a²))/sqrt(fanIn)
// (torch.nn.init.kaiming_normal_(a=a, mode="fan_in", nonlinearity="leaky_relu")).
func KaimingNormal(a float64) Initializer {
	return func(rng *rand.Rand, shape tensor.Shape, dst []float64) {
		Normal(0, kaimingStd(a, shape))(rng, shape, dst)
	}
}
