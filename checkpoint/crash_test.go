package checkpoint

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// crashExit is the exit code of a child process that crashed where it was told to.
const crashExit = 77

// crashChild runs in the child process: it saves generation gen into dir and exits abruptly
// (os.Exit: no deferred clean-up, as with kill -9) at step. "write NAME" crashes halfway
// through writing file NAME; at "pointer" a half-written temporary pointer is left behind, as
// a crash inside the pointer's atomic write would.
func crashChild(dir, step string, gen int) {
	m, err := New(dir)
	if err != nil {
		panic(err)
	}
	m.fail = func(s string) error {
		if s == step {
			if s == "pointer" {
				os.WriteFile(filepath.Join(dir, ".CHECKPOINT.tmp-crash"), []byte(`{"format": "stheno-chec`), 0o644)
			}
			os.Exit(crashExit)
		}
		return nil
	}
	fs := files(gen)
	for i := range fs {
		name, write := fs[i].Name, fs[i].Write
		fs[i].Write = func(w io.Writer) error {
			if step != "write "+name {
				return write(w)
			}
			var all strings.Builder
			write(&all)
			w.Write([]byte(all.String()[:all.Len()/2]))
			w.(interface{ Flush() error }).Flush()
			os.Exit(crashExit)
			return nil
		}
	}
	if _, err := m.Save(meta{gen}, fs...); err != nil {
		panic(err)
	}
	os.Exit(0)
}

// TestCrashAtEveryStep is the failpoint test of issue 8 (item 6a): a child process saving
// generation G is killed at every step of the save's sequence (and halfway through writing each
// file); afterwards Latest must return generation G-1 if the crash came before the pointer's
// switch and G after it — never neither — clear the leftovers, and the next save must work.
func TestCrashAtEveryStep(t *testing.T) {
	if step := os.Getenv("CHECKPOINT_CRASH_AT"); step != "" {
		gen, _ := strconv.Atoi(os.Getenv("CHECKPOINT_CRASH_GEN"))
		crashChild(os.Getenv("CHECKPOINT_CRASH_DIR"), step, gen)
		return
	}
	crashes := 0
	for gen := 1; gen <= 3; gen++ {
		steps := recordSteps(t, gen)
		for _, f := range files(gen) {
			steps = append(steps, "write "+f.Name)
		}
		switched, manifestDone := false, false
		for _, step := range steps {
			dir := t.TempDir()
			m, _ := New(dir)
			for g := 1; g < gen; g++ {
				if _, err := m.Save(meta{g}, files(g)...); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAtEveryStep$")
			cmd.Env = append(os.Environ(), "CHECKPOINT_CRASH_AT="+step, "CHECKPOINT_CRASH_DIR="+dir, "CHECKPOINT_CRASH_GEN="+strconv.Itoa(gen))
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != crashExit {
				t.Fatalf("generation %d, step %q: child did not crash there (%v):\n%s", gen, step, err, out)
			}
			crashes++
			// The save has switched once the pointer step has completed, i.e. at every
			// step after it (the file writes happen before it).
			after := switched && !strings.HasPrefix(step, "write ")
			// Before the first pointer exists, a generation whose manifest is complete is
			// found by scanning: the new one may then be restored already.
			if gen == 1 && manifestDone && !strings.HasPrefix(step, "write ") {
				after = true
			}
			g, err := m.Latest()
			want := gen - 1
			if after {
				want = gen
			}
			switch {
			case want == 0:
				if !errors.Is(err, ErrNoCheckpoint) {
					t.Fatalf("generation 1, step %q: %v, want no checkpoint", step, err)
				}
			case err != nil:
				t.Fatalf("generation %d, step %q: neither generation restored: %v", gen, step, err)
			default:
				checkGen(t, g, want)
			}
			for _, e := range entries(t, dir) {
				if n, ok := parseGen(e); (ok && n > int64(want)) || (!ok && e != PointerFile) {
					t.Errorf("generation %d, step %q: %s left after Latest (%v)", gen, step, e, entries(t, dir))
				}
			}
			// The run goes on: the next save succeeds and is the one restored.
			if _, err := m.Save(meta{gen + 1}, files(gen+1)...); err != nil {
				t.Fatalf("generation %d, step %q: save after the crash: %v", gen, step, err)
			}
			if g, err := m.Latest(); err != nil {
				t.Fatal(err)
			} else {
				checkGen(t, g, gen+1)
			}
			switch step {
			case "pointer":
				switched = true
			case "create " + ManifestFile:
				manifestDone = true
			}
		}
	}
	t.Logf("%d crashes, each followed by a restore of the previous or the new generation", crashes)
}
