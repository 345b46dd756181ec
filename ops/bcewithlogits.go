package ops

import G "gorgonia.org/gorgonia"

// BCEWithLogits returns the binary cross-entropy of sigmoid(logits) and
// targets, with the semantics of
// torch.nn.functional.binary_cross_entropy_with_logits (PyTorch 1.13),
// computed stably for any logit:
// w ((1-y) x + (1 + (pw-1) y) (max(-x, 0) + log1p(exp(-|x|)))),
// which without pos_weight is w (max(x, 0) - x y + log1p(exp(-|x|))).
//
// Options: WithReduction (default Mean), WithWeight (broadcast to the
// input's shape) and WithPosWeight (broadcast along the last dimension).
// Gradients flow to logits only.
func BCEWithLogits(logits, target *G.Node, opts ...LossOpt) (*G.Node, error) {
	return binaryLoss(kindBCELogits, logits, target, opts)
}
