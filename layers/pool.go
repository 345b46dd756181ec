package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// MaxPool2D takes the maximum of each Kernel×Kernel window of an NCHW input (torch.nn.MaxPool2d,
// dilation 1, floor mode). Stride 0 means Kernel; Padding (at most Kernel/2) pads with −∞.
type MaxPool2D struct {
	Kernel, Stride, Padding int
}

// Forward implements graph.Module.
func (l MaxPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("MaxPool2D", true, l.Kernel, l.Stride, l.Padding, b, x)
}

// AvgPool2D averages each Kernel×Kernel window of an NCHW input (torch.nn.AvgPool2d with
// count_include_pad=True, floor mode). Stride 0 means Kernel; Padding is at most Kernel/2 and pads
// with zeros that count in the average.
type AvgPool2D struct {
	Kernel, Stride, Padding int
}

// Forward implements graph.Module.
func (l AvgPool2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return pool("AvgPool2D", false, l.Kernel, l.Stride, l.Padding, b, x)
}

func pool(name string, isMax bool, k, stride, pad int, b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	if stride == 0 {
		stride = k
	}
	if k <= 0 || stride < 0 || pad < 0 || pad > k/2 {
		return nil, errors.Errorf("layers: %s: invalid configuration Kernel=%d Stride=%d Padding=%d (want Kernel > 0, Padding ≤ Kernel/2)",
			where(name, b), k, stride, pad)
	}
	s := x.Shape()
	if len(s) != 4 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, H, W)", where(name, b), s)
	}
	if s[2]+2*pad < k || s[3]+2*pad < k {
		return nil, errors.Errorf("layers: %s: input of size %d×%d with padding %d is smaller than the kernel %d",
			where(name, b), s[2], s[3], pad, k)
	}
	g := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], k: k, stride: stride, pa: pad}
	g.oh = (g.h+2*pad-k)/stride + 1
	g.ow = (g.w+2*pad-k)/stride + 1
	opName := "avgpool2d"
	if isMax {
		opName = "maxpool2d"
	}
	y, err := gorgonia.ApplyOp(&poolOp{opBase: newBase(opName), max: isMax, g: g}, x)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	return y, nil
}
