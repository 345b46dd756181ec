package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/data/mnist"
	"github.com/stheno-ml/stheno/internal/fsx"
	"github.com/stheno-ml/stheno/internal/report"
)

// Result is what a run produced.
type Result struct {
	Config      Config
	History     []report.Epoch // one entry per completed epoch
	Confusion   *report.Confusion
	Interrupted bool     // stopped by the context (Ctrl-C) with a checkpoint saved
	AlreadyDone bool     // -resume of a run that had finished: nothing was trained or written
	Files       []string // paths written
}

// Final returns the metrics of the last completed epoch.
func (r *Result) Final() report.Epoch {
	if len(r.History) == 0 {
		return report.Epoch{}
	}
	return r.History[len(r.History)-1]
}

// ErrDiverged is the cause of the error returned when the loss becomes NaN or ±Inf.
var ErrDiverged = errors.New("training diverged")

// newProgramFunc builds the model side of a run for a dataset of the given image size.
type newProgramFunc func(cfg Config, rows, cols, classes, stepsPerEpoch int) (program, error)

// runner holds one run.
type runner struct {
	cfg         Config
	p           program
	tb, eb      *data.Batcher
	conf        *report.Confusion
	pred        []int
	out, errOut io.Writer
	st          *RunState
	ckpt        *checkpoint.Manager
	gen         *checkpoint.Generation // the last generation saved or resumed from
	lastSaved   string
}

// run trains (or resumes) the run described by cfg. set names the flags given explicitly (for
// the -resume consistency check). Cancelling ctx stops training after the current batch and
// saves a checkpoint.
func run(ctx context.Context, cfg Config, set map[string]bool, newProgram newProgramFunc, stdout, stderr io.Writer) (*Result, error) {
	st := &RunState{Config: cfg}
	var (
		mgr   *checkpoint.Manager
		gen   *checkpoint.Generation
		saved *RunState
	)
	// Preparing -out and reading the newest generation clear leftovers (temporary files, an
	// interrupted save) from the directory, so under mpirun rank 0 does it first and alone.
	err := rank0First(func() error {
		if isRank0() {
			if err := prepareOut(cfg); err != nil {
				return err
			}
		}
		var err error
		if mgr, err = openCheckpoints(cfg.Out, stderr); err != nil || !cfg.Resume {
			return err
		}
		gen, saved, err = readState(mgr)
		return err
	})
	if err != nil {
		return nil, err
	}
	if cfg.Resume {
		if cfg, err = mergeResume(saved.Config, cfg, set); err != nil {
			return nil, err
		}
		if saved.Done {
			return finished(cfg, saved, gen, stdout), nil
		}
		if cfg.Threads != saved.Config.Threads {
			fmt.Fprintf(stdout, "note: -threads %d differs from the run's %d; the CNN's convolutions split batches by thread, so its weights may differ in the last bits from an uninterrupted run\n",
				cfg.Threads, saved.Config.Threads)
		}
		st = saved
		st.Config = cfg
	}
	runtime.GOMAXPROCS(cfg.Threads)

	dir := cfg.Data
	if dir == "" {
		if dir, err = mnist.Dir(); err != nil {
			return nil, err
		}
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		return nil, err
	}
	if cfg.Limit > 0 {
		train = train.Head(cfg.Limit)
	}
	if cfg.testLimit > 0 {
		test = test.Head(cfg.testLimit)
	}
	if cfg.Batch > train.N {
		return nil, errors.Errorf("-batch %d is larger than the %d training images", cfg.Batch, train.N)
	}
	layout := data.Flat
	if cfg.Model == "cnn" {
		layout = data.Image
	}
	dt := tensor.Float32
	if cfg.Dtype == "float64" {
		dt = tensor.Float64
	}
	r := &runner{cfg: cfg, st: st, out: stdout, errOut: stderr, conf: report.NewConfusion(train.Classes), ckpt: mgr, gen: gen}
	// The training program has one fixed batch shape, so the last partial batch of an epoch is
	// dropped; the shuffle makes it a different one every epoch.
	if r.tb, err = data.NewBatcher(train, localBatch(cfg), data.WithShuffle(cfg.Seed), data.WithDropLast(), data.WithDtype(dt), data.WithLayout(layout), shardOption()); err != nil {
		return nil, err
	}
	if r.eb, err = data.NewBatcher(test, min(cfg.EvalBatch, test.N), data.WithDtype(dt), data.WithLayout(layout), shardOption()); err != nil {
		return nil, err
	}
	r.pred = make([]int, max(cfg.Batch, cfg.EvalBatch))
	if r.p, err = newProgram(cfg, train.Rows, train.Cols, train.Classes, r.tb.Batches()); err != nil {
		return nil, err
	}
	defer r.p.Close()

	fmt.Fprintf(stdout, "Stheno MNIST demo: %v\n", cfg)
	fmt.Fprintf(stdout, "data: %s (%d training images, %d test images, %d batches of %d per epoch)\n",
		dir, train.N, test.N, r.tb.Batches(), cfg.Batch)
	if cfg.Resume {
		if err := loadCheckpoint(gen, r.p); err != nil {
			return nil, err
		}
		r.lastSaved = fmt.Sprintf("epoch %d, batch %d", st.Epoch, st.Batch)
		resumeParts(st)
		fmt.Fprintf(stdout, "resumed %s at epoch %d, batch %d (%d steps done; checkpoint %s)\n", cfg.Out, st.Epoch+1, st.Batch, st.Steps, gen.Dir)
	}
	res, err := r.loop(ctx)
	if res != nil {
		res.Config = cfg
	}
	return res, err
}

// prepareOut creates the output directory and checks, before any training, that it is
// writable and that a fresh run would not overwrite an earlier one (unless -force).
func prepareOut(cfg Config) error {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return errors.Wrap(err, "-out")
	}
	if err := fsx.CheckWritable(cfg.Out); err != nil {
		return errors.Wrap(err, "-out")
	}
	if cfg.Resume {
		return nil
	}
	what, err := holdsRun(cfg.Out)
	if err != nil {
		return err
	}
	if what == "" {
		return nil
	}
	if !cfg.Force {
		return errors.Errorf("-out %s already holds a run (%s); continue it with: go run ./cmd/demo -resume -out %s (or pass -force to replace it, or choose another -out)",
			cfg.Out, what, cfg.Out)
	}
	return discardRun(cfg.Out)
}

// finished reports a run that has already completed, without touching its files.
func finished(cfg Config, st *RunState, gen *checkpoint.Generation, stdout io.Writer) *Result {
	res := &Result{Config: cfg, History: st.History, AlreadyDone: true}
	e := res.Final()
	fmt.Fprintf(stdout, "the run in %s is already finished: %d epochs, test accuracy %.2f%% (test loss %.4f); nothing to do, its files are unchanged (weights: %s). Start a new run with -force -out %s or another -out.\n",
		cfg.Out, st.Epoch, 100*e.TestAcc, e.TestLoss, gen.Path(weightsFile), cfg.Out)
	return res
}

func (r *runner) loop(ctx context.Context) (*Result, error) {
	cfg, st := r.cfg, r.st
	res := &Result{History: st.History, Confusion: r.conf}
	for st.Epoch < cfg.Epochs {
		if ctx.Err() != nil {
			res.Interrupted = true
			fmt.Fprintf(r.out, "interrupted before epoch %d; the checkpoint in %s is up to date; continue with: go run ./cmd/demo -resume -out %s\n", st.Epoch+1, cfg.Out, cfg.Out)
			return res, nil
		}
		interrupted, err := r.trainEpoch(ctx)
		if err != nil {
			return res, err
		}
		if interrupted {
			if err := reduceParts(st); err != nil {
				return res, err
			}
			if err := r.saveRank0(); err != nil {
				return res, err
			}
			res.Interrupted = true
			res.Files = r.files(false)
			fmt.Fprintf(r.out, "interrupted: saved a checkpoint after batch %d of epoch %d in %s; continue with: go run ./cmd/demo -resume -out %s\n",
				st.Batch, st.Epoch+1, cfg.Out, cfg.Out)
			return res, nil
		}
		if err := r.finishEpoch(); err != nil {
			return res, err
		}
		res.History = st.History
	}
	res.Files = r.files(true)
	if len(st.History) > 0 {
		r.summary(res)
	}
	return res, nil
}

// trainEpoch runs the (rest of the) current epoch's batches. It returns true if ctx was
// cancelled before the epoch's end.
func (r *runner) trainEpoch(ctx context.Context) (bool, error) {
	cfg, st := r.cfg, r.st
	if err := r.tb.Seek(st.Epoch, st.Batch); err != nil {
		return false, err
	}
	start := time.Now()
	bar := report.NewProgress(r.errOut, cfg.Progress, r.tb.Batches(), fmt.Sprintf("epoch %d/%d", st.Epoch+1, cfg.Epochs))
	defer bar.Finish()
	for r.tb.Next() {
		lr := r.p.LR()
		st.LastLR = lr
		loss, err := r.p.Step(r.tb.X(), r.tb.Y())
		if err != nil {
			return false, errors.Wrapf(err, "epoch %d, batch %d", st.Epoch+1, st.Batch+1)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			bar.Finish()
			kept := "no checkpoint had been saved yet"
			if r.lastSaved != "" {
				kept = fmt.Sprintf("the last good checkpoint (%s) is kept in %s", r.lastSaved, cfg.Out)
			}
			return false, fmt.Errorf("%w: the loss became %v at epoch %d, batch %d (learning rate %.3g); stopped without saving: %s; try a lower -lr",
				ErrDiverged, loss, st.Epoch+1, st.Batch+1, lr, kept)
		}
		labels := r.tb.Labels()
		n := len(labels)
		st.PartLossSum += loss * float64(n)
		st.PartCorrect += r.correct(r.p.Output(), labels)
		st.PartSeen += n
		st.Batch++
		st.Steps++
		bar.Set(st.Batch, st.PartLossSum/float64(st.PartSeen))
		if stop, err := stopAgreed(ctx); err != nil || stop {
			st.PartSeconds += time.Since(start).Seconds()
			return stop, err
		}
	}
	st.PartSeconds += time.Since(start).Seconds()
	return false, nil
}

// correct counts the rows of logits whose argmax equals the label.
func (r *runner) correct(logits tensor.Tensor, labels []int) int {
	n, k := len(labels), logits.Shape()[1]
	pred := r.pred[:n]
	switch x := logits.Data().(type) {
	case []float32:
		report.ArgmaxRows(pred, x, n, k)
	case []float64:
		report.ArgmaxRows(pred, x, n, k)
	}
	c := 0
	for i, l := range labels {
		if pred[i] == l {
			c++
		}
	}
	return c
}

// evaluate returns the mean test loss and the test accuracy and fills r.conf.
func (r *runner) evaluate() (loss, acc float64, err error) {
	r.conf.Reset()
	r.eb.Epoch(0)
	var sum float64
	for r.eb.Next() {
		out, err := r.p.Eval(r.eb.X())
		if err != nil {
			return 0, 0, errors.Wrap(err, "evaluation")
		}
		labels := r.eb.Labels()
		n, k := len(labels), out.Shape()[1]
		pred := r.pred[:n]
		switch x := out.Data().(type) {
		case []float32:
			sum += report.CrossEntropySum(x, labels, n, k)
			report.ArgmaxRows(pred, x, n, k)
		case []float64:
			sum += report.CrossEntropySum(x, labels, n, k)
			report.ArgmaxRows(pred, x, n, k)
		default:
			return 0, 0, errors.Errorf("evaluation: model output has dtype %v", out.Dtype())
		}
		for i, l := range labels {
			r.conf.Add(l, pred[i])
		}
	}
	if sum, err = reduceEval(sum, r.conf); err != nil {
		return 0, 0, err
	}
	return sum / float64(r.conf.Total()), r.conf.Accuracy(), nil
}

// finishEpoch evaluates, records the epoch, and writes the checkpoint, CSV and plots.
func (r *runner) finishEpoch() error {
	cfg, st := r.cfg, r.st
	start := time.Now()
	testLoss, testAcc, err := r.evaluate()
	if err != nil {
		return err
	}
	if err := reduceParts(st); err != nil {
		return err
	}
	if pl, ok := r.p.(interface{ ReportTestLoss(float64) }); ok {
		pl.ReportTestLoss(testLoss) // -schedule plateau; saved with the solver state below
	}
	e := report.Epoch{
		Epoch:     st.Epoch + 1,
		TrainLoss: st.PartLossSum / float64(st.PartSeen),
		TrainAcc:  float64(st.PartCorrect) / float64(st.PartSeen),
		TestLoss:  testLoss,
		TestAcc:   testAcc,
		LearnRate: st.LastLR,
		Seconds:   st.PartSeconds + time.Since(start).Seconds(),
	}
	st.History = append(st.History, e)
	st.Epoch++
	st.Batch, st.PartLossSum, st.PartCorrect, st.PartSeen, st.PartSeconds = 0, 0, 0, 0, 0
	st.Done = st.Epoch == cfg.Epochs
	fmt.Fprintf(r.out, "epoch %d/%d  train loss %.4f  acc %6.2f%%  |  test loss %.4f  acc %6.2f%%  |  lr %.2e  %.1f s\n",
		e.Epoch, cfg.Epochs, e.TrainLoss, 100*e.TrainAcc, e.TestLoss, 100*e.TestAcc, e.LearnRate, e.Seconds)
	if !isRank0() {
		return nil
	}
	if err := r.save(); err != nil {
		return err
	}
	r.lastSaved = fmt.Sprintf("end of epoch %d", st.Epoch)
	return r.writeReports()
}

func (r *runner) writeReports() error {
	cfg, hist := r.cfg, r.st.History
	out := func(f string) string { return filepath.Join(cfg.Out, f) }
	if err := report.SaveCSV(out(metricsFile), hist); err != nil {
		return err
	}
	name := "MNIST " + cfg.Model
	if err := report.PlotLoss(out(lossPlot), name+": loss", hist); err != nil {
		return err
	}
	if err := report.PlotAccuracy(out(accuracyPlot), name+": accuracy", hist); err != nil {
		return err
	}
	names := make([]string, r.conf.K)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	e := hist[len(hist)-1]
	return report.PlotConfusion(out(confusionPlot),
		fmt.Sprintf("%s: test confusion after epoch %d (%.2f%%)", name, e.Epoch, 100*e.TestAcc), r.conf, names)
}

// save writes a checkpoint generation of the run as it stands.
func (r *runner) save() error {
	g, err := saveCheckpoint(r.ckpt, r.p, r.st)
	if err != nil {
		kept := "no checkpoint had been saved yet"
		if r.lastSaved != "" {
			kept = fmt.Sprintf("the last checkpoint (%s) is intact; continue from it with: go run ./cmd/demo -resume -out %s", r.lastSaved, r.cfg.Out)
		}
		return errors.Wrapf(err, "epoch %d: %s", r.st.Epoch, kept)
	}
	r.gen = g
	return nil
}

func (r *runner) files(withReports bool) []string {
	var paths []string
	if r.gen != nil {
		paths = append(paths, r.gen.Path(weightsFile), r.gen.Path(solverFile), r.gen.Path(checkpoint.ManifestFile))
	}
	if withReports && len(r.st.History) > 0 {
		for _, n := range []string{metricsFile, lossPlot, accuracyPlot, confusionPlot} {
			paths = append(paths, filepath.Join(r.cfg.Out, n))
		}
	}
	return paths
}

func (r *runner) summary(res *Result) {
	e := res.Final()
	var secs float64
	for _, h := range res.History {
		secs += h.Seconds
	}
	plural := "s"
	if e.Epoch == 1 {
		plural = ""
	}
	fmt.Fprintf(r.out, "done: test accuracy %.2f%% (test loss %.4f) after %d epoch%s, %.1f s per epoch\n",
		100*e.TestAcc, e.TestLoss, e.Epoch, plural, secs/float64(len(res.History)))
	fmt.Fprintf(r.out, "wrote:\n")
	what := map[string]string{
		weightsFile: "weights: safetensors, PyTorch state_dict names", solverFile: "solver state",
		checkpoint.ManifestFile: "run state for -resume, SHA-256 of the checkpoint's files", metricsFile: "per-epoch metrics",
		lossPlot: "loss curves", accuracyPlot: "accuracy curves", confusionPlot: "test confusion matrix",
	}
	width := 0
	for _, p := range res.Files {
		width = max(width, len(p))
	}
	for _, p := range res.Files {
		fmt.Fprintf(r.out, "  %-*s  %s\n", width, p, what[filepath.Base(p)])
	}
}
