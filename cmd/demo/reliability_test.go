package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/checkpoint"
)

// failingSolver makes SaveSolver fail (as a full disk would) from save number n on.
type failingSolver struct {
	program
	n, saves int
}

func (f *failingSolver) SaveSolver(w io.Writer) error {
	if f.saves++; f.saves >= f.n {
		return syscall.ENOSPC
	}
	return f.program.SaveSolver(w)
}

// TestSaveFailureKeepsPreviousCheckpoint is issue 8, defect 1: the second checkpoint failing
// at the solver state after the weights were written used to leave files matching neither
// checkpoint, so -resume refused and the run was lost. Now the failed save leaves the first
// generation current and intact, nothing of itself behind, and -resume continues from it to
// the same result as an uninterrupted run.
func TestSaveFailureKeepsPreviousCheckpoint(t *testing.T) {
	full := testConfig(t, "mlp", 300, 3, 50)
	if _, err := run(context.Background(), full, nil, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "mlp", 300, 3, 50)
	failing := func(c Config, rows, cols, classes, spe int) (program, error) {
		p, err := newFakeProgram(0)(c, rows, cols, classes, spe)
		return &failingSolver{program: p, n: 2}, err
	}
	_, err := run(context.Background(), cfg, nil, failing, io.Discard, io.Discard)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "-resume -out "+cfg.Out) {
		t.Fatalf("error %v, want ENOSPC with a resume hint", err)
	}
	if got := strings.Join(entriesOf(cfg.Out), " "); got != "CHECKPOINT accuracy.png confusion.png gen-00000001 loss.png metrics.csv" {
		t.Errorf("after the failed save the directory holds %s", got)
	}
	_, st := readRunState(t, cfg.Out)
	if st.Epoch != 1 {
		t.Fatalf("checkpoint after the failed save is at epoch %d, want 1", st.Epoch)
	}
	cfg.Resume = true
	if _, err := run(context.Background(), cfg, map[string]bool{"resume": true}, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	ga, _ := readRunState(t, full.Out)
	gb, _ := readRunState(t, cfg.Out)
	a, _ := os.ReadFile(ga.Path(weightsFile))
	b, _ := os.ReadFile(gb.Path(weightsFile))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("weights after the failed save and -resume differ from an uninterrupted run's")
	}
}

// saveState writes a generation whose run state is st into dir, the way a demo of another
// version (or a bug) might have: validly checksummed, but with contents to be checked.
func saveState(t *testing.T, dir string, st any) {
	t.Helper()
	m, err := checkpoint.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	empty := func(w io.Writer) error { return nil }
	if _, err := m.Save(st, checkpoint.File{Name: weightsFile, Write: empty}, checkpoint.File{Name: solverFile, Write: empty}); err != nil {
		t.Fatal(err)
	}
}

// TestResumeValidatesStoredConfig is issue 8, defect 3: an unknown model, schedule or dtype in
// the stored run state was silently replaced by a default, and an edited lr was printed but not
// used. Now the stored configuration is checked as strictly as the flags, and the run state is
// checksummed with the checkpoint, so an edit counts as damage.
func TestResumeValidatesStoredConfig(t *testing.T) {
	good := testConfig(t, "mlp", 300, 2, 50)
	base := RunState{Version: stateVersion, Config: good}
	for _, c := range []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"model", func(m map[string]any) { m["config"].(map[string]any)["model"] = "rnn" }, `stored configuration: -model "rnn": want one of mlp, cnn`},
		{"schedule", func(m map[string]any) { m["config"].(map[string]any)["schedule"] = "linear" }, `-schedule "linear"`},
		{"dtype", func(m map[string]any) { m["config"].(map[string]any)["dtype"] = "float16" }, `-dtype "float16"`},
		{"solver", func(m map[string]any) { m["config"].(map[string]any)["solver"] = "lbfgs" }, `-solver "lbfgs"`},
		{"lr", func(m map[string]any) { m["config"].(map[string]any)["lr"] = -1 }, "-lr -1"},
		{"unknown field", func(m map[string]any) { m["config"].(map[string]any)["momentum"] = 0.5 }, `unknown field "momentum"`},
		{"epoch", func(m map[string]any) { m["epoch"] = 5 }, "epoch 5 of a 2-epoch run"},
		{"history", func(m map[string]any) { m["epoch"] = 1 }, "0 epochs of history for 1 completed epochs"},
		{"version", func(m map[string]any) { m["version"] = 1 }, "run state version 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, _ := json.Marshal(base)
			var m map[string]any
			json.Unmarshal(b, &m)
			c.edit(m)
			cfg := testConfig(t, "mlp", 300, 2, 50)
			saveState(t, cfg.Out, m)
			cfg.Resume = true
			_, err := run(context.Background(), cfg, map[string]bool{"resume": true}, mustNotBuild(t), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), checkpoint.ManifestFile) {
				t.Errorf("error %v, want %q naming the manifest", err, c.want)
			}
		})
	}
	// An lr edited by hand in the manifest breaks its checksum: the generation is damaged, and
	// -resume falls back to the previous one (here there is none) rather than use it.
	cfg := testConfig(t, "mlp", 300, 1, 50)
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	g, _ := readRunState(t, cfg.Out)
	mp := g.Path(checkpoint.ManifestFile)
	mb, _ := os.ReadFile(mp)
	edited := bytes.Replace(mb, []byte(`"lr": 0.001`), []byte(`"lr": 0.1`), 1)
	if bytes.Equal(edited, mb) {
		t.Fatalf("no lr in %s", mb)
	}
	os.WriteFile(mp, edited, 0o644)
	cfg.Resume = true
	var errOut bytes.Buffer
	_, err := run(context.Background(), cfg, map[string]bool{"resume": true}, mustNotBuild(t), io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "every generation is damaged") || !strings.Contains(errOut.String(), "MANIFEST.json does not match") {
		t.Errorf("edited lr: %v\n%s", err, errOut.String())
	}
}

// mustNotBuild is a program constructor that fails the test: the run must stop before it.
func mustNotBuild(t *testing.T) newProgramFunc {
	return func(Config, int, int, int, int) (program, error) {
		t.Error("the run got as far as building the model")
		return nil, errors.New("must not build")
	}
}

// TestFreshRunRefusesExistingRun is issue 8, defect 8: a fresh run into a directory holding a
// run overwrote it silently, and an unwritable -out was discovered only after a full epoch.
func TestFreshRunRefusesExistingRun(t *testing.T) {
	cfg := testConfig(t, "mlp", 300, 1, 50)
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	g, _ := readRunState(t, cfg.Out)
	before, _ := os.ReadFile(g.Path(weightsFile))
	_, err := run(context.Background(), cfg, nil, mustNotBuild(t), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already holds a run") || !strings.Contains(err.Error(), "-resume -out "+cfg.Out) || !strings.Contains(err.Error(), "-force") {
		t.Errorf("fresh run into a run directory: %v", err)
	}
	if after, _ := os.ReadFile(g.Path(weightsFile)); !bytes.Equal(before, after) {
		t.Error("the refused run changed the weights")
	}
	// Reports alone (a run from an older demo) count too.
	old := t.TempDir()
	os.WriteFile(filepath.Join(old, "run.json"), []byte("{}"), 0o644)
	c2 := cfg
	c2.Out = old
	if _, err := run(context.Background(), c2, nil, mustNotBuild(t), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "(run.json)") {
		t.Errorf("older demo's run: %v", err)
	}
	c2.Resume = true
	if _, err := run(context.Background(), c2, map[string]bool{"resume": true}, mustNotBuild(t), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "older demo") {
		t.Errorf("resume of an older demo's run: %v", err)
	}
	// -force replaces the run: generation numbering starts again, the old reports are gone.
	cfg.Force = true
	cfg.Seed = 2
	if _, err := run(context.Background(), cfg, nil, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	g2, st := readRunState(t, cfg.Out)
	if st.Config.Seed != 2 || g2.Seq != 1 {
		t.Errorf("after -force: seed %d, generation %d", st.Config.Seed, g2.Seq)
	}
	if _, _, err := parseFlags([]string{"-resume", "-force"}, io.Discard); err == nil || !strings.Contains(err.Error(), "exclude each other") {
		t.Errorf("-resume -force: %v", err)
	}
	// An -out that cannot be created, or is not writable, fails before anything is built.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	c3 := testConfig(t, "mlp", 300, 1, 50)
	c3.Out = filepath.Join(file, "run")
	if _, err := run(context.Background(), c3, nil, mustNotBuild(t), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-out") {
		t.Errorf("-out under a file: %v", err)
	}
	c3.Out = readOnlyDir(t)
	if c3.Out != "" {
		if _, err := run(context.Background(), c3, nil, mustNotBuild(t), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only -out: %v", err)
		}
	}
}

// readOnlyDir returns a directory this process cannot write to ("" if it cannot make one:
// root ignores permissions, so it needs a read-only mount).
func readOnlyDir(t *testing.T) string {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return dir
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Logf("no read-only directory available (%v): skipping that case", err)
		return ""
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	return dir
}

// cancelOnEval cancels ctx during the first evaluation (between an epoch's last step and its
// checkpoint).
type cancelOnEval struct {
	program
	cancel context.CancelFunc
}

func (c *cancelOnEval) Eval(x tensor.Tensor) (tensor.Tensor, error) {
	c.cancel()
	return c.program.Eval(x)
}

// TestDemoFlagsAndHints is issue 8, defect 14: -weight-decay -5 was silently replaced by 0.01;
// -lr 1e6 said "want a positive learning rate" without the real cap; an interrupt at an epoch
// boundary printed a resume hint without -out; -resume on a finished run rewrote every file.
func TestDemoFlagsAndHints(t *testing.T) {
	for want, args := range map[string][]string{
		`invalid value "-5" for flag -weight-decay: -5: want a weight decay in [0, 1000]`: {"-weight-decay", "-5"},
		`-weight-decay: "x" is not a number`:                                              {"-weight-decay", "x"},
		`-weight-decay: 2000: want a weight decay in [0, 1000]`:                           {"-weight-decay", "2000"},
		`-lr 1e+06: want a learning rate in (0, 1000]`:                                    {"-lr", "1e6"},
	} {
		if _, _, err := parseFlags(args, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", args, err, want)
		}
	}
	if c, _, err := parseFlags([]string{"-weight-decay", "0"}, io.Discard); err != nil || c.WeightDecay != 0 {
		t.Errorf("-weight-decay 0: %v %v", c.WeightDecay, err)
	}

	// An interrupt between the last step of an epoch and its checkpoint.
	cfg := testConfig(t, "mlp", 300, 2, 50)
	ctx, cancel := context.WithCancel(context.Background())
	onEval := func(c Config, rows, cols, classes, spe int) (program, error) {
		p, err := newFakeProgram(0)(c, rows, cols, classes, spe)
		return &cancelOnEval{program: p, cancel: cancel}, err
	}
	var out bytes.Buffer
	res, err := run(ctx, cfg, nil, onEval, &out, io.Discard)
	cancel()
	if err != nil || !res.Interrupted {
		t.Fatalf("%v, interrupted %v", err, res != nil && res.Interrupted)
	}
	if !strings.Contains(out.String(), "interrupted before epoch 2") || !strings.Contains(out.String(), "-resume -out "+cfg.Out) {
		t.Errorf("hint at an epoch boundary:\n%s", out.String())
	}

	// Finish the run, then -resume it again: it says so and leaves every file as it was.
	cfg.Resume = true
	if _, err := run(context.Background(), cfg, map[string]bool{"resume": true}, newFakeProgram(0), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	snap := func() map[string]string {
		m := map[string]string{}
		filepath.Walk(cfg.Out, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b, _ := os.ReadFile(p)
				m[p] = fi.ModTime().String() + string(b)
			}
			return nil
		})
		return m
	}
	before := snap()
	out.Reset()
	res, err = run(context.Background(), cfg, map[string]bool{"resume": true}, mustNotBuild(t), &out, io.Discard)
	if err != nil || !res.AlreadyDone || len(res.History) != 2 || len(res.Files) != 0 {
		t.Fatalf("resume of a finished run: %v %+v", err, res)
	}
	if !strings.Contains(out.String(), "already finished: 2 epochs") || !strings.Contains(out.String(), "-force -out "+cfg.Out) {
		t.Errorf("resume of a finished run says:\n%s", out.String())
	}
	after := snap()
	if len(after) != len(before) || len(after) < 7 {
		t.Errorf("files: %d before, %d after", len(before), len(after))
	}
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed", p)
		}
	}
}
