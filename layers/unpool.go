package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxUnpool2D is the partial inverse of MaxPool2D (torch.nn.MaxUnpool2d(kernel_size, stride,
// padding)): it places each input value at the position its indices (from
// MaxPool2D.ForwardIndices) name in an output plane of zeros. Kernel, Stride and Padding and
// their (height, width) forms are MaxPool2D's (stride defaults to the kernel size). The output's
// spatial size is (H−1)·stride − 2·padding + kernel unless OutputSizeHW (PyTorch's output_size)
// chooses another within stride of it.
//
// Like PyTorch's module it takes two inputs, so it is not a graph.Module: call Forward with the
// pooled values and their indices.
type MaxUnpool2D struct {
	Kernel, Stride, Padding       int
	KernelHW, StrideHW, PaddingHW [2]int
	OutputSizeHW                  [2]int
}

// Forward builds the unpooling of x, of shape (N, C, H, W) or (C, H, W), at indices, an Int64
// node of the same shape.
func (l MaxUnpool2D) Forward(b *graph.Builder, x, indices *gorgonia.Node) (*gorgonia.Node, error) {
	return l.apply("MaxUnpool2D", b, x, indices)
}

func (l MaxUnpool2D) apply(name string, b *graph.Builder, x, indices *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	fail := func(err error) (*gorgonia.Node, error) { return nil, errors.Wrapf(err, "layers: %s", where(name, b)) }
	s := x.Shape()
	if indices == nil || indices.Dtype() != tensor.Int64 || !indices.Shape().Eq(s) {
		return nil, errors.Errorf("layers: %s: indices %v, want an Int64 node of the input's shape %v", where(name, b), indices, s)
	}
	if len(s) != 4 && len(s) != 3 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, H, W) or (C, H, W)", where(name, b), s)
	}
	unbatched := len(s) == 3
	var err error
	if x, err = toBatch(x); err != nil {
		return fail(err)
	}
	if indices, err = toBatch(indices); err != nil {
		return fail(err)
	}
	s = x.Shape()
	ps := poolSettings{kernel: l.Kernel, stride: l.Stride, padding: l.Padding, kernelHW: l.KernelHW,
		strideHW: l.StrideHW, paddingHW: l.PaddingHW}
	k, err := pair("Kernel", ps.kernel, ps.kernelHW, 0, 1)
	if err != nil {
		return fail(err)
	}
	if k[0] == 0 {
		return fail(errors.New("Kernel (or KernelHW) must be given"))
	}
	st, err := pair("Stride", ps.stride, ps.strideHW, 0, 1)
	if err != nil {
		return fail(err)
	}
	if st[0] == 0 {
		st = k
	}
	pad, err := pair("Padding", ps.padding, ps.paddingHW, 0, 0)
	if err != nil {
		return fail(err)
	}
	out := [2]int{(s[2]-1)*st[0] - 2*pad[0] + k[0], (s[3]-1)*st[1] - 2*pad[1] + k[1]}
	if l.OutputSizeHW != [2]int{} {
		for d := range out {
			if !(out[d]-st[d] < l.OutputSizeHW[d] && l.OutputSizeHW[d] < out[d]+st[d]) {
				return fail(errors.Errorf("OutputSizeHW=%v, want sizes between %v and %v (exclusive)", l.OutputSizeHW,
					[2]int{out[0] - st[0], out[1] - st[1]}, [2]int{out[0] + st[0], out[1] + st[1]}))
			}
		}
		out = l.OutputSizeHW
	}
	if out[0] <= 0 || out[1] <= 0 {
		return fail(errors.Errorf("output size %v is empty", out))
	}
	g := convGeom{n: s[0], c: s[1], h: out[0], w: out[1], oh: s[2], ow: s[3]}
	y, err := gorgonia.ApplyOp(&unpoolOp{opBase: newBase("maxunpool2d"), g: g}, x, indices)
	if err != nil {
		return fail(err)
	}
	if y, err = fromBatch(y, unbatched); err != nil {
		return fail(err)
	}
	return y, nil
}

// MaxUnpool1D is the partial inverse of MaxPool1D (torch.nn.MaxUnpool1d(kernel_size, stride,
// padding)): it places each value of x, of shape (N, C, L) or (C, L), at the position along the
// output's length its indices (from MaxPool1D.ForwardIndices) name, in zeros. Kernel, Stride and
// Padding are MaxPool1D's (Stride 0 is the kernel size). The output's length is
// (L−1)·stride − 2·padding + kernel unless OutputSize (PyTorch's output_size) chooses another
// within stride of it. It is MaxUnpool2D over a height of 1.
type MaxUnpool1D struct {
	Kernel, Stride, Padding int
	OutputSize              int
}

// Forward builds the unpooling of x at indices, an Int64 node of x's shape.
func (l MaxUnpool1D) Forward(b *graph.Builder, x, indices *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "MaxUnpool1D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	if l.Kernel <= 0 || l.Stride < 0 || l.Padding < 0 || l.OutputSize < 0 {
		return nil, errors.Errorf("layers: %s: Kernel=%d must be positive and Stride=%d, Padding=%d, OutputSize=%d not negative",
			where(name, b), l.Kernel, l.Stride, l.Padding, l.OutputSize)
	}
	s := x.Shape()
	if indices == nil || indices.Dtype() != tensor.Int64 || !indices.Shape().Eq(s) {
		return nil, errors.Errorf("layers: %s: indices %v, want an Int64 node of the input's shape %v", where(name, b), indices, s)
	}
	x4, back, err := as2D(x)
	if err != nil {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, L) or (C, L)", where(name, b), s)
	}
	i4, _, err := as2D(indices)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	st := l.Stride
	if st == 0 {
		st = l.Kernel
	}
	u := MaxUnpool2D{KernelHW: [2]int{1, l.Kernel}, StrideHW: [2]int{1, st}}
	if l.Padding != 0 {
		u.PaddingHW = [2]int{0, l.Padding}
	}
	if l.OutputSize != 0 {
		n := s[len(s)-1]
		if out := (n-1)*st - 2*l.Padding + l.Kernel; !(out-st < l.OutputSize && l.OutputSize < out+st) {
			return nil, errors.Errorf("layers: %s: OutputSize=%d, want a size between %d and %d (exclusive)",
				where(name, b), l.OutputSize, out-st, out+st)
		}
		u.OutputSizeHW = [2]int{1, l.OutputSize}
	}
	y, err := u.apply(name, b, x4, i4)
	if err != nil {
		return nil, err
	}
	if y, err = back(y); err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	return y, nil
}
