// Package solvers provides gradient-descent solvers for Gorgonia that follow
// torch.optim (PyTorch 1.13) exactly: SGD (momentum, dampening, Nesterov),
// Adam (AMSGrad), AdamW, RMSProp (centered, momentum) and Adagrad, with
// coupled or decoupled weight decay and maximize.
//
// Every solver is a drop-in gorgonia.Solver: it updates the values of the
// learnable nodes in place (writing into the existing value tensors), in the
// usual loop
//
//	for epoch := 0; epoch < n; epoch++ {
//		if err := vm.RunAll(); err != nil { ... }
//		if err := solver.Step(gorgonia.NodesToValueGrads(learnables)); err != nil { ... }
//		vm.Reset()
//	}
//
// Beyond Gorgonia's own solvers the package offers learning-rate schedules
// (StepLR, CosineAnnealingLR, LinearLR, LinearWarmup, Sequential, PerEpoch),
// global-norm gradient clipping (WithClipGradNorm, ClipGradNorm), parameter
// groups by name (WithGroup), and saving/restoring the full state
// (SaveState, LoadState) so that a resumed run is bit-identical.
//
// State is kept per parameter, keyed by the gorgonia.ValueGrad itself (the
// *gorgonia.Node), never by its position in the slice passed to Step, so the
// set of learnables may change between steps. Saved state is keyed by the
// node's name.
//
// Gradients: for a node differentiated with gorgonia.Grad (TapeMachine) the
// solver reads the value of its derivative node, which the machine
// recomputes each run. For a node without a derivative node (LispMachine)
// the gradient is a dual value that Gorgonia adds every run's gradient into;
// the solver zeroes it after the update (like torch's zero_grad), so that
// gradients do not leak from one step into the next. Do not use
// gorgonia.BindDualValues with a TapeMachine for training: Gorgonia 0.9.18
// then accumulates scalar nodes' derivatives across runs.
//
// The updates are fused kernels over the parameter's slice (one pass: read
// θ, g and the state once, write them once), allocate nothing after the
// first step, and split parameters of more than 64Ki elements across
// GOMAXPROCS pre-started goroutines with results bit-identical to the
// serial path. float32 and float64 parameters are supported, as
// *tensor.Dense or scalar *gorgonia.F32/*gorgonia.F64 values.
package solvers
