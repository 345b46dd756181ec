package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten reshapes an input of shape (N, d1, d2, …) to (N, d1·d2·…) (torch.nn.Flatten with its
// defaults). It is a Gorgonia Reshape, whose gradient reshapes back.
type Flatten struct{}

// Forward implements graph.Module.
func (Flatten) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("Flatten", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) < 2 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want at least 2 dimensions (N, ...)", where("Flatten", b), s)
	}
	if len(s) == 2 {
		return x, nil
	}
	y, err := gorgonia.Reshape(x, tensor.Shape{s[0], s[1:].TotalSize()})
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Flatten", b))
	}
	return y, nil
}
