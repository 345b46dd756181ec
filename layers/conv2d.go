package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D is a 2-D convolution (cross-correlation, like PyTorch) over (N, C, H, W) or unbatched
// (C, H, W) inputs: torch.nn.Conv2d(In, Out, kernel_size, stride, padding, dilation, groups,
// bias) with padding_mode='zeros'.
//
// Kernel, Stride, Padding and Dilation are PyTorch's int forms (the same for height and width);
// KernelHW, StrideHW, PaddingHW and DilationHW are its tuple forms (height, width). Set one form
// or the other: the zero value of both is PyTorch's default (stride 1, padding 0, dilation 1;
// the kernel has none and must be given). Same is padding='same': the output has the input's
// size, padded by total = Dilation·(Kernel−1) per dimension, total/2 before and the rest after
// (so uneven padding goes to the bottom and right, as in PyTorch); it needs stride 1 and no
// Padding. padding='valid' is padding 0, the default. PaddingMode is padding_mode: the zero value
// "" and "zeros" pad with zeros, "reflect", "replicate" and "circular" pad the input as
// ReflectionPad2D, ReplicationPad2D and PyTorch's circular padding do. Groups 0 means 1; In and
// Out must be multiples of Groups (Groups = In = Out is a depthwise convolution).
//
// Its parameters are "weight" (Out, In/Groups, kh, kw) and, unless NoBias, "bias" (Out),
// initialised like PyTorch (U(±1/√fanIn), fanIn = In/Groups·kh·kw). The output is
// (N, Out, OH, OW) with OH = ⌊(H + 2·ph − dh·(kh−1) − 1)/sh⌋ + 1, and OW alike.
//
// It is a custom op: im2col, then matrix products by internal/gemm (packed, AVX-512 / AVX2 / Go
// micro-kernels), the batch split over the cores by internal/par, buffers reused across runs; the
// weight gradient reuses the forward pass's im2col columns of the same run.
type Conv2D struct {
	In, Out                                   int
	Kernel, Stride, Padding, Dilation         int
	KernelHW, StrideHW, PaddingHW, DilationHW [2]int
	Same                                      bool
	PaddingMode                               string
	Groups                                    int
	NoBias                                    bool
}

// geom resolves the layer's settings for an input of shape (N, C, H, W); total is the padding
// of each spatial dimension, of which g.ph and g.pw come before.
func (l Conv2D) geom(s tensor.Shape) (convGeom, [2]int, error) {
	var total [2]int
	g := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], o: l.Out, groups: max(l.Groups, 1)}
	if l.In <= 0 || l.Out <= 0 || l.Groups < 0 {
		return g, total, errors.Errorf("In=%d, Out=%d and Groups=%d must be positive", l.In, l.Out, l.Groups)
	}
	if l.In%g.groups != 0 || l.Out%g.groups != 0 {
		return g, total, errors.Errorf("In=%d and Out=%d must be multiples of Groups=%d", l.In, l.Out, g.groups)
	}
	k, err := pair("Kernel", l.Kernel, l.KernelHW, 0, 1)
	if err != nil {
		return g, total, err
	}
	if k[0] == 0 {
		return g, total, errors.New("Kernel (or KernelHW) must be given")
	}
	st, err := pair("Stride", l.Stride, l.StrideHW, 1, 1)
	if err != nil {
		return g, total, err
	}
	pad, err := pair("Padding", l.Padding, l.PaddingHW, 0, 0)
	if err != nil {
		return g, total, err
	}
	d, err := pair("Dilation", l.Dilation, l.DilationHW, 1, 1)
	if err != nil {
		return g, total, err
	}
	g.kh, g.kw, g.sh, g.sw, g.dh, g.dw = k[0], k[1], st[0], st[1], d[0], d[1]
	total = [2]int{2 * pad[0], 2 * pad[1]}
	if l.Same {
		if pad != [2]int{} || st != [2]int{1, 1} {
			return g, total, errors.Errorf("Same (padding='same') needs stride 1 and no Padding, got Stride %v and Padding %v", st, pad)
		}
		total = [2]int{g.dh * (g.kh - 1), g.dw * (g.kw - 1)}
		pad = [2]int{total[0] / 2, total[1] / 2}
	}
	g.ph, g.pw = pad[0], pad[1]
	g.oh = outSize(g.h, total[0], g.ph, g.kh, g.sh, g.dh, false)
	g.ow = outSize(g.w, total[1], g.pw, g.kw, g.sw, g.dw, false)
	if g.oh <= 0 || g.ow <= 0 {
		return g, total, errors.Errorf("input of size %d×%d with padding %v is smaller than the kernel %d×%d (dilated)",
			g.h, g.w, pad, g.dh*(g.kh-1)+1, g.dw*(g.kw-1)+1)
	}
	return g, total, nil
}

// Forward implements graph.Module.
func (l Conv2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "Conv2D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	fail := func(err error) (*gorgonia.Node, error) { return nil, errors.Wrapf(err, "layers: %s", where(name, b)) }
	s := x.Shape()
	if len(s) != 4 && len(s) != 3 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d, H, W) or (%d, H, W)", where(name, b), s, l.In, l.In)
	}
	x, err := toBatch(x)
	if err != nil {
		return fail(err)
	}
	y, err := l.apply(name, b, x, false)
	if err != nil {
		return nil, err
	}
	if y, err = fromBatch(y, len(s) == 3); err != nil {
		return fail(err)
	}
	return y, nil
}

// apply builds the convolution of the (N, C, H, W) node x; with oneD its weight is stored as
// Conv1D's (Out, In/Groups, kw), reshaped to (Out, In/Groups, 1, kw) for the op.
func (l Conv2D) apply(name string, b *graph.Builder, x *gorgonia.Node, oneD bool) (*gorgonia.Node, error) {
	fail := func(err error) (*gorgonia.Node, error) { return nil, errors.Wrapf(err, "layers: %s", where(name, b)) }
	s := x.Shape()
	if s[1] != l.In {
		return nil, errors.Errorf("layers: %s: input has %d channels, want %d", where(name, b), s[1], l.In)
	}
	g, total, err := l.geom(s)
	if err != nil {
		return fail(err)
	}
	mode, err := padModeOf(l.PaddingMode)
	if err != nil {
		return fail(err)
	}
	if mode != padConstant { // pad the input itself, then convolve without padding, as PyTorch does
		if x, err = pad2d(x, mode, 0, [4]int{g.pw, total[1] - g.pw, g.ph, total[0] - g.ph}); err != nil {
			return fail(err)
		}
		g.h, g.w, g.ph, g.pw = g.h+total[0], g.w+total[1], 0, 0
	}
	cg := l.In / g.groups
	wshape := tensor.Shape{l.Out, cg, g.kh, g.kw}
	if oneD {
		wshape = tensor.Shape{l.Out, cg, g.kw}
	}
	w, err := b.Param("weight", wshape, graph.KaimingUniform(math.Sqrt(5)))
	if err != nil {
		return fail(err)
	}
	if oneD {
		if w, err = gorgonia.Reshape(w, tensor.Shape{l.Out, cg, 1, g.kw}); err != nil {
			return fail(err)
		}
	}
	inputs := gorgonia.Nodes{x, w}
	if !l.NoBias {
		bound := 1 / math.Sqrt(float64(cg*g.kk()))
		bias, err := b.Param("bias", tensor.Shape{l.Out}, graph.Uniform(-bound, bound))
		if err != nil {
			return fail(err)
		}
		inputs = append(inputs, bias)
	}
	y, err := gorgonia.ApplyOp(&convOp{affineOp: newAffineOp("conv2d", !l.NoBias), g: g}, inputs...)
	if err != nil {
		return fail(err)
	}
	return y, nil
}
