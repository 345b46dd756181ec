package fsx

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	if err := WriteFileBytes(p, 0o600, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := WriteFile(p, 0, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v, want boom naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("after a failed write the content is %q, want the old %q", b, "one")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want 1", len(ents))
	}
	if err := WriteFileBytes(p, 0, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("default mode %v, want 0644", fi.Mode().Perm())
	}
	if err := WriteFileBytes(filepath.Join(dir, "missing", "x"), 0, nil); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestTemps(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, TempPattern("model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.WriteFile(filepath.Join(dir, "keep.txt"), nil, 0o644)
	if !IsTemp(filepath.Base(f.Name())) || IsTemp("keep.txt") || IsTemp("a.tmp-1") {
		t.Errorf("IsTemp wrong for %s / keep.txt / a.tmp-1", filepath.Base(f.Name()))
	}
	removed, err := RemoveTemps(dir)
	if err != nil || len(removed) != 1 || removed[0] != filepath.Base(f.Name()) {
		t.Fatalf("removed %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Error(err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(dir); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("CheckWritable left %d files", len(ents))
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	if err := CheckWritable(file); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("a regular file as directory: %v", err)
	}
	if err := SyncDir(filepath.Join(dir, "nope")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
}
