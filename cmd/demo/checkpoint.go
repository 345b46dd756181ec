package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/internal/jsonx"
	"github.com/stheno-ml/stheno/internal/report"
)

// File names inside the output directory. The checkpoint (weights, solver state and run state
// as one generation) lives in the gen-* directories and the CHECKPOINT pointer that package
// checkpoint manages; the reports are plain files beside them.
const (
	weightsFile   = checkpoint.WeightsFile
	solverFile    = checkpoint.SolverFile
	metricsFile   = "metrics.csv"
	lossPlot      = "loss.png"
	accuracyPlot  = "accuracy.png"
	confusionPlot = "confusion.png"
	// legacyStateFile is where demos before the checkpoint manager kept the run state.
	legacyStateFile = "run.json"
)

// stateVersion is the version of the RunState layout.
const stateVersion = 2

// RunState is where a run stands: the metadata of every checkpoint generation. The checkpoint
// manager records it in the generation's manifest, with the SHA-256 of the weights and solver
// files, and checksums the manifest itself.
type RunState struct {
	Version int    `json:"version"`
	Config  Config `json:"config"`
	// Epoch is the number of completed epochs; Batch the number of batches completed in the
	// next epoch (non-zero only after an interruption); Steps the number of solver steps.
	Epoch int `json:"epoch"`
	Batch int `json:"batch"`
	Steps int `json:"steps"`
	// DataOrder documents the position of the data order: the order of epoch e is a pure
	// function of (seed, e), so Epoch and Batch are the whole random-number position.
	DataOrder string `json:"data_order"`
	// Accumulators of the unfinished epoch, so its reported train metrics are exact on resume.
	PartLossSum float64 `json:"part_loss_sum"`
	PartCorrect int     `json:"part_correct"`
	PartSeen    int     `json:"part_seen"`
	PartSeconds float64 `json:"part_seconds"`
	LastLR      float64 `json:"last_lr"` // learning rate of the last step
	// History holds the metrics of the completed epochs.
	History []report.Epoch `json:"history"`
	Done    bool           `json:"done"`
}

// decodeRunState decodes and checks the run state stored in a checkpoint as strictly as the
// flags are checked: unknown fields, an unknown model, solver, schedule or dtype, and counters
// that contradict each other are errors.
func decodeRunState(b []byte) (*RunState, error) {
	var st RunState
	if err := jsonx.DecodeStrict(b, &st); err != nil {
		return nil, errors.Wrap(err, "run state")
	}
	if st.Version != stateVersion {
		return nil, errors.Errorf("run state version %d, want %d", st.Version, stateVersion)
	}
	if err := st.Config.validate(); err != nil {
		return nil, errors.Wrap(err, "stored configuration")
	}
	switch c := st.Config; {
	case st.Epoch < 0 || st.Epoch > c.Epochs:
		return nil, errors.Errorf("run state: epoch %d of a %d-epoch run", st.Epoch, c.Epochs)
	case st.Batch < 0 || st.Steps < 0 || st.PartSeen < 0 || st.PartCorrect < 0 || st.PartCorrect > st.PartSeen:
		return nil, errors.Errorf("run state: batch %d, steps %d, %d of %d correct", st.Batch, st.Steps, st.PartCorrect, st.PartSeen)
	case st.PartSeen != st.Batch*c.Batch:
		return nil, errors.Errorf("run state: %d examples seen in %d batches of %d", st.PartSeen, st.Batch, c.Batch)
	case len(st.History) != st.Epoch:
		return nil, errors.Errorf("run state: %d epochs of history for %d completed epochs", len(st.History), st.Epoch)
	case st.Done != (st.Epoch == c.Epochs):
		return nil, errors.Errorf("run state: done %v after %d of %d epochs", st.Done, st.Epoch, c.Epochs)
	}
	return &st, nil
}

// openCheckpoints returns the checkpoint manager of the run directory dir; warnings go to
// errOut.
func openCheckpoints(dir string, errOut io.Writer) (*checkpoint.Manager, error) {
	return checkpoint.New(dir, checkpoint.WithWarnings(func(msg string) { fmt.Fprintln(errOut, "warning:", msg) }))
}

// saveCheckpoint saves the weights, the solver state and st as one new generation.
func saveCheckpoint(m *checkpoint.Manager, p program, st *RunState) (*checkpoint.Generation, error) {
	st.Version = stateVersion
	g, err := m.Save(st,
		checkpoint.File{Name: weightsFile, Write: p.SaveWeights},
		checkpoint.File{Name: solverFile, Write: p.SaveSolver})
	return g, errors.Wrap(err, "saving the checkpoint")
}

// readState returns the newest intact generation in m's directory and its run state.
func readState(m *checkpoint.Manager) (*checkpoint.Generation, *RunState, error) {
	g, err := m.Latest()
	if errors.Is(err, checkpoint.ErrNoCheckpoint) {
		if _, lerr := os.Stat(filepath.Join(m.Dir(), legacyStateFile)); lerr == nil {
			return nil, nil, errors.Errorf("resume: %s holds a run saved by an older demo (%s), which this version cannot resume; start over with -force -out %s",
				m.Dir(), legacyStateFile, m.Dir())
		}
	}
	if err != nil {
		return nil, nil, errors.Wrap(err, "resume")
	}
	st, err := decodeRunState(g.Meta)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "resume: %s", g.Path(checkpoint.ManifestFile))
	}
	return g, st, nil
}

// loadCheckpoint loads the weights and solver state of generation g into p.
func loadCheckpoint(g *checkpoint.Generation, p program) error {
	for _, f := range []struct {
		name string
		load func(io.Reader) error
	}{{weightsFile, p.LoadWeights}, {solverFile, p.LoadSolver}} {
		r, err := g.Open(f.name)
		if err != nil {
			return errors.Wrap(err, "resume")
		}
		err = f.load(r)
		r.Close()
		if err != nil {
			return errors.Wrapf(err, "resume: loading %s", g.Path(f.name))
		}
	}
	return nil
}

// holdsRun reports what in dir belongs to an earlier run ("" if nothing).
func holdsRun(dir string) (string, error) {
	ok, err := checkpoint.Exists(dir)
	if err != nil {
		return "", err
	}
	if ok {
		return "a checkpoint", nil
	}
	for _, f := range []string{legacyStateFile, weightsFile, metricsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return f, nil
		}
	}
	return "", nil
}

// discardRun removes an earlier run's checkpoints and reports from dir (for -force).
func discardRun(dir string) error {
	if err := checkpoint.Discard(dir); err != nil {
		return errors.Wrap(err, "-force")
	}
	for _, f := range []string{legacyStateFile, weightsFile, solverFile, metricsFile, lossPlot, accuracyPlot, confusionPlot} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return errors.Wrap(err, "-force")
		}
	}
	return nil
}
