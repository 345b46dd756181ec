package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"gorgonia.org/tensor"
)

// At sizes where the float32 assembly kernel runs (output channels and spatial size ≥ 16), the
// float32 convolution and its gradients agree with the float64 one (checked against PyTorch and
// finite differences elsewhere).
func TestConv2DFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Conv2D{In: 5, Out: 20, Kernel: 3, Padding: 1}, tensor.Shape{3, 5, 6, 7}, tensor.Shape{3, 20, 6, 7})
}

// Depthwise convolutions (stride 1, and stride 2 through the phased planes) with rows long enough
// for the float32 row kernels, float32 against float64.
func TestDepthwiseFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Conv2D{In: 4, Out: 8, Kernel: 3, Padding: 1, Groups: 4}, tensor.Shape{2, 4, 5, 21}, tensor.Shape{2, 8, 5, 21})
	match32to64(t, Conv2D{In: 3, Out: 3, Kernel: 3, Stride: 2, Padding: 1, Groups: 3}, tensor.Shape{2, 3, 7, 37}, tensor.Shape{2, 3, 4, 19})
}

// Linear at a size where the float32 kernel runs and the rows are split over the cores.
func TestLinearFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Linear{In: 300, Out: 45}, tensor.Shape{37, 300}, tensor.Shape{37, 45})
	match32to64(t, Linear{In: 300, Out: 45, NoBias: true}, tensor.Shape{37, 300}, tensor.Shape{37, 45})
}

// match32to64 checks that m's output and gradients in float32 agree with float64 to 1e-5.
func match32to64(t *testing.T, m graph.Module, xShape, outShape tensor.Shape) {
	t.Helper()
	rng := newTestRand(21)
	x := randDense(rng, xShape)
	r := randDense(rng, outShape)
	lg64 := buildLoss(t, m, tensor.Float64, true, x, r)
	lg32 := buildLoss(t, m, tensor.Float32, true, dense32(x), dense32(r))
	for i, n := range lg64.wrt[1:] {
		v := n.Value().Data().([]float64)
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		copy(lg32.wrt[i+1].Value().Data().([]float32), to32(v))
	}
	lg64.run(t)
	lg32.run(t)
	pairs := [][2][]float64{{float64s(lg32.out.Value()), float64s(lg64.out.Value())}}
	for i := range lg64.grads {
		pairs = append(pairs, [2][]float64{float64s(lg32.grads[i].Value()), float64s(lg64.grads[i].Value())})
	}
	for i, p := range pairs {
		if err := golden.Close(p[0], p[1], tensor.Float32); err != nil {
			t.Errorf("value %d: float32 vs float64: %v", i, err)
		}
	}
}

func dense32(d *tensor.Dense) *tensor.Dense {
	return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(to32(d.Data().([]float64))))
}
