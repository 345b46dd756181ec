package layers

import (
	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/ops"
	"gorgonia.org/gorgonia"
)

// Softmax is softmax along Axis (torch.nn.Softmax(dim)), numerically stable, with its own
// backward pass (it is ops.Softmax). An unset Axis (the zero value) picks the axis as PyTorch's
// nn.Softmax() does when dim is not given: axis 0 for inputs of 1 or 3 dimensions, axis 1
// otherwise — the class axis of (N, C) and (N, C, H, W) inputs. Set(a) chooses axis a; a
// negative a counts from the end, and Set(0) is the first (for (N, C) inputs: the batch) axis.
type Softmax struct {
	Axis Opt[int]
}

// Forward implements graph.Module.
func (l Softmax) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return softmax("Softmax", ops.Softmax, l.Axis, b, x)
}

// LogSoftmax is log(softmax(x)) along Axis, computed stably (torch.nn.LogSoftmax(dim)); it is
// ops.LogSoftmax. Axis is that of Softmax: unset means PyTorch's implicit dim (axis 1 of (N, C)
// scores), Set(a) axis a.
type LogSoftmax struct {
	Axis Opt[int]
}

// Forward implements graph.Module.
func (l LogSoftmax) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return softmax("LogSoftmax", ops.LogSoftmax, l.Axis, b, x)
}

// implicitSoftmaxAxis is PyTorch's _get_softmax_dim: the axis nn.Softmax, nn.LogSoftmax and
// F.softmax use when dim is None.
func implicitSoftmaxAxis(dims int) int {
	if dims == 0 || dims == 1 || dims == 3 {
		return 0
	}
	return 1
}

func softmax(name string, f func(*gorgonia.Node, int) (*gorgonia.Node, error), axis Opt[int], b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	a := axis.Or(implicitSoftmaxAxis(x.Dims()))
	y, err := f(x, a)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", where(name, b))
	}
	return y, nil
}
