package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten merges the dimensions StartDim … EndDim of its input into one
// (torch.nn.Flatten(start_dim, end_dim)); negative dimensions count from the end. Unset (the zero
// value) they are PyTorch's defaults start_dim=1 and end_dim=−1, so Flatten{} turns (N, d1, d2, …)
// into (N, d1·d2·…); Set(0) is dimension 0. It is a Gorgonia Reshape, whose gradient reshapes
// back.
type Flatten struct {
	StartDim, EndDim Opt[int]
}

// Forward implements graph.Module.
func (l Flatten) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("Flatten", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	s := x.Shape()
	r := len(s)
	start, end := l.StartDim.Or(1), l.EndDim.Or(-1)
	if start < 0 {
		start += r
	}
	if end < 0 {
		end += r
	}
	if start < 0 || start >= r || end < 0 || end >= r || start > end {
		return nil, errors.Errorf("layers: %s: input has shape %v; StartDim %v and EndDim %v do not name dimensions start ≤ end of it",
			where("Flatten", b), s, l.StartDim.Or(1), l.EndDim.Or(-1))
	}
	if start == end {
		return x, nil
	}
	shape := append(append(tensor.Shape{}, s[:start]...), s[start:end+1].TotalSize())
	shape = append(shape, s[end+1:]...)
	y, err := gorgonia.Reshape(x, shape)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Flatten", b))
	}
	return y, nil
}
