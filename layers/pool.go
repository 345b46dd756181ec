package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// MaxPool2D takes the maximum of each window of an (N, C, H, W) or unbatched (C, H, W) input:
// torch.nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode) with
// return_indices=False.
//
// Kernel, Stride, Padding and Dilation are PyTorch's int forms, KernelHW, StrideHW, PaddingHW
// and DilationHW its (height, width) tuple forms; set one form or the other. Their zero values
// are PyTorch's defaults: stride = the kernel size, padding 0, dilation 1 (the kernel must be
// given). Padding, at most half the kernel, pads with −∞. CeilMode is ceil_mode: the output size
// rounds up, keeping a last window that starts inside the input or its left padding.
type MaxPool2D struct {
	Kernel, Stride, Padding, Dilation         int
	KernelHW, StrideHW, PaddingHW, DilationHW [2]int
	CeilMode                                  bool
}

// Forward implements graph.Module.
func (l MaxPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("MaxPool2D", b, x, poolSettings{max: true, kernel: l.Kernel, stride: l.Stride, padding: l.Padding,
		dilation: l.Dilation, kernelHW: l.KernelHW, strideHW: l.StrideHW, paddingHW: l.PaddingHW,
		dilationHW: l.DilationHW, ceil: l.CeilMode})
}

// AvgPool2D averages each window of an (N, C, H, W) or unbatched (C, H, W) input:
// torch.nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad,
// divisor_override).
//
// Kernel, Stride and Padding and their (height, width) forms KernelHW, StrideHW and PaddingHW are
// those of MaxPool2D (padding pads with zeros). The zero value divides each sum by the window's
// size, counting the padding (PyTorch's default count_include_pad=True); ExcludePad is
// count_include_pad=False, dividing by the number of input elements in the window; a non-zero
// DivisorOverride is divisor_override (the zero value is PyTorch's None). CeilMode is ceil_mode.
type AvgPool2D struct {
	Kernel, Stride, Padding       int
	KernelHW, StrideHW, PaddingHW [2]int
	CeilMode                      bool
	ExcludePad                    bool
	DivisorOverride               int
}

// Forward implements graph.Module.
func (l AvgPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("AvgPool2D", b, x, poolSettings{kernel: l.Kernel, stride: l.Stride, padding: l.Padding,
		kernelHW: l.KernelHW, strideHW: l.StrideHW, paddingHW: l.PaddingHW, ceil: l.CeilMode,
		avg: avgSpec{excludePad: l.ExcludePad, divisor: l.DivisorOverride}})
}

// poolSettings are the settings of either pooling layer.
type poolSettings struct {
	max                                       bool
	kernel, stride, padding, dilation         int
	kernelHW, strideHW, paddingHW, dilationHW [2]int
	ceil                                      bool
	avg                                       avgSpec
}

// geom resolves the settings for an input of (N, C, H, W) shape s.
func (ps poolSettings) geom(s []int) (convGeom, error) {
	g := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], groups: 1}
	k, err := pair("Kernel", ps.kernel, ps.kernelHW, 0, 1)
	if err != nil {
		return g, err
	}
	if k[0] == 0 {
		return g, errors.New("Kernel (or KernelHW) must be given")
	}
	st, err := pair("Stride", ps.stride, ps.strideHW, 0, 1)
	if err != nil {
		return g, err
	}
	if st[0] == 0 {
		st = k
	}
	pad, err := pair("Padding", ps.padding, ps.paddingHW, 0, 0)
	if err != nil {
		return g, err
	}
	d, err := pair("Dilation", ps.dilation, ps.dilationHW, 1, 1)
	if err != nil {
		return g, err
	}
	if pad[0] > k[0]/2 || pad[1] > k[1]/2 {
		return g, errors.Errorf("Padding %v must be at most half the kernel %v", pad, k)
	}
	if ps.avg.divisor < 0 {
		return g, errors.Errorf("DivisorOverride=%d must not be negative", ps.avg.divisor)
	}
	g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw = k[0], k[1], st[0], st[1], pad[0], pad[1], d[0], d[1]
	g.oh = outSize(g.h, 2*g.ph, g.ph, g.kh, g.sh, g.dh, ps.ceil)
	g.ow = outSize(g.w, 2*g.pw, g.pw, g.kw, g.sw, g.dw, ps.ceil)
	if g.oh <= 0 || g.ow <= 0 {
		return g, errors.Errorf("input of size %d×%d with padding %v is smaller than the kernel %d×%d",
			g.h, g.w, pad, g.dh*(g.kh-1)+1, g.dw*(g.kw-1)+1)
	}
	return g, nil
}

func pool(name string, b *graph.Builder, x *gorgonia.Node, ps poolSettings) (*gorgonia.Node, error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	fail := func(err error) (*gorgonia.Node, error) { return nil, errors.Wrapf(err, "layers: %s", where(name, b)) }
	s := x.Shape()
	if len(s) != 4 && len(s) != 3 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, H, W) or (C, H, W)", where(name, b), s)
	}
	batched := len(s) == 4
	if !batched {
		var err error
		if x, err = asBatch(x); err != nil {
			return fail(err)
		}
	}
	g, err := ps.geom(x.Shape())
	if err != nil {
		return fail(err)
	}
	opName := "avgpool2d"
	if ps.max {
		opName = "maxpool2d"
	}
	y, err := gorgonia.ApplyOp(&poolOp{opBase: newBase(opName), max: ps.max, avg: ps.avg, g: g}, x)
	if err != nil {
		return fail(err)
	}
	if !batched {
		if y, err = fromBatch(y); err != nil {
			return fail(err)
		}
	}
	return y, nil
}
