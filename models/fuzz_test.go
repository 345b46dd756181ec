package models

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// FuzzDecode feeds arbitrary bytes to the safetensors decoder against a fixed store: it must
// never panic, a rejected input must leave the store unchanged, and an accepted one must
// re-encode to a file that decodes to the same values.
func FuzzDecode(f *testing.F) {
	src, _ := newStore(f, tensor.Float32, 1)
	var good bytes.Buffer
	if err := Write(&good, src); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:20])
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	src64, _ := newStore(f, tensor.Float64, 1)
	p := filepath.Join(f.TempDir(), "m.safetensors")
	if err := Save(p, src64); err != nil {
		f.Fatal(err)
	}
	b64, _ := os.ReadFile(p)
	f.Add(b64)
	dst, _ := newStore(f, tensor.Float32, 2)
	f.Fuzz(func(t *testing.T, raw []byte) {
		before := snapshot(dst)
		if err := Read(bytes.NewReader(raw), dst); err != nil {
			if !equalSnap(before, snapshot(dst)) {
				t.Fatalf("rejected input changed the store: %v", err)
			}
			return
		}
		var again bytes.Buffer
		if err := Write(&again, dst); err != nil {
			t.Fatal(err)
		}
		vals, err := decode(again.Bytes(), dst)
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
		for name, want := range snapshot(dst) {
			if len(vals[name]) != len(want) {
				t.Fatalf("%s: %d values after re-encoding, want %d", name, len(vals[name]), len(want))
			}
		}
	})
}
