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
	return pool("MaxPool2D", b, x, l.settings())
}

// ForwardIndices is Forward with PyTorch's return_indices=True: it also returns the indices of
// the maxima, an Int64 node of the output's shape holding each maximum's flat position in its
// (H, W) plane of the input, which MaxUnpool2D takes. The indices have no gradient.
func (l MaxPool2D) ForwardIndices(b *graph.Builder, x *gorgonia.Node) (y, indices *gorgonia.Node, err error) {
	return poolIndices("MaxPool2D", b, x, l.settings(), true)
}

func (l MaxPool2D) settings() poolSettings {
	return poolSettings{max: true, kernel: l.Kernel, stride: l.Stride, padding: l.Padding,
		dilation: l.Dilation, kernelHW: l.KernelHW, strideHW: l.StrideHW, paddingHW: l.PaddingHW,
		dilationHW: l.DilationHW, ceil: l.CeilMode}
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
	outSize                                   int    // adaptive pooling
	outSizeHW                                 [2]int // adaptive pooling
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
	y, _, err := poolIndices(name, b, x, ps, false)
	return y, err
}

// poolIndices builds a pooling layer and, with withIndices, the node of its maxima's indices.
func poolIndices(name string, b *graph.Builder, x *gorgonia.Node, ps poolSettings, withIndices bool) (y, idx *gorgonia.Node, err error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*gorgonia.Node, *gorgonia.Node, error) {
		return nil, nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	s := x.Shape()
	if len(s) != 4 && len(s) != 3 {
		return nil, nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, H, W) or (C, H, W)", where(name, b), s)
	}
	if x, err = toBatch(x); err != nil {
		return fail(err)
	}
	geom := ps.geom
	if ps.avg.adaptive {
		geom = ps.adaptiveGeom
	}
	g, err := geom(x.Shape())
	if err != nil {
		return fail(err)
	}
	opName := "avgpool2d"
	if ps.max {
		opName = "maxpool2d"
	}
	if ps.avg.adaptive {
		opName = "adaptive" + opName
	}
	op := &poolOp{opBase: newBase(opName), max: ps.max, avg: ps.avg, g: g}
	if y, err = gorgonia.ApplyOp(op, x); err != nil {
		return fail(err)
	}
	if withIndices {
		if idx, err = gorgonia.ApplyOp(&indicesOp{opBase: newBase(opName + "Indices"), fwd: op}, y); err != nil {
			return fail(err)
		}
	}
	if y, err = fromBatch(y, len(s) == 3); err != nil {
		return fail(err)
	}
	if idx != nil {
		if idx, err = fromBatch(idx, len(s) == 3); err != nil {
			return fail(err)
		}
	}
	return y, idx, nil
}

// AdaptiveAvgPool2D averages an (N, C, H, W) or (C, H, W) input into a fixed output size
// (torch.nn.AdaptiveAvgPool2d(output_size)): output i of OH along the height averages input rows
// ⌊i·H/OH⌋ to ⌈(i+1)·H/OH⌉ − 1, and likewise along the width. OutputSize is PyTorch's int form
// (OH = OW), OutputSizeHW its (OH, OW) tuple form, where a 0 entry is PyTorch's None (the input's
// size). One of them must be given.
type AdaptiveAvgPool2D struct {
	OutputSize   int
	OutputSizeHW [2]int
}

// Forward implements graph.Module.
func (l AdaptiveAvgPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("AdaptiveAvgPool2D", b, x, poolSettings{outSize: l.OutputSize, outSizeHW: l.OutputSizeHW, avg: avgSpec{adaptive: true}})
}

// AdaptiveMaxPool2D takes the maximum of adaptive windows (torch.nn.AdaptiveMaxPool2d(output_size)
// with return_indices=False); the windows and OutputSize, OutputSizeHW are AdaptiveAvgPool2D's.
type AdaptiveMaxPool2D struct {
	OutputSize   int
	OutputSizeHW [2]int
}

// Forward implements graph.Module.
func (l AdaptiveMaxPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("AdaptiveMaxPool2D", b, x, l.settings())
}

// ForwardIndices is Forward with PyTorch's return_indices=True; the indices are those of
// MaxPool2D.ForwardIndices.
func (l AdaptiveMaxPool2D) ForwardIndices(b *graph.Builder, x *gorgonia.Node) (y, indices *gorgonia.Node, err error) {
	return poolIndices("AdaptiveMaxPool2D", b, x, l.settings(), true)
}

func (l AdaptiveMaxPool2D) settings() poolSettings {
	return poolSettings{max: true, outSize: l.OutputSize, outSizeHW: l.OutputSizeHW, avg: avgSpec{adaptive: true}}
}

// adaptiveGeom resolves an adaptive pooling's output size for an input of (N, C, H, W) shape s.
func (ps poolSettings) adaptiveGeom(s []int) (convGeom, error) {
	g := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], groups: 1, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1}
	out := ps.outSizeHW
	switch {
	case out != [2]int{} && ps.outSize != 0:
		return g, errors.Errorf("OutputSize=%d and OutputSizeHW=%v are both set", ps.outSize, out)
	case out == [2]int{} && ps.outSize == 0:
		return g, errors.New("OutputSize (or OutputSizeHW) must be given")
	case out == [2]int{}:
		out = [2]int{ps.outSize, ps.outSize}
	}
	if out[0] < 0 || out[1] < 0 {
		return g, errors.Errorf("output size %v must not be negative", out)
	}
	g.oh, g.ow = out[0], out[1]
	if g.oh == 0 {
		g.oh = g.h
	}
	if g.ow == 0 {
		g.ow = g.w
	}
	return g, nil
}
