package ops

import G "gorgonia.org/gorgonia"

// NLL returns the negative log-likelihood loss of log-probabilities (for
// example the output of LogSoftmax) and class-index targets, with the
// semantics of torch.nn.functional.nll_loss (PyTorch 1.13): -w[t]·logProbs[t]
// per position.
//
// Shapes, target dtypes and the options WithReduction, WithWeight and
// WithIgnoreIndex are as for CrossEntropy; probability targets and
// WithLabelSmoothing are errors. Gradients flow to logProbs only.
func NLL(logProbs, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return classLoss(kindNLL, logProbs, target, opts)
}
