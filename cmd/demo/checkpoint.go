package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"

	"github.com/stheno-ml/stheno/internal/report"
)

// File names inside the output directory.
const (
	weightsFile   = "model.safetensors"
	solverFile    = "solver.state"
	stateFile     = "run.json"
	metricsFile   = "metrics.csv"
	lossPlot      = "loss.png"
	accuracyPlot  = "accuracy.png"
	confusionPlot = "confusion.png"
)

// stateVersion is the version of the run.json layout.
const stateVersion = 1

// RunState is the small JSON record of where a run stands. It is written last, after the
// weights and solver files, and records their SHA-256 so that a resume can tell a consistent
// checkpoint from a half-written one.
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
	// SHA-256 of the weights and solver files this state belongs to.
	WeightsSHA256 string `json:"weights_sha256"`
	SolverSHA256  string `json:"solver_sha256"`
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// saveCheckpoint writes the weights, the solver state and then run.json into dir, each
// atomically.
func saveCheckpoint(dir string, p program, st *RunState) error {
	wp, sp := filepath.Join(dir, weightsFile), filepath.Join(dir, solverFile)
	if err := p.SaveWeights(wp); err != nil {
		return errors.Wrap(err, "saving weights")
	}
	var sbuf bytes.Buffer
	if err := p.SaveSolver(&sbuf); err != nil {
		return errors.Wrap(err, "saving solver state")
	}
	if err := report.WriteFileAtomic(sp, func(w io.Writer) error { _, err := w.Write(sbuf.Bytes()); return err }); err != nil {
		return err
	}
	var err error
	if st.WeightsSHA256, err = fileSHA256(wp); err != nil {
		return errors.Wrap(err, "checkpoint")
	}
	sum := sha256.Sum256(sbuf.Bytes())
	st.SolverSHA256 = hex.EncodeToString(sum[:])
	st.Version = stateVersion
	return report.WriteFileAtomic(filepath.Join(dir, stateFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	})
}

// readState reads run.json from dir.
func readState(dir string) (*RunState, error) {
	path := filepath.Join(dir, stateFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, "resume")
	}
	var st RunState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, errors.Wrapf(err, "resume: %s is corrupt", path)
	}
	if st.Version != stateVersion {
		return nil, errors.Errorf("resume: %s has version %d, want %d", path, st.Version, stateVersion)
	}
	return &st, nil
}

// loadCheckpoint checks that the weights and solver files in dir are the ones st was written
// with and loads them into p.
func loadCheckpoint(dir string, p program, st *RunState) error {
	wp, sp := filepath.Join(dir, weightsFile), filepath.Join(dir, solverFile)
	for _, f := range []struct{ path, want string }{{wp, st.WeightsSHA256}, {sp, st.SolverSHA256}} {
		got, err := fileSHA256(f.path)
		if err != nil {
			return errors.Wrap(err, "resume")
		}
		if got != f.want {
			return errors.Errorf("resume: %s does not match %s (SHA-256 %s, recorded %s): the checkpoint is inconsistent, probably cut short while saving",
				f.path, filepath.Join(dir, stateFile), got[:12], f.want[:min(12, len(f.want))])
		}
	}
	if err := p.LoadWeights(wp); err != nil {
		return errors.Wrap(err, "resume: loading weights")
	}
	f, err := os.Open(sp)
	if err != nil {
		return errors.Wrap(err, "resume")
	}
	defer f.Close()
	return errors.Wrap(p.LoadSolver(f), "resume: loading solver state")
}
