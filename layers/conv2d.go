package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D is a 2-D convolution over NCHW inputs with square Kernel×Kernel filters (torch.nn.Conv2d
// with groups=1, dilation=1). Stride 0 means 1. Its parameters are "weight" (Out, In, Kernel,
// Kernel) and, unless NoBias, "bias" (Out), initialised like PyTorch (U(±1/√fanIn), fanIn =
// In·Kernel²). The output is (N, Out, (H+2·Padding−Kernel)/Stride+1, (W+2·Padding−Kernel)/Stride+1).
//
// It is a custom op: im2col, then matrix products by mulAdd (an AVX2/FMA assembly kernel for
// float32, gonum's axpy otherwise), the batch split over the cores by internal/par, buffers reused
// across runs; the weight gradient reuses the forward pass's im2col columns of the same run.
type Conv2D struct {
	In, Out         int
	Kernel          int
	Stride, Padding int
	NoBias          bool
}

// Forward implements graph.Module.
func (l Conv2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "Conv2D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	stride := l.Stride
	if stride == 0 {
		stride = 1
	}
	if l.In <= 0 || l.Out <= 0 || l.Kernel <= 0 || stride < 0 || l.Padding < 0 {
		return nil, errors.Errorf("layers: %s: invalid configuration In=%d Out=%d Kernel=%d Stride=%d Padding=%d",
			where(name, b), l.In, l.Out, l.Kernel, l.Stride, l.Padding)
	}
	s := x.Shape()
	if len(s) != 4 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d, H, W)", where(name, b), s, l.In)
	}
	if s[1] != l.In {
		return nil, errors.Errorf("layers: %s: input has %d channels, want %d", where(name, b), s[1], l.In)
	}
	g := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], o: l.Out, k: l.Kernel, stride: stride, pa: l.Padding}
	if s[2]+2*l.Padding < l.Kernel || s[3]+2*l.Padding < l.Kernel {
		return nil, errors.Errorf("layers: %s: input of size %d×%d with padding %d is smaller than the kernel %d",
			where(name, b), s[2], s[3], l.Padding, l.Kernel)
	}
	g.oh = (g.h+2*g.pa-g.k)/g.stride + 1
	g.ow = (g.w+2*g.pa-g.k)/g.stride + 1
	w, err := b.Param("weight", tensor.Shape{l.Out, l.In, l.Kernel, l.Kernel}, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	inputs := gorgonia.Nodes{x, w}
	if !l.NoBias {
		bound := 1 / math.Sqrt(float64(l.In*l.Kernel*l.Kernel))
		bias, err := b.Param("bias", tensor.Shape{l.Out}, graph.Uniform(-bound, bound))
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", where(name, b))
		}
		inputs = append(inputs, bias)
	}
	y, err := gorgonia.ApplyOp(&convOp{affineOp: newAffineOp("conv2d", !l.NoBias), g: g}, inputs...)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	return y, nil
}
