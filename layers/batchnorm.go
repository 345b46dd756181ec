package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNorm1D normalises each feature of an (N, Features) or (N, Features, L) input
// (torch.nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)).
//
// Eps is added to the variance; unset (the zero value) it is PyTorch's default 1e-5, and Set(e)
// chooses any e ≥ 0. Momentum weighs the batch statistic in the running one, running =
// (1−Momentum)·running + Momentum·batch; unset it is PyTorch's default 0.1, and Set(m) chooses any
// m in [0, 1] — Set(0.0) freezes the running statistics. CumulativeAverage is PyTorch's
// momentum=None: the running statistics are the plain average over all batches seen (Momentum
// 1/num_batches_tracked); it cannot be combined with a set Momentum.
//
// Parameters: "weight" (ones) and "bias" (zeros), shape (Features); NoAffine (PyTorch's
// affine=False) leaves them out. Buffers: "running_mean" (zeros), "running_var" (ones) and
// "num_batches_tracked", which Stheno stores as a tensor of shape (1) in the store's dtype
// (PyTorch: an int64 scalar). In training mode the layer normalises with the batch mean and
// biased variance and, on every run of the graph, adds 1 to num_batches_tracked and updates the
// running statistics with the batch mean and the unbiased variance; in eval mode it uses the
// running statistics. NoRunningStats (PyTorch's track_running_stats=False) leaves the buffers out
// and normalises with the batch statistics in both modes.
type BatchNorm1D struct {
	Features          int
	Eps, Momentum     Opt[float64]
	CumulativeAverage bool
	NoAffine          bool
	NoRunningStats    bool
}

// Forward implements graph.Module.
func (l BatchNorm1D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "BatchNorm1D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) != 2 && len(s) != 3 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d) or (N, %d, L)", where(name, b), s, l.Features, l.Features)
	}
	return batchNorm(name, b, x, l)
}

// BatchNorm2D normalises each channel of an NCHW input (torch.nn.BatchNorm2d with affine=True,
// track_running_stats=True); its fields, parameters, buffers and modes are those of BatchNorm1D.
type BatchNorm2D BatchNorm1D

// Forward implements graph.Module.
func (l BatchNorm2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	const name = "BatchNorm2D"
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) != 4 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, %d, H, W)", where(name, b), s, l.Features)
	}
	return batchNorm(name, b, x, BatchNorm1D(l))
}

func batchNorm(name string, b *graph.Builder, x *gorgonia.Node, l BatchNorm1D) (*gorgonia.Node, error) {
	s, c := x.Shape(), l.Features
	if c <= 0 {
		return nil, errors.Errorf("layers: %s: Features=%d must be positive", where(name, b), c)
	}
	if s[1] != c {
		return nil, errors.Errorf("layers: %s: input has %d features, want %d", where(name, b), s[1], c)
	}
	eps, mom := l.Eps.Or(1e-5), l.Momentum.Or(0.1)
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return nil, errors.Errorf("layers: %s: Eps=%v, want a finite value ≥ 0", where(name, b), eps)
	}
	if !(mom >= 0 && mom <= 1) {
		return nil, errors.Errorf("layers: %s: Momentum=%v is outside [0, 1]", where(name, b), mom)
	}
	if _, set := l.Momentum.Get(); set && l.CumulativeAverage {
		return nil, errors.Errorf("layers: %s: Momentum=%v and CumulativeAverage (PyTorch's momentum=None) exclude each other", where(name, b), mom)
	}
	wrap := func(err error) error { return errors.Wrapf(err, "layers: %s", where(name, b)) }
	inputs := gorgonia.Nodes{x}
	if !l.NoAffine {
		gamma, err := b.Param("weight", tensor.Shape{c}, graph.Constant(1))
		if err != nil {
			return nil, wrap(err)
		}
		beta, err := b.Param("bias", tensor.Shape{c}, graph.Zeros())
		if err != nil {
			return nil, wrap(err)
		}
		inputs = append(inputs, gamma, beta)
	}
	op := &bnOp{opBase: newBase("batchnorm"), dims: len(s), n: s[0], c: c, s: s[2:].TotalSize(),
		eps: eps, mom: mom, cumulative: l.CumulativeAverage, affine: !l.NoAffine,
		batchStats: b.Training() || l.NoRunningStats, update: b.Training() && !l.NoRunningStats}
	if len(s) == 2 {
		op.s = 1
	}
	if l.NoRunningStats {
		y, err := gorgonia.ApplyOp(op, inputs...)
		if err != nil {
			return nil, wrap(err)
		}
		return y, nil
	}
	bufs := []struct {
		name string
		init graph.Initializer
		dst  **tensor.Dense
		size int
	}{
		{"running_mean", graph.Zeros(), &op.runMean, c},
		{"running_var", graph.Constant(1), &op.runVar, c},
		{"num_batches_tracked", graph.Zeros(), &op.numBatches, 1},
	}
	for _, bf := range bufs {
		t, err := b.Buffer(bf.name, tensor.Shape{bf.size}, bf.init)
		if err != nil {
			return nil, wrap(err)
		}
		d, ok := t.(*tensor.Dense)
		if !ok || d.Dtype() != b.Dtype() {
			return nil, errors.Errorf("layers: %s: buffer %q is %T of %v, want a dense %v tensor", where(name, b), b.Name(bf.name), t, t.Dtype(), b.Dtype())
		}
		*bf.dst = d
	}
	y, err := gorgonia.ApplyOp(op, inputs...)
	if err != nil {
		return nil, wrap(err)
	}
	return y, nil
}
