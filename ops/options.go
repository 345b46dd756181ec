package ops

import (
	"fmt"
	"math"
	"slices"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Reduction says how a loss turns its per-element values into its output,
// like the reduction argument of torch.nn.functional losses.
type Reduction int

const (
	// Mean averages the per-element losses (weighted losses are divided by the
	// sum of the weights that were used). This is the default.
	Mean Reduction = iota
	// Sum adds the per-element losses.
	Sum
	// None returns the per-element losses unreduced.
	None
	// BatchMean divides the sum of the per-element losses by the batch
	// size (the input's first dimension), KLDiv's reduction='batchmean'.
	// Only KLDiv accepts it.
	BatchMean
)

// String returns the PyTorch name of the reduction ("mean", "sum", "none",
// "batchmean").
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	case BatchMean:
		return "batchmean"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// DefaultIgnoreIndex is the ignore index used when WithIgnoreIndex is not
// given, as in PyTorch.
const DefaultIgnoreIndex = -100

// A LossOpt configures a loss. Options that do not apply to a loss make its
// constructor return an error.
type LossOpt func(*lossConfig) error

// lossConfig collects the options of one loss. given holds the names of
// the options given, in order, so that a loss can reject those that do not
// apply to it.
type lossConfig struct {
	given     []string
	reduction Reduction
	weight    tensor.Tensor
	posWeight tensor.Tensor
	ignore    int
	smoothing float64
	beta      float64 // SmoothL1
	delta     float64 // Huber
	logTarget bool    // KLDiv
	full      bool    // GaussianNLL, PoissonNLL
	eps       float64 // GaussianNLL, PoissonNLL; 0: the loss's default
	logInput  bool    // PoissonNLL
}

// newLossConfig applies opts; an option whose name is not in allowed is an
// error naming the option and the loss.
func newLossConfig(name string, allowed []string, opts []LossOpt) (*lossConfig, error) {
	c := &lossConfig{reduction: Mean, ignore: DefaultIgnoreIndex, beta: 1, delta: 1, logInput: true}
	for _, o := range opts {
		if o == nil {
			return nil, errors.Errorf("ops: %s: nil option", name)
		}
		if err := o(c); err != nil {
			return nil, errors.Wrapf(err, "ops: %s", name)
		}
	}
	for _, g := range c.given {
		if !slices.Contains(allowed, g) {
			return nil, errors.Errorf("ops: %s: option %s does not apply to %s", name, g, name)
		}
	}
	if c.reduction == BatchMean && !slices.Contains(allowed, "BatchMean") {
		return nil, errors.Errorf("ops: %s: reduction BatchMean applies only to KLDiv", name)
	}
	return c, nil
}

// has reports whether the option of that name was given.
func (c *lossConfig) has(opt string) bool { return slices.Contains(c.given, opt) }

// option returns the LossOpt named name: it records the name (for the
// "does not apply" check) and calls set, whose error names the bad value.
func option(name string, set func(c *lossConfig) error) LossOpt {
	return func(c *lossConfig) error {
		if err := set(c); err != nil {
			return err
		}
		c.given = append(c.given, name)
		return nil
	}
}

// positive checks a finite option value > 0 (or >= 0 if zeroOK).
func positive(what string, v float64, zeroOK bool) error {
	if math.IsInf(v, 1) || !(v > 0 || zeroOK && v == 0) {
		if zeroOK {
			return errors.Errorf("%s must be finite and >= 0, got %v", what, v)
		}
		return errors.Errorf("%s must be finite and > 0, got %v", what, v)
	}
	return nil
}

// WithReduction sets the reduction (Mean, Sum, None, or BatchMean for
// KLDiv). Default Mean.
func WithReduction(r Reduction) LossOpt {
	return option("WithReduction", func(c *lossConfig) error {
		if r != Mean && r != Sum && r != None && r != BatchMean {
			return errors.Errorf("unknown reduction %d", int(r))
		}
		c.reduction = r
		return nil
	})
}

// WithWeight sets PyTorch's weight argument: for CrossEntropy and NLL a
// rescaling weight per class (shape (C)); for BCE and BCEWithLogits a weight
// broadcast to the input's shape. The weight is a constant (it is not
// differentiated) and must have the input's dtype. Its values are copied when
// the loss node is built.
func WithWeight(w tensor.Tensor) LossOpt {
	return option("WithWeight", func(c *lossConfig) error {
		if w == nil {
			return errors.New("WithWeight: nil weight")
		}
		c.weight = w
		return nil
	})
}

// WithPosWeight sets BCEWithLogits' pos_weight: a weight of positive
// examples, broadcast to the input's shape as PyTorch does (NumPy rules:
// typically shape (C), C the input's last dimension, or (1)); a shape that
// does not broadcast is an error.
func WithPosWeight(w tensor.Tensor) LossOpt {
	return option("WithPosWeight", func(c *lossConfig) error {
		if w == nil {
			return errors.New("WithPosWeight: nil pos_weight")
		}
		c.posWeight = w
		return nil
	})
}

// WithIgnoreIndex sets the class index whose targets are ignored (they add
// nothing to the loss, its gradient or the mean's denominator). Default -100.
// It only applies to class-index targets: with probability targets it is
// an error (PyTorch silently ignores it).
func WithIgnoreIndex(i int) LossOpt {
	return option("WithIgnoreIndex", func(c *lossConfig) error { c.ignore = i; return nil })
}

// WithLabelSmoothing sets CrossEntropy's label_smoothing ε in [0, 1]: the
// target becomes a mix of the original target (1-ε) and the uniform
// distribution over the C classes (ε/C).
func WithLabelSmoothing(eps float64) LossOpt {
	return option("WithLabelSmoothing", func(c *lossConfig) error {
		if !(eps >= 0 && eps <= 1) {
			return errors.Errorf("label smoothing must be in [0, 1], got %v", eps)
		}
		c.smoothing = eps
		return nil
	})
}

// WithBeta sets SmoothL1's beta ≥ 0, where the loss turns from quadratic
// to linear. Default 1; 0 makes it L1.
func WithBeta(beta float64) LossOpt {
	return option("WithBeta", func(c *lossConfig) error { c.beta = beta; return positive("beta", beta, true) })
}

// WithDelta sets Huber's delta > 0, where the loss turns from quadratic to
// linear. Default 1.
func WithDelta(delta float64) LossOpt {
	return option("WithDelta", func(c *lossConfig) error { c.delta = delta; return positive("delta", delta, false) })
}

// WithEps sets the eps > 0 of GaussianNLL (the variance is clamped to at
// least eps; default 1e-6) and PoissonNLL (log(input + eps) when the input
// is not a log; default 1e-8).
func WithEps(eps float64) LossOpt {
	return option("WithEps", func(c *lossConfig) error { c.eps = eps; return positive("eps", eps, false) })
}

// WithLogTarget says that KLDiv's target holds log-probabilities
// (PyTorch's log_target=True). Default false: probabilities.
func WithLogTarget(on bool) LossOpt {
	return option("WithLogTarget", func(c *lossConfig) error { c.logTarget = on; return nil })
}

// WithFull adds the constant terms PyTorch's full=True adds: 0.5·log(2π)
// for GaussianNLL, Stirling's approximation of log(target!) for
// PoissonNLL. Default false.
func WithFull(on bool) LossOpt {
	return option("WithFull", func(c *lossConfig) error { c.full = on; return nil })
}

// WithLogInput says whether PoissonNLL's input is the log of the rate
// (true, the default, as PyTorch's log_input=True) or the rate itself.
func WithLogInput(on bool) LossOpt {
	return option("WithLogInput", func(c *lossConfig) error { c.logInput = on; return nil })
}

// floatsOfConst returns a constant tensor's values as float64, checking its
// dtype.
func floatsOfConst(name, what string, t tensor.Tensor, dt tensor.Dtype) ([]float64, error) {
	if t.Dtype() != dt {
		return nil, errors.Errorf("ops: %s: %s has dtype %v, want the input's dtype %v", name, what, t.Dtype(), dt)
	}
	n := t.Shape().TotalSize()
	out := make([]float64, n)
	switch d := t.Data().(type) {
	case []float64:
		if len(d) != n {
			return nil, errors.Errorf("ops: %s: %s is not a contiguous dense tensor", name, what)
		}
		copy(out, d)
	case []float32:
		if len(d) != n {
			return nil, errors.Errorf("ops: %s: %s is not a contiguous dense tensor", name, what)
		}
		for i, v := range d {
			out[i] = float64(v)
		}
	case float64:
		out[0] = d
	case float32:
		out[0] = float64(d)
	default:
		return nil, errors.Errorf("ops: %s: %s has unsupported data %T", name, what, d)
	}
	return out, nil
}
