package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/ops"
	"gorgonia.org/gorgonia"
)

// Softmax is softmax along Axis (torch.nn.Softmax(dim=Axis)); a negative Axis counts from the end.
// Note that Axis 0 is the batch axis: for (N, classes) scores use Axis 1 or −1. It is ops.Softmax,
// numerically stable, with its own backward pass.
type Softmax struct {
	Axis int
}

// Forward implements graph.Module.
func (l Softmax) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("Softmax", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	y, err := ops.Softmax(x, l.Axis)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("Softmax", b))
	}
	return y, nil
}

// LogSoftmax is log(softmax(x)) along Axis, computed stably (torch.nn.LogSoftmax(dim=Axis)); a
// negative Axis counts from the end, and Axis 0 is the batch axis. It is ops.LogSoftmax.
type LogSoftmax struct {
	Axis int
}

// Forward implements graph.Module.
func (l LogSoftmax) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput("LogSoftmax", b, x, b.Dtype()); err != nil {
		return nil, err
	}
	y, err := ops.LogSoftmax(x, l.Axis)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where("LogSoftmax", b))
	}
	return y, nil
}
