package main

import (
	"io"

	"gorgonia.org/tensor"
)

// program is what the training loop needs from the model side: one compiled training step,
// an evaluation forward pass sharing the same weights, and checkpointing of weights and solver.
// graphProgram implements it with Stheno's graph, layers, models, solvers and ops.
type program interface {
	// Step runs forward, backward and one solver update on a batch and returns the loss.
	Step(x, y tensor.Tensor) (float64, error)
	// Output is the model output (logits, (N, classes)) of the last Step.
	Output() tensor.Tensor
	// Eval returns the logits of x in evaluation mode.
	Eval(x tensor.Tensor) (tensor.Tensor, error)
	// LR is the learning rate the next Step will use (after the schedule).
	LR() float64
	// SaveWeights and LoadWeights write and read the model's weights (safetensors).
	SaveWeights(w io.Writer) error
	LoadWeights(r io.Reader) error
	// SaveSolver and LoadSolver write and read the solver state.
	SaveSolver(w io.Writer) error
	LoadSolver(r io.Reader) error
	Close() error
}
