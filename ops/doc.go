// Package ops provides the classification losses and (log-)softmax as
// custom Gorgonia ops with the semantics of torch.nn.functional in
// PyTorch 1.13:
//
//	CrossEntropy   logits (raw scores), class indices or probabilities
//	NLL            log-probabilities (after LogSoftmax), class indices
//	BCE            probabilities (after a sigmoid), targets in [0, 1]
//	BCEWithLogits  logits (raw scores), targets in [0, 1]
//	Softmax, LogSoftmax along any axis
//
// Each is one fused op with a hand-written forward and backward: the
// backward is returned by SymDiff (for gorgonia.Grad and the TapeMachine)
// and also run by DoDiff (for the LispMachine). They are numerically
// stable: softmax and cross-entropy shift every row by its own max,
// BCEWithLogits uses max(x,0) - x·y + log1p(exp(-|x|)), BCE clamps its logs
// at -100 as PyTorch does. Float64 and Float32 inputs are supported; sums
// are accumulated in float64.
//
// Options follow PyTorch's arguments: WithReduction (Mean, Sum, None),
// WithWeight, WithIgnoreIndex, WithLabelSmoothing, WithPosWeight. An option
// that does not apply to a loss is an error.
//
// Mistakes are errors, not panics: shapes and dtypes are checked when the
// node is built; class indices out of range and BCE probabilities or
// targets outside [0, 1] make the VM's RunAll return an error naming the
// value and its position.
//
// Gradients flow to the input only. Targets get none (SymDiff returns nil
// for them): class indices are not differentiable, and for probability or
// BCE targets PyTorch would compute one, which training never needs.
//
// An op keeps its output and scratch buffers, so after its first run it
// allocates nothing. Consequences: a loss node's value is overwritten by
// the next run (copy it if you need to keep it), and, as for Gorgonia's
// own node values, one graph must not be run by two VMs at the same time.
// Kernels over more than ~32K elements split their rows over two
// goroutines; results do not depend on whether the halves run in parallel.
//
// The kernels are plain generic functions over slices; see
// docs/losses.md for the equations and a mapping from PyTorch calls.
package ops
