// Package solvers provides gradient-descent solvers for Gorgonia that follow
// torch.optim (PyTorch 1.13) exactly: SGD (momentum, dampening, Nesterov),
// Adam (AMSGrad), AdamW, RMSProp (centered, momentum), Adagrad, Adadelta,
// Adamax, NAdam and RAdam, with coupled or decoupled weight decay and
// maximize.
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
// Learnables finds the learnable nodes of any Gorgonia graph (with Inputs,
// Freeze and FreezeMatching), and a Stepper runs the VM, steps the solver
// over them and resets the VM in one call, so that a program needs no list
// of its learnables.
//
// Beyond Gorgonia's own solvers the package offers learning-rate schedules
// (StepLR, CosineAnnealingLR, LinearLR, LinearWarmup, Sequential, PerEpoch,
// ExponentialLR, MultiStepLR, ConstantLR, PolynomialLR,
// CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR, ReduceLROnPlateau,
// Chained),
// global-norm gradient clipping (WithClipGradNorm, ClipGradNorm), parameter
// groups by name (WithGroup), and saving/restoring the full state
// (SaveState, LoadState) so that a resumed run is bit-identical.
//
// State is kept per parameter, keyed by its name (gorgonia.WithName), as
// torch.optim keys state by parameter, never by its position in the slice
// passed to Step: the set of learnables may change between steps, and two
// programs over the same parameters (two graph.Trainers over one Store)
// share one state. Unnamed parameters are keyed by the ValueGrad itself.
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
// first step, and split parameters of 128Ki (2·64Ki) elements or more into
// parts of at least 64Ki elements run by Stheno's worker pool
// (internal/par), with results bit-identical to the serial path at any
// GOMAXPROCS. float32 and float64 parameters are supported, as
// *tensor.Dense or scalar *gorgonia.F32/*gorgonia.F64 values. On amd64
// the bulk of each update runs in AVX-512 or AVX2 assembly chosen once at
// start-up (the purego build tag turns the assembly off); the assembly and
// the Go loops do the same operations in the same order, bit for bit.
//
// float32 results are bit-identical to torch.optim's (PyTorch 1.13,
// single-tensor path on a CPU with FMA): the kernels follow PyTorch's
// operation order, fusing a multiply and an add wherever PyTorch's kernels
// do (docs/solvers.md lists the guarantees and what can differ).
//
// Conformance: package solvertest replays the torch.optim trajectories
// Stheno ships against any gorgonia.Solver; this package's own tests run
// it on every solver here.
//
// # Adding a solver
//
// A solver is one file, say nadam.go, with its test beside it:
//
//   - the exported type embeds base (type NAdam struct{ base }) and its
//     Step calls s.doStep(model);
//   - its constructor lists the options it accepts (an optKey mask, adding
//     new optKeys and With... functions in options.go when torch has
//     arguments no solver here has yet), calls build with torch's defaults,
//     and sets s.base = newBase("NAdam", cfg, nadamAlgorithm{},
//     newNAdamKernel[float32](), newNAdamKernel[float64]());
//   - an algorithm (nbuf, initBuf): how many parameter-sized state buffers
//     a parameter needs and their initial values;
//   - one generic kernel type nadamKernel[T num.Float] implementing
//     kernel[T]: set computes the per-step scalars from the hyperparameters,
//     the step count and the learning rate (in float64, as torch's Python
//     does, then converted to T), Range(part, lo, hi) runs the element-wise
//     update over [lo, hi) with one generic loop in torch's operation order
//     (fma(a, b, c) where torch's add(…, alpha=) or addcmul fuses, so that
//     float32 results are PyTorch's bits), and reset drops the slice
//     references;
//   - optionally a vector kernel: an entry in vecKernels (vec.go), its body
//     in tools/asm/solvers.py, which generates the AVX2 and AVX-512 versions
//     into the *_amd64.s files (build tag amd64 && !purego) and the tables
//     in asm_amd64.go, and an adapter in kernels_amd64.go; it must do the
//     same operations in the same order as the Go loop (VFMADD231 where the
//     loop calls fma), which TestVectorKernelsBitIdentical checks;
//   - golden trajectories from tools/golden/solvers.py (torch.optim with
//     foreach=False) into solvertest/testdata, replayed by
//     solvertest.Run(t, factory(t), solvertest.Cases("nadam")) (with the
//     torch name in newSolver of golden_test.go), an entry in constructors
//     (roundtrip_test.go: TestConstructorsListed fails without it; every
//     option round-trips through SaveState/LoadState), and cases in the
//     tables that list all solvers (kernelCases in vec_test.go, allSolvers
//     in state_test.go: kernel, parallel and resume bit identity, zero
//     allocations).
//
// State saving, learning-rate schedules, clipping, groups and the parallel
// split then work unchanged.
package solvers
