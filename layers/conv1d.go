package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv1D is a 1-D convolution over (N, C, L) or unbatched (C, L) inputs: torch.nn.Conv1d(In, Out,
// kernel_size, stride, padding, dilation, groups, bias, padding_mode). Its fields mean what
// Conv2D's int forms mean (Stride and Dilation 0 are 1; Same is padding='same'; Groups 0 is 1;
// PaddingMode "zeros", "reflect", "replicate" or "circular"). Its parameters are "weight" (Out,
// In/Groups, Kernel) and, unless NoBias, "bias" (Out), initialised like PyTorch. It is Conv2D's op
// over a height of 1.
type Conv1D struct {
	In, Out                           int
	Kernel, Stride, Padding, Dilation int
	Same                              bool
	PaddingMode                       string
	Groups                            int
	NoBias                            bool
}

// Forward implements graph.Module.
func (l Conv1D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "Conv1D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	if l.Kernel <= 0 || l.Stride < 0 || l.Padding < 0 || l.Dilation < 0 {
		return nil, errors.Errorf("layers: %s: Kernel=%d must be positive and Stride=%d, Padding=%d, Dilation=%d not negative",
			where(name, b), l.Kernel, l.Stride, l.Padding, l.Dilation)
	}
	x4, back, err := as2D(x)
	if err != nil {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d, L) or (%d, L)", where(name, b), x.Shape(), l.In, l.In)
	}
	c := Conv2D{In: l.In, Out: l.Out, KernelHW: [2]int{1, l.Kernel}, StrideHW: [2]int{1, max(l.Stride, 1)},
		PaddingHW: [2]int{0, l.Padding}, DilationHW: [2]int{1, max(l.Dilation, 1)}, Same: l.Same,
		PaddingMode: l.PaddingMode, Groups: l.Groups, NoBias: l.NoBias}
	if l.Padding == 0 {
		c.PaddingHW = [2]int{}
	}
	y, err := c.apply(name, b, x4, true)
	if err != nil {
		return nil, err
	}
	if y, err = back(y); err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	return y, nil
}

// MaxPool1D takes the maximum of each window of an (N, C, L) or (C, L) input
// (torch.nn.MaxPool1d(kernel_size, stride, padding, dilation, ceil_mode) with
// return_indices=False); its fields mean what MaxPool2D's int forms mean (Stride 0 is the kernel
// size). It is MaxPool2D over a height of 1.
type MaxPool1D struct {
	Kernel, Stride, Padding, Dilation int
	CeilMode                          bool
}

// Forward implements graph.Module.
func (l MaxPool1D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, _, err := pool1D("MaxPool1D", b, x, l.Kernel, l.Stride, l.Padding, l.Dilation, poolSettings{max: true, ceil: l.CeilMode}, false)
	return y, err
}

// ForwardIndices is Forward with PyTorch's return_indices=True: it also returns the indices of
// the maxima, an Int64 node of the output's shape holding each maximum's position along the
// input's length L, which MaxUnpool1D takes. The indices have no gradient.
func (l MaxPool1D) ForwardIndices(b *graph.Builder, x *gorgonia.Node) (y, indices *gorgonia.Node, err error) {
	return pool1D("MaxPool1D", b, x, l.Kernel, l.Stride, l.Padding, l.Dilation, poolSettings{max: true, ceil: l.CeilMode}, true)
}

// AvgPool1D averages each window of an (N, C, L) or (C, L) input (torch.nn.AvgPool1d(kernel_size,
// stride, padding, ceil_mode, count_include_pad)); its fields mean what AvgPool2D's mean. It is
// AvgPool2D over a height of 1.
type AvgPool1D struct {
	Kernel, Stride, Padding int
	CeilMode                bool
	ExcludePad              bool
}

// Forward implements graph.Module.
func (l AvgPool1D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, _, err := pool1D("AvgPool1D", b, x, l.Kernel, l.Stride, l.Padding, 1,
		poolSettings{ceil: l.CeilMode, avg: avgSpec{excludePad: l.ExcludePad}}, false)
	return y, err
}

// pool1D builds a 1-D pooling as its 2-D one over a height of 1 and, with withIndices, the node
// of its maxima's indices (positions along L, as the height is 1).
func pool1D(name string, b *graph.Builder, x *gorgonia.Node, k, stride, pad, dil int, ps poolSettings, withIndices bool) (y, idx *gorgonia.Node, err error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, nil, err
	}
	if k <= 0 || stride < 0 || pad < 0 || dil < 0 {
		return nil, nil, errors.Errorf("layers: %s: Kernel=%d must be positive and Stride=%d, Padding=%d, Dilation=%d not negative",
			where(name, b), k, stride, pad, dil)
	}
	if stride == 0 {
		stride = k
	}
	x4, back, err := as2D(x)
	if err != nil {
		return nil, nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, L) or (C, L)", where(name, b), x.Shape())
	}
	ps.kernelHW, ps.strideHW, ps.dilationHW = [2]int{1, k}, [2]int{1, stride}, [2]int{1, max(dil, 1)}
	if pad != 0 {
		ps.paddingHW = [2]int{0, pad}
	}
	if y, idx, err = poolIndices(name, b, x4, ps, withIndices); err != nil {
		return nil, nil, err
	}
	if y, err = back(y); err != nil {
		return nil, nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	if idx != nil {
		if idx, err = back(idx); err != nil {
			return nil, nil, errors.Wrapf(err, "layers: %s", where(name, b))
		}
	}
	return y, idx, nil
}

// as2D reshapes an (N, C, L) or (C, L) node to (N, C, 1, L) and returns the function that
// reshapes a result (N, C', 1, L') back to (N, C', L') or (C', L').
func as2D(x *gorgonia.Node) (*gorgonia.Node, func(*gorgonia.Node) (*gorgonia.Node, error), error) {
	s := x.Shape()
	var n, c, l int
	switch len(s) {
	case 3:
		n, c, l = s[0], s[1], s[2]
	case 2:
		n, c, l = 1, s[0], s[1]
	default:
		return nil, nil, errors.Errorf("shape %v", s)
	}
	batched := len(s) == 3
	x4, err := gorgonia.Reshape(x, tensor.Shape{n, c, 1, l})
	if err != nil {
		return nil, nil, err
	}
	back := func(y *gorgonia.Node) (*gorgonia.Node, error) {
		ys := y.Shape()
		if batched {
			return gorgonia.Reshape(y, tensor.Shape{ys[0], ys[1], ys[3]})
		}
		return gorgonia.Reshape(y, tensor.Shape{ys[1], ys[3]})
	}
	return x4, back, nil
}
