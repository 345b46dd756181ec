package layers

import (
	"strconv"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// Sequential chains modules: the output of each is the input of the next (torch.nn.Sequential).
// Child i is built in scope "i", so its tensors are named "0.weight", "3.running_mean", … exactly
// like the state_dict of the equivalent torch.nn.Sequential. The empty Sequential is the
// identity, as nn.Sequential() is.
type Sequential []graph.Module

// Forward implements graph.Module.
func (s Sequential) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if len(s) == 0 {
		if err := checkInput("Sequential", b, x, b.Dtype()); err != nil {
			return nil, err
		}
		return x, nil
	}
	for i, m := range s {
		if m == nil {
			return nil, errors.Errorf("layers: %s: layer %d is nil", where("Sequential", b), i)
		}
		var err error
		if x, err = m.Forward(b.Scope(strconv.Itoa(i)), x); err != nil {
			return nil, err
		}
	}
	return x, nil
}
