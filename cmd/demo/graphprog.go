package main

import (
	"io"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// mlpHidden are the hidden widths of the demo's MLP.
var mlpHidden = []int{512, 256}

// graphProgram is the demo's model side built from Stheno's packages: the model's weights in a
// graph.Store, a compiled graph.Trainer (batch cfg.Batch, train mode) and graph.Evaluator
// (batch cfg.EvalBatch, eval mode) sharing them, a solver with the chosen schedule, and
// ops.CrossEntropy as the loss.
type graphProgram struct {
	store  *graph.Store
	tr     *graph.Trainer
	ev     *graph.Evaluator
	solver solvers.Solver
	// plateau is the solver's schedule when it is ReduceLROnPlateau (-schedule plateau).
	plateau *solvers.ReduceLROnPlateau
}

// buildModel returns the module for cfg.Model and its input shape at batch n.
func buildModel(cfg Config, rows, cols, classes, n int) (graph.Module, tensor.Shape) {
	if cfg.Model == "cnn" {
		return models.CNN(cnnConfig(rows, cols, classes)), tensor.Shape{n, 1, rows, cols}
	}
	return models.MLP(rows*cols, mlpHidden, classes, layers.ReLU{}), tensor.Shape{n, rows * cols}
}

// cnnConfig is the demo's LeNet-style network, the torch.nn.Sequential
//
//	Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2),
//	Flatten, Linear(32·7·7, 128), ReLU, Linear(128, classes)
//
// (models.CNN needs square images whose size is divisible by 4; other sizes give an error when
// the model is built).
func cnnConfig(rows, cols, classes int) models.CNNConfig {
	size := rows
	if cols != rows {
		size = -1
	}
	return models.CNNConfig{InChannels: 1, Size: size, Channels: [2]int{16, 32}, Hidden: 128, Classes: classes, NoDropout: true}
}

// schedule returns the learning-rate schedule of cfg for a run of total steps (nil: constant).
func schedule(cfg Config, stepsPerEpoch int) solvers.Schedule {
	total := cfg.Epochs * stepsPerEpoch
	switch cfg.Schedule {
	case "step":
		return solvers.PerEpoch(solvers.StepLR(1, 0.5), stepsPerEpoch)
	case "cosine":
		return solvers.CosineAnnealingLR(total, 0)
	case "onecycle":
		// Peak at -lr; momentum/β1 cycled as torch's default, where the solver has one.
		fixed := cfg.Solver == "sgd" || cfg.Solver == "rmsprop" || cfg.Solver == "adagrad" || cfg.Solver == "adadelta"
		return solvers.OneCycleLR{TotalSteps: total, FixedMomentum: fixed}
	case "plateau":
		p := solvers.NewReduceLROnPlateau()
		p.Factor, p.Patience = 0.5, 0 // fed the test loss after every epoch
		return p
	case "warmup-cosine":
		w := max(1, total/20)
		if total-w < 1 {
			return solvers.LinearWarmup(0.1, w)
		}
		return solvers.Sequential([]solvers.Schedule{solvers.LinearWarmup(0.1, w), solvers.CosineAnnealingLR(total-w, 0)}, []int{w})
	}
	return nil
}

// newSolver returns the solver of cfg, and its ReduceLROnPlateau if the schedule is one.
func newSolver(cfg Config, stepsPerEpoch int) (s solvers.Solver, plateau *solvers.ReduceLROnPlateau, err error) {
	opts := []solvers.Option{solvers.WithLearnRate(cfg.LR), solvers.WithWeightDecay(cfg.WeightDecay)}
	if sch := schedule(cfg, stepsPerEpoch); sch != nil {
		opts = append(opts, solvers.WithSchedule(sch))
		plateau, _ = sch.(*solvers.ReduceLROnPlateau)
	}
	switch cfg.Solver {
	case "sgd":
		s, err = solvers.NewSGD(opts...)
	case "momentum":
		s, err = solvers.NewSGD(append(opts, solvers.WithMomentum(0.9))...)
	case "adam":
		s, err = solvers.NewAdam(opts...)
	case "adamw":
		s, err = solvers.NewAdamW(opts...)
	case "rmsprop":
		s, err = solvers.NewRMSProp(opts...)
	case "adagrad":
		s, err = solvers.NewAdagrad(opts...)
	case "adadelta":
		s, err = solvers.NewAdadelta(opts...)
	case "adamax":
		s, err = solvers.NewAdamax(opts...)
	case "nadam":
		s, err = solvers.NewNAdam(opts...)
	case "radam":
		s, err = solvers.NewRAdam(opts...)
	default:
		err = errors.Errorf("unknown solver %q", cfg.Solver)
	}
	if err != nil {
		return nil, nil, err
	}
	return s, plateau, nil
}

func crossEntropy(out, target *gorgonia.Node) (*gorgonia.Node, error) {
	return ops.CrossEntropy(out, target)
}

func newGraphProgram(cfg Config, rows, cols, classes, stepsPerEpoch int) (program, error) {
	dt := tensor.Float32
	if cfg.Dtype == "float64" {
		dt = tensor.Float64
	}
	p := &graphProgram{store: graph.NewStore(dt, cfg.Seed)}
	var err error
	if p.solver, p.plateau, err = newSolver(cfg, stepsPerEpoch); err != nil {
		return nil, err
	}
	m, xShape := buildModel(cfg, rows, cols, classes, localBatch(cfg))
	if p.tr, err = newDataParallelTrainer(m, p.store, xShape, tensor.Shape{localBatch(cfg)}, crossEntropy, p.solver); err != nil {
		return nil, errors.Wrap(err, "building the training program")
	}
	_, evShape := buildModel(cfg, rows, cols, classes, cfg.EvalBatch)
	if p.ev, err = graph.NewEvaluator(m, p.store, evShape); err != nil {
		p.tr.Close()
		return nil, errors.Wrap(err, "building the evaluation program")
	}
	return p, nil
}

func (p *graphProgram) Step(x, y tensor.Tensor) (float64, error) { return p.tr.Step(x, y) }
func (p *graphProgram) Output() tensor.Tensor                    { return p.tr.Output() }
func (p *graphProgram) Eval(x tensor.Tensor) (tensor.Tensor, error) {
	return p.ev.Forward(x)
}

func (p *graphProgram) LR() float64 { return p.solver.ScheduledLR() }

// ReportTestLoss drives the plateau schedule, if any, with an epoch's test loss.
func (p *graphProgram) ReportTestLoss(loss float64) {
	if p.plateau != nil {
		p.plateau.Step(loss)
	}
}

func (p *graphProgram) SaveWeights(w io.Writer) error { return models.Write(w, p.store) }
func (p *graphProgram) LoadWeights(r io.Reader) error { return models.Read(r, p.store) }
func (p *graphProgram) SaveSolver(w io.Writer) error  { return p.solver.SaveState(w) }
func (p *graphProgram) LoadSolver(r io.Reader) error  { return p.solver.LoadState(r) }

func (p *graphProgram) Close() error {
	err := p.tr.Close()
	if e := p.ev.Close(); err == nil {
		err = e
	}
	return err
}
