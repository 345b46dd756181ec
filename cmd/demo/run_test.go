package main

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/internal/report"
)

// testConfig is a small run: n training images, the given epochs and batch. Evaluation runs
// in batches of 200, which keeps the CNN's activations (and go test's memory) small; the
// results are those of any other evaluation batch.
func testConfig(t *testing.T, model string, n, epochs, batch int) Config {
	t.Helper()
	cfg, _, err := parseFlags([]string{"-model", model, "-limit", itoaT(n), "-epochs", itoaT(epochs), "-batch", itoaT(batch),
		"-out", t.TempDir(), "-threads", "2", "-eval-batch", "200"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func itoaT(i int) string { return strconv.Itoa(i) }

// cancelAfter wraps a program constructor so that ctx is cancelled right after Step number n.
func cancelAfter(newP newProgramFunc, n int, cancel context.CancelFunc) newProgramFunc {
	return func(cfg Config, rows, cols, classes, spe int) (program, error) {
		p, err := newP(cfg, rows, cols, classes, spe)
		return &cancelling{program: p, n: n, cancel: cancel}, err
	}
}

type cancelling struct {
	program
	n, steps int
	cancel   context.CancelFunc
}

func (c *cancelling) Step(x, y tensor.Tensor) (float64, error) {
	l, err := c.program.Step(x, y)
	if c.steps++; c.steps == c.n {
		c.cancel()
	}
	return l, err
}

// readRunState returns the newest generation in dir and its run state.
func readRunState(t *testing.T, dir string) (*checkpoint.Generation, *RunState) {
	t.Helper()
	m, err := checkpoint.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, st, err := readState(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Warnings) > 0 {
		t.Errorf("checkpoint warnings: %v", g.Warnings)
	}
	return g, st
}

func TestRunWritesEverything(t *testing.T) {
	cfg := testConfig(t, "mlp", 1000, 2, 50)
	cfg.LR = 0.01
	var out bytes.Buffer
	res, err := run(context.Background(), cfg, nil, newFakeProgram(0), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != 2 || res.Interrupted {
		t.Fatalf("history %d interrupted %v", len(res.History), res.Interrupted)
	}
	// Softmax regression on 1000 images: measured 85.1% test accuracy after 2 epochs.
	if acc := res.Final().TestAcc; acc < 0.80 {
		t.Errorf("test accuracy %.4f < 0.80", acc)
	}
	if res.Confusion.Total() != 10000 {
		t.Errorf("confusion counts %d examples", res.Confusion.Total())
	}
	for _, want := range []string{"epoch 1/2  train loss", "epoch 2/2", "done: test accuracy", "metrics.csv", "confusion.png"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(res.Files) != 7 {
		t.Errorf("files %v", res.Files)
	}
	for _, f := range res.Files {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	rows, err := report.ReadCSV(filepath.Join(cfg.Out, metricsFile))
	if err != nil || len(rows) != 2 || rows[1].Epoch != 2 || rows[1].TestAcc != res.Final().TestAcc {
		t.Errorf("csv %+v %v", rows, err)
	}
	for _, f := range []string{lossPlot, accuracyPlot, confusionPlot} {
		b, _ := os.ReadFile(filepath.Join(cfg.Out, f))
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	_, st := readRunState(t, cfg.Out)
	if !st.Done || st.Epoch != 2 || st.Steps != 40 || st.Batch != 0 || len(st.History) != 2 {
		t.Errorf("run state %+v", st)
	}
}

// TestResumeIsBitIdentical interrupts a run mid-epoch, resumes it, and compares the final
// weights, solver state and metrics with an uninterrupted run.
func TestResumeIsBitIdentical(t *testing.T) {
	testResume(t, newFakeProgram(0), "mlp", 600, 2, 50, []int{7, 12, 5}, 0)
}

// testResume runs n images for the given epochs once uninterrupted and once cut after the given
// numbers of steps (each cut counted from the previous resume), evaluating on the first
// testLimit test images (0: all).
func testResume(t *testing.T, newP newProgramFunc, model string, n, epochs, batch int, cuts []int, testLimit int) {
	t.Helper()
	full := testConfig(t, model, n, epochs, batch)
	full.testLimit = testLimit
	if _, err := run(context.Background(), full, nil, newP, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	part := testConfig(t, model, n, epochs, batch)
	part.testLimit = testLimit
	cfg := part
	for i, cut := range cuts {
		ctx, cancel := context.WithCancel(context.Background())
		var out bytes.Buffer
		res, err := run(ctx, cfg, map[string]bool{"resume": cfg.Resume}, cancelAfter(newP, cut, cancel), &out, io.Discard)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !res.Interrupted || !strings.Contains(out.String(), "interrupted: saved a checkpoint") {
			t.Fatalf("cut %d: not interrupted:\n%s", i, out.String())
		}
		if i > 0 && !strings.Contains(out.String(), "resumed") {
			t.Errorf("cut %d: no resume message:\n%s", i, out.String())
		}
		cfg.Resume = true
	}
	res, err := run(context.Background(), cfg, map[string]bool{"resume": true}, newP, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted || len(res.History) != epochs {
		t.Fatalf("final resume: interrupted %v, %d epochs", res.Interrupted, len(res.History))
	}
	ga, sa := readRunState(t, full.Out)
	gb, sb := readRunState(t, part.Out)
	for _, f := range []string{weightsFile, solverFile} {
		a, _ := os.ReadFile(ga.Path(f))
		b, _ := os.ReadFile(gb.Path(f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", f)
		}
	}
	if sa.Steps != sb.Steps || len(sa.History) != len(sb.History) {
		t.Fatalf("steps %d vs %d", sa.Steps, sb.Steps)
	}
	for i := range sa.History {
		a, b := sa.History[i], sb.History[i]
		a.Seconds, b.Seconds = 0, 0
		if a != b {
			t.Errorf("epoch %d metrics differ:\n%+v\n%+v", i+1, a, b)
		}
	}
}

func TestDivergenceKeepsLastGoodCheckpoint(t *testing.T) {
	cfg := testConfig(t, "mlp", 500, 3, 50) // 10 steps per epoch
	_, err := run(context.Background(), cfg, nil, newFakeProgram(14), io.Discard, io.Discard)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("error %v, want ErrDiverged", err)
	}
	for _, want := range []string{"loss became NaN at epoch 2, batch 4", "last good checkpoint (end of epoch 1)", "lower -lr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	g, st := readRunState(t, cfg.Out)
	if st.Epoch != 1 || st.Steps != 10 || st.Done {
		t.Errorf("run state after divergence: epoch %d steps %d", st.Epoch, st.Steps)
	}
	// The checkpoint left behind is consistent and resumable.
	p, _ := newFakeProgram(0)(cfg, 28, 28, 10, 10)
	if err := loadCheckpoint(g, p); err != nil {
		t.Errorf("last good checkpoint does not load: %v", err)
	}
}

// TestResumeFallsBackFromDamagedCheckpoint damages the newest generation's weights: -resume
// continues from the previous generation with a warning naming the damaged file, and fails
// with a clear error once every generation is damaged.
func TestResumeFallsBackFromDamagedCheckpoint(t *testing.T) {
	cfg := testConfig(t, "mlp", 300, 2, 50)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := run(ctx, cfg, nil, cancelAfter(newFakeProgram(0), 9, cancel), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cancel()
	g, st := readRunState(t, cfg.Out)
	if st.Epoch != 1 || st.Batch != 3 {
		t.Fatalf("run state epoch %d batch %d", st.Epoch, st.Batch)
	}
	b, _ := os.ReadFile(g.Path(weightsFile))
	b[len(b)/2] ^= 1
	os.WriteFile(g.Path(weightsFile), b, 0o644)
	cfg.Resume = true
	var out, errOut bytes.Buffer
	res, err := run(context.Background(), cfg, map[string]bool{"resume": true}, newFakeProgram(0), &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "warning: checkpoint: generation 2") || !strings.Contains(errOut.String(), "model.safetensors") ||
		!strings.Contains(out.String(), "resumed "+cfg.Out+" at epoch 2, batch 0") || len(res.History) != 2 {
		t.Errorf("fallback:\nstdout %s\nstderr %s", out.String(), errOut.String())
	}
	// Every generation damaged: an error, nothing trained.
	m, _ := checkpoint.New(cfg.Out)
	for _, d := range []string{"gen-00000001", "gen-00000003"} {
		p := filepath.Join(cfg.Out, d, solverFile)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (%v)", err, entriesOf(cfg.Out))
		}
		b[0] ^= 1
		os.WriteFile(p, b, 0o644)
	}
	if _, err := m.Latest(); !errors.Is(err, checkpoint.ErrNoCheckpoint) {
		t.Fatalf("all damaged: %v", err)
	}
	_, err = run(context.Background(), cfg, map[string]bool{"resume": true}, newFakeProgram(0), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "every generation is damaged") {
		t.Errorf("resume with every generation damaged: %v", err)
	}
	cfg.Out = t.TempDir()
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "holds no generation") {
		t.Errorf("resume without a run: %v", err)
	}
}

func entriesOf(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}

func TestRunErrors(t *testing.T) {
	cfg := testConfig(t, "mlp", 30, 1, 50)
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-batch 50 is larger than the 30 training images") {
		t.Errorf("batch > limit: %v", err)
	}
	cfg = testConfig(t, "mlp", 100, 1, 50)
	cfg.Data = t.TempDir()
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "missing file") {
		t.Errorf("empty data dir: %v", err)
	}
}
