package main

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stheno-ml/stheno/checkpoint"
	"github.com/stheno-ml/stheno/data"
)

// writeTinyMNIST writes an MNIST-style directory of n training and m test 8×8 images whose
// class is recoverable from the pixels, so the MLP learns something.
func writeTinyMNIST(t *testing.T, n, m int) string {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewSource(7))
	write := func(images, labels string, count int) {
		pix, lab := make([]byte, count*64), make([]byte, count)
		for i := range lab {
			lab[i] = byte(r.Intn(10))
			for j := 0; j < 64; j++ {
				v := r.Intn(60)
				if j%10 == int(lab[i]) {
					v += 180
				}
				pix[i*64+j] = byte(v)
			}
		}
		for _, f := range []struct {
			name string
			dims []int
			b    []byte
		}{{images, []int{count, 8, 8}, pix}, {labels, []int{count}, lab}} {
			var buf bytes.Buffer
			if err := data.WriteIDX(&buf, f.dims, f.b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(data.TrainImagesFile, data.TrainLabelsFile, n)
	write(data.TestImagesFile, data.TestLabelsFile, m)
	return dir
}

// committed returns the steps of the newest intact generation in dir (-1 if none). It only
// reads: Latest's clean-up is the demo's job.
func committed(t *testing.T, dir string) int {
	t.Helper()
	p, err := os.ReadFile(filepath.Join(dir, checkpoint.PointerFile))
	if err != nil {
		return -1
	}
	var ptr struct{ Dir string }
	if err := json.Unmarshal(p, &ptr); err != nil {
		t.Fatalf("%s is not JSON after a kill: %v", checkpoint.PointerFile, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ptr.Dir, checkpoint.ManifestFile))
	if err != nil {
		t.Fatalf("the pointer names %s, which has no manifest: %v", ptr.Dir, err)
	}
	var mf struct {
		Manifest struct {
			Meta struct{ Steps int }
		}
	}
	if err := json.Unmarshal(b, &mf); err != nil {
		t.Fatal(err)
	}
	return mf.Manifest.Meta.Steps
}

// saving reports whether a save is under way in dir: a generation directory newer than the
// one the pointer names.
func saving(dir string) bool {
	p, _ := os.ReadFile(filepath.Join(dir, checkpoint.PointerFile))
	var ptr struct{ Generation int64 }
	json.Unmarshal(p, &ptr)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		var n int64
		if len(e.Name()) == 12 && e.Name()[:4] == "gen-" {
			n, _ = strconv.ParseInt(e.Name()[4:], 10, 64)
		}
		if n > ptr.Generation {
			return true
		}
	}
	return false
}

// TestSoakKill9 is issue 8, item 6b: a real demo process (built here) training the MLP is
// SIGKILLed at 30 random moments, half of them chosen while a checkpoint is being written, and
// resumed after each; no kill may lose a committed checkpoint, and the final weights and solver
// state must be byte-for-byte those of an uninterrupted run. -short kills 8 times.
func TestSoakKill9(t *testing.T) {
	kills := 30
	if testing.Short() {
		kills = 8
	}
	bin := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the demo: %v\n%s", err, out)
	}
	dataDir := writeTinyMNIST(t, 512, 100)
	args := func(out string, extra ...string) []string {
		return append([]string{"-data", dataDir, "-epochs", "20", "-batch", "32", "-threads", "1", "-out", out}, extra...)
	}
	ref := filepath.Join(t.TempDir(), "ref")
	start := time.Now()
	if out, err := exec.Command(bin, args(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	runTime := time.Since(start)

	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	ga, sa := readRunState(t, ref)
	// compare checks a finished run against the uninterrupted one.
	compare := func(dir string, kills int) {
		gb, sb := readRunState(t, dir)
		if !sb.Done || sa.Steps != sb.Steps {
			t.Fatalf("resumed run: done %v, %d steps, want %d", sb.Done, sb.Steps, sa.Steps)
		}
		for _, f := range []string{weightsFile, solverFile} {
			a, _ := os.ReadFile(ga.Path(f))
			b, _ := os.ReadFile(gb.Path(f))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s after %d kills differs from the uninterrupted run's", f, kills)
			}
		}
		for i := range sa.History {
			a, b := sa.History[i], sb.History[i]
			a.Seconds, b.Seconds = 0, 0
			if a != b {
				t.Errorf("epoch %d metrics differ:\n%+v\n%+v", i+1, a, b)
			}
		}
	}
	// Runs are killed until the total reaches kills; a run that finishes on its own before
	// that is compared and a new one started.
	total, inSave, runs := 0, 0, 0
	for total < kills {
		runs++
		dir := filepath.Join(t.TempDir(), "soak")
		best, n := -1, 0
		var log bytes.Buffer
		for total < kills {
			extra := []string{"-resume"}
			if committed(t, dir) < 0 {
				extra = []string{"-force"} // nothing committed yet: start (again) from scratch
			}
			cmd := exec.Command(bin, args(dir, extra...)...)
			cmd.Stdout, cmd.Stderr = &log, &log
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitSave := total%2 == 1
			deadline := time.After(time.Duration(r.Int63n(int64(runTime / 10))))
			var exitErr error
			exited := false
		wait:
			for {
				select {
				case exitErr = <-done:
					exited = true
					break wait
				case <-deadline:
					if !waitSave {
						break wait
					}
				default:
					if waitSave && saving(dir) {
						break wait
					}
					if !waitSave {
						time.Sleep(time.Millisecond)
					}
				}
			}
			if exited {
				if exitErr != nil {
					t.Fatalf("run %d: the demo failed on its own: %v\n%s", runs, exitErr, log.String())
				}
				break // finished before the next kill
			}
			if saving(dir) {
				inSave++
			}
			cmd.Process.Kill() // SIGKILL
			<-done
			total++
			n++
			c := committed(t, dir)
			if c < best {
				t.Fatalf("run %d, kill %d: the committed checkpoint went back from step %d to %d\n%s", runs, n, best, c, log.String())
			}
			best = c
		}
		// Resume to the end (a no-op if it finished).
		for committed(t, dir) < 0 {
			if out, err := exec.Command(bin, args(dir, "-force")...).CombinedOutput(); err != nil {
				t.Fatalf("fresh run after the kills: %v\n%s", err, out)
			}
		}
		if out, err := exec.Command(bin, args(dir, "-resume")...).CombinedOutput(); err != nil {
			t.Fatalf("final resume: %v\n%s\n%s", err, out, log.String())
		}
		compare(dir, n)
	}
	if inSave == 0 {
		t.Errorf("none of the %d kills landed inside a save", kills)
	}
	t.Logf("%d kills (%d inside a save) over %d run(s) of %v each; checkpoints never went back, final weights bit-identical",
		kills, inSave, runs, runTime.Round(time.Millisecond))
}
