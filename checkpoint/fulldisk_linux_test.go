//go:build linux

package checkpoint

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestFullDisk is issue 8, item 6c: saves into a 1 MiB tmpfs grow until the disk is full. The
// failing save must report ENOSPC, leave the previous generation current and intact, and leave
// nothing of itself behind; a smaller save afterwards succeeds. It needs permission to mount
// a tmpfs (root or CAP_SYS_ADMIN) and skips otherwise.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): the full-disk test needs root or CAP_SYS_ADMIN", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	m, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	sized := func(gen, kib int) []File {
		b := bytes.Repeat([]byte{byte(gen)}, kib<<10)
		return []File{
			{Name: "weights.bin", Write: func(w io.Writer) error { _, err := w.Write(b[:len(b)*3/4]); return err }},
			{Name: "state.bin", Write: func(w io.Writer) error { _, err := w.Write(b[len(b)*3/4:]); return err }},
		}
	}
	last := 0
	for gen := 1; gen <= 10; gen++ {
		before := strings.Join(entries(t, dir), " ")
		_, err := m.Save(meta{gen}, sized(gen, 100*gen)...)
		if err == nil {
			last = gen
			continue
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("generation %d: %v, want ENOSPC", gen, err)
		}
		if last < 2 {
			t.Fatalf("the disk was full already at generation %d", gen)
		}
		if after := strings.Join(entries(t, dir), " "); after != before {
			t.Errorf("after the failed save the directory holds %s, before %s", after, before)
		}
		g, err := m.Latest()
		if err != nil {
			t.Fatalf("after ENOSPC: %v", err)
		}
		var mt meta
		if err := g.DecodeMeta(&mt); err != nil || mt.Gen != last || len(g.Warnings) != 0 {
			t.Fatalf("after ENOSPC restored generation %d (%v, warnings %v), want %d", mt.Gen, err, g.Warnings, last)
		}
		for _, f := range sized(last, 100*last) {
			var want bytes.Buffer
			f.Write(&want)
			if got, err := os.ReadFile(g.Path(f.Name)); err != nil || !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s of generation %d differs after ENOSPC", f.Name, last)
			}
		}
		if _, err := m.Save(meta{gen}, sized(gen, 50)...); err != nil {
			t.Fatalf("a small save after ENOSPC: %v", err)
		}
		t.Logf("ENOSPC at generation %d (%d KiB); generation %d stayed current and intact", gen, 100*gen, last)
		return
	}
	t.Fatal("the disk never filled up")
}
