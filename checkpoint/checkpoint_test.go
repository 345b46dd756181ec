package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/models"
)

// content is the deterministic content of file name in generation gen.
func content(gen int, name string, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(gen*31 + len(name)*7 + i*13)
	}
	return b
}

type meta struct {
	Gen int `json:"gen"`
}

// files returns the files of generation gen: a larger and a smaller one.
func files(gen int) []File {
	var fs []File
	for _, f := range []struct {
		name string
		size int
	}{{"weights.bin", 40 << 10}, {"state.bin", 3000}} {
		b := content(gen, f.name, f.size)
		fs = append(fs, File{Name: f.name, Write: func(w io.Writer) error { _, err := w.Write(b); return err }})
	}
	return fs
}

// checkGen requires g to be generation gen with the expected content.
func checkGen(t *testing.T, g *Generation, gen int) {
	t.Helper()
	var m meta
	if err := g.DecodeMeta(&m); err != nil {
		t.Fatal(err)
	}
	if m.Gen != gen {
		t.Fatalf("restored generation holds metadata of %d, want %d", m.Gen, gen)
	}
	for _, f := range files(gen) {
		var want bytes.Buffer
		f.Write(&want)
		got, err := os.ReadFile(g.Path(f.Name))
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("generation %d: %s differs (%v)", gen, f.Name, err)
		}
	}
}

// entries lists dir's names, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestSaveLatestKeep(t *testing.T) {
	dir := t.TempDir()
	m, err := New(dir, WithKeep(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Latest(); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("empty directory: %v, want ErrNoCheckpoint", err)
	}
	if ok, _ := Exists(dir); ok {
		t.Error("Exists of an empty directory")
	}
	for gen := 1; gen <= 4; gen++ {
		g, err := m.Save(meta{gen}, files(gen)...)
		if err != nil {
			t.Fatal(err)
		}
		if g.Seq != int64(gen) || len(g.Warnings) != 0 {
			t.Errorf("save %d: seq %d warnings %v", gen, g.Seq, g.Warnings)
		}
		l, err := m.Latest()
		if err != nil {
			t.Fatal(err)
		}
		checkGen(t, l, gen)
	}
	if got, want := strings.Join(entries(t, dir), " "), "CHECKPOINT gen-00000003 gen-00000004"; got != want {
		t.Errorf("directory holds %s, want %s", got, want)
	}
	if got, want := strings.Join(entries(t, filepath.Join(dir, "gen-00000004")), " "), "MANIFEST.json state.bin weights.bin"; got != want {
		t.Errorf("generation holds %s, want %s", got, want)
	}
	if ok, _ := Exists(dir); !ok {
		t.Error("Exists is false after saves")
	}
	if _, err := New(dir, WithKeep(0)); err == nil {
		t.Error("WithKeep(0) accepted")
	}
	if _, err := m.Save(meta{5}, File{Name: "../x", Write: files(1)[0].Write}); err == nil {
		t.Error("a file name with a path accepted")
	}
	if _, err := m.Save(meta{5}, files(1)[0], files(1)[0]); err == nil {
		t.Error("a repeated file name accepted")
	}
	if _, err := m.Save(func() {}, files(1)...); err == nil {
		t.Error("metadata that is not JSON accepted")
	}
}

// damage applies each kind of damage to the newest of two generations and requires Latest to
// fall back to the older one with a warning naming the damaged file.
func TestLatestFallsBackWithWarning(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		warn   string
	}{
		{"flipped byte", func(t *testing.T, d string) { flip(t, filepath.Join(d, "gen-00000002", "weights.bin"), 100) }, "weights.bin: 40960 bytes with SHA-256"},
		{"truncated", func(t *testing.T, d string) { os.Truncate(filepath.Join(d, "gen-00000002", "state.bin"), 10) }, "state.bin: 10 bytes"},
		{"missing file", func(t *testing.T, d string) { os.Remove(filepath.Join(d, "gen-00000002", "state.bin")) }, "state.bin: no such file"},
		{"edited metadata", func(t *testing.T, d string) {
			p := filepath.Join(d, "gen-00000002", ManifestFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"gen": 2`), []byte(`"gen": 7`), 1), 0o644)
		}, "MANIFEST.json does not match the SHA-256 recorded in CHECKPOINT"},
		{"missing generation", func(t *testing.T, d string) { os.RemoveAll(filepath.Join(d, "gen-00000002")) }, "generation 2"},
		{"garbage pointer", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, PointerFile), []byte("{garbage"), 0o644)
			flip(t, filepath.Join(d, "gen-00000002", "weights.bin"), 5)
		}, "CHECKPOINT is damaged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var logged []string
			m, _ := New(dir, WithWarnings(func(s string) { logged = append(logged, s) }))
			for gen := 1; gen <= 2; gen++ {
				if _, err := m.Save(meta{gen}, files(gen)...); err != nil {
					t.Fatal(err)
				}
			}
			c.damage(t, dir)
			g, err := m.Latest()
			if err != nil {
				t.Fatal(err)
			}
			checkGen(t, g, 1)
			all := strings.Join(g.Warnings, "\n")
			if !strings.Contains(all, c.warn) || strings.Join(logged, "\n") != all {
				t.Errorf("warnings %q (logged %q), want one containing %q", g.Warnings, logged, c.warn)
			}
			// The next save becomes generation 3, and pruning drops the damaged generation,
			// not the intact one.
			g3, err := m.Save(meta{3}, files(3)...)
			if err != nil || g3.Seq != 3 {
				t.Fatalf("save after damage: %v, %+v", err, g3)
			}
			if got, want := strings.Join(entries(t, dir), " "), "CHECKPOINT gen-00000001 gen-00000003"; got != want {
				t.Errorf("directory holds %s, want %s", got, want)
			}
		})
	}
	// Both generations damaged: an error naming both, with ErrNoCheckpoint as cause.
	dir := t.TempDir()
	m, _ := New(dir)
	m.Save(meta{1}, files(1)...)
	m.Save(meta{2}, files(2)...)
	flip(t, filepath.Join(dir, "gen-00000001", "weights.bin"), 1)
	flip(t, filepath.Join(dir, "gen-00000002", "state.bin"), 1)
	_, err := m.Latest()
	if !errors.Is(err, ErrNoCheckpoint) || !strings.Contains(err.Error(), "generation 2") || !strings.Contains(err.Error(), "generation 1") {
		t.Errorf("all damaged: %v", err)
	}
}

func flip(t *testing.T, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0x40
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recordSteps returns the failpoint steps of one Save of generation gen into a copy of dir's state.
func recordSteps(t *testing.T, gens int) []string {
	t.Helper()
	m, _ := New(t.TempDir())
	for gen := 1; gen < gens; gen++ {
		if _, err := m.Save(meta{gen}, files(gen)...); err != nil {
			t.Fatal(err)
		}
	}
	var steps []string
	m.fail = func(s string) error { steps = append(steps, s); return nil }
	if _, err := m.Save(meta{gens}, files(gens)...); err != nil {
		t.Fatal(err)
	}
	return steps
}

// TestSaveErrorAtEveryStep fails the save (as a full disk or an I/O error would) at each step
// of its sequence: the previous generation stays current and intact, and nothing of the failed
// save is left behind.
func TestSaveErrorAtEveryStep(t *testing.T) {
	steps := recordSteps(t, 3)
	if len(steps) < 10 {
		t.Fatalf("only %d steps recorded: %v", len(steps), steps)
	}
	for _, step := range steps {
		dir := t.TempDir()
		m, _ := New(dir)
		for gen := 1; gen <= 2; gen++ {
			m.Save(meta{gen}, files(gen)...)
		}
		before := strings.Join(entries(t, dir), " ")
		errFull := errors.New("no space left on device")
		m.fail = func(s string) error {
			if s == step {
				return errFull
			}
			return nil
		}
		_, err := m.Save(meta{3}, files(3)...)
		m.fail = nil
		if strings.HasPrefix(step, "remove ") {
			// Pruning happens after the switch: the save has succeeded, the failure is a warning.
			if err != nil {
				t.Errorf("%s: %v", step, err)
			}
			g, _ := m.Latest()
			checkGen(t, g, 3)
			continue
		}
		if !errors.Is(err, errFull) || !strings.Contains(err.Error(), step) {
			t.Errorf("%s: error %v", step, err)
		}
		if after := strings.Join(entries(t, dir), " "); after != before {
			t.Errorf("%s: directory %s after the failed save, %s before", step, after, before)
		}
		g, err := m.Latest()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkGen(t, g, 2)
		if len(g.Warnings) != 0 {
			t.Errorf("%s: warnings %v", step, g.Warnings)
		}
	}
}

func TestDecodeManifest(t *testing.T) {
	good, err := encodeManifest(&manifest{Format: format, Version: version, Generation: 3, Meta: json.RawMessage(`{"a":1}`),
		Files: []fileEntry{{Name: "x", Size: 1, SHA256: strings.Repeat("ab", 32)}}})
	if err != nil {
		t.Fatal(err)
	}
	if mf, err := decodeManifest(good); err != nil || mf.Generation != 3 || len(mf.Files) != 1 {
		t.Fatalf("good manifest: %v", err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"checksum":  {`"generation": 3`, `"generation": 4`, "checksum mismatch"},
		"format":    {`"sha256"`, `"sha"`, "not a manifest"},
		"truncated": {`}`, ``, "not a manifest"},
	} {
		b := bytes.Replace(good, []byte(c.old), []byte(c.new), 1)
		if name == "truncated" {
			b = good[:len(good)-5]
		}
		if _, err := decodeManifest(b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	for name, mf := range map[string]manifest{
		"version":   {Format: format, Version: 2, Generation: 1, Meta: json.RawMessage(`{}`)},
		"gen":       {Format: format, Version: version, Generation: 0, Meta: json.RawMessage(`{}`)},
		"name":      {Format: format, Version: version, Generation: 1, Meta: json.RawMessage(`{}`), Files: []fileEntry{{Name: "../x", SHA256: strings.Repeat("0", 64)}}},
		"repeated":  {Format: format, Version: version, Generation: 1, Meta: json.RawMessage(`{}`), Files: []fileEntry{{Name: "x", SHA256: strings.Repeat("0", 64)}, {Name: "x", SHA256: strings.Repeat("0", 64)}}},
		"sha":       {Format: format, Version: version, Generation: 1, Meta: json.RawMessage(`{}`), Files: []fileEntry{{Name: "x", SHA256: "zz"}}},
		"size":      {Format: format, Version: version, Generation: 1, Meta: json.RawMessage(`{}`), Files: []fileEntry{{Name: "x", Size: -1, SHA256: strings.Repeat("0", 64)}}},
		"manifests": {Format: format, Version: version, Generation: 1, Meta: json.RawMessage(`{}`), Files: []fileEntry{{Name: ManifestFile, SHA256: strings.Repeat("0", 64)}}},
	} {
		b, err := encodeManifest(&mf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeManifest(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// fakeSolver is a Stateful whose state is a byte string.
type fakeSolver struct{ state []byte }

func (s *fakeSolver) SaveState(w io.Writer) error { _, err := w.Write(s.state); return err }
func (s *fakeSolver) LoadState(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.state = b
	return err
}

func TestSaveTrainingRestore(t *testing.T) {
	newStore := func(seed int64) *graph.Store {
		s := graph.NewStore(tensor.Float64, seed)
		if _, err := graph.NewEvaluator(models.MLP(3, []int{4}, 2, nil), s, tensor.Shape{1, 3}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	m, _ := New(t.TempDir())
	src := newStore(1)
	if _, err := m.SaveTraining(src, &fakeSolver{state: []byte("moments")}, meta{1}); err != nil {
		t.Fatal(err)
	}
	dst, sol := newStore(2), &fakeSolver{}
	g, err := m.Restore(dst, sol)
	if err != nil {
		t.Fatal(err)
	}
	if string(sol.state) != "moments" || strings.Join(g.Files, ",") != WeightsFile+","+SolverFile {
		t.Errorf("solver state %q, files %v", sol.state, g.Files)
	}
	for _, name := range src.Names() {
		a, _ := src.Get(name)
		b, _ := dst.Get(name)
		if fmt.Sprint(a.Data()) != fmt.Sprint(b.Data()) {
			t.Errorf("%s differs after Restore", name)
		}
	}
	// A model that does not match is an error, not a fallback.
	other := graph.NewStore(tensor.Float64, 1)
	graph.NewEvaluator(models.MLP(3, []int{5}, 2, nil), other, tensor.Shape{1, 3})
	if _, err := m.Restore(other, sol); err == nil || !strings.Contains(err.Error(), "model.safetensors") {
		t.Errorf("mismatching model: %v", err)
	}
}

func TestDiscard(t *testing.T) {
	dir := t.TempDir()
	m, _ := New(dir)
	m.Save(meta{1}, files(1)...)
	m.Save(meta{2}, files(2)...)
	os.WriteFile(filepath.Join(dir, "metrics.csv"), nil, 0o644)
	if err := Discard(dir); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(entries(t, dir), " "); got != "metrics.csv" {
		t.Errorf("after Discard: %s", got)
	}
	if ok, _ := Exists(dir); ok {
		t.Error("Exists after Discard")
	}
	if g, err := m.Save(meta{1}, files(1)...); err != nil || g.Seq != 1 {
		t.Errorf("save after Discard: %v", err)
	}
}
