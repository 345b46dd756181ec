package data

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// idxBytes encodes an IDX file of unsigned bytes.
func idxBytes(t testing.TB, dims []int, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteIDX(&buf, dims, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDXRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		for _, dims := range [][]int{{5}, {3, 2, 4}, {2, 3, 4, 5}, {0, 28, 28}} {
			size := 1
			for _, d := range dims {
				size *= d
			}
			want := seq(size)
			raw := idxBytes(t, dims, want)
			if gz {
				raw = gzipBytes(t, raw)
			}
			m, err := ReadIDX(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("gz=%v dims=%v: %v", gz, dims, err)
			}
			if len(m.Dims) != len(dims) {
				t.Fatalf("gz=%v: dims %v, want %v", gz, m.Dims, dims)
			}
			for i := range dims {
				if m.Dims[i] != dims[i] {
					t.Fatalf("gz=%v: dims %v, want %v", gz, m.Dims, dims)
				}
			}
			if wantMagic := uint32(0x0800 | len(dims)); m.Magic != wantMagic {
				t.Errorf("magic 0x%08x, want 0x%08x", m.Magic, wantMagic)
			}
			if !bytes.Equal(m.Data, want) {
				t.Errorf("gz=%v dims=%v: data differs", gz, dims)
			}
		}
	}
}

func TestReadImagesAndLabelsFiles(t *testing.T) {
	dir := t.TempDir()
	pix := seq(4 * 3 * 2)
	ip := writeFile(t, dir, "img.gz", gzipBytes(t, idxBytes(t, []int{4, 3, 2}, pix)))
	lp := writeFile(t, dir, "lab", idxBytes(t, []int{4}, []byte{1, 0, 9, 3}))
	img, err := ReadImages(ip)
	if err != nil {
		t.Fatal(err)
	}
	if img.N != 4 || img.Rows != 3 || img.Cols != 2 || !bytes.Equal(img.Pixels, pix) {
		t.Fatalf("images %d×%d×%d", img.N, img.Rows, img.Cols)
	}
	lab, err := ReadLabels(lp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lab, []byte{1, 0, 9, 3}) {
		t.Fatalf("labels %v", lab)
	}
	// Swapped kinds are rejected by magic number.
	if _, err := ReadImages(lp); err == nil || !strings.Contains(err.Error(), "wrong magic number 0x00000801") || !strings.Contains(err.Error(), lp) {
		t.Errorf("labels read as images: %v", err)
	}
	if _, err := ReadLabels(ip); err == nil || !strings.Contains(err.Error(), "wrong magic number 0x00000803") {
		t.Errorf("images read as labels: %v", err)
	}
}

func TestReadIDXCorrupt(t *testing.T) {
	good := idxBytes(t, []int{2, 3, 3}, seq(18))
	gz := gzipBytes(t, good)
	badCRC := append([]byte(nil), gz...)
	badCRC[len(badCRC)-6] ^= 0xff // the CRC-32 in the gzip trailer
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "empty or truncated"},
		{"one byte", []byte{0}, "empty or truncated"},
		{"short magic", []byte{0, 0, 8}, "truncated: 3 of 4 bytes of the magic number"},
		{"nonzero first bytes", append([]byte{1, 2}, good[2:]...), "bad magic number 0x01020803: not an IDX file"},
		{"float type", append([]byte{0, 0, 0x0d, 3}, good[4:]...), "data type 0x0d is not supported"},
		{"zero dims", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"short dims", good[:9], "truncated header: 5 of 12 bytes of dimensions"},
		{"short data", good[:len(good)-1], "truncated: dimensions 2×3×3 declare 18 bytes of data, found 17"},
		{"no data", good[:16], "found 0"},
		{"trailing", append(append([]byte(nil), good...), 42), "trailing data"},
		{"huge dims", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}, "declare more than"},
		{"gzip header only", gz[:10], "truncated: 0 of 4 bytes"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0xff, 0, 0, 0, 0, 0, 0, 0}, "corrupt gzip stream"},
		{"gzip truncated", gz[:len(gz)-10], "truncated"},
		{"gzip bad checksum", badCRC, "checksum"},
		{"gzip of truncated", gzipBytes(t, good[:len(good)-2]), "declare 18 bytes of data, found 16"},
		{"gzip bad magic", gzipBytes(t, append([]byte{9, 9}, good[2:]...)), "bad magic number 0x09090803"},
	}
	for _, c := range cases {
		_, err := ReadIDX(bytes.NewReader(c.b))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		}
	}
}

func TestReadIDXFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope-idx3-ubyte")
	if _, err := ReadIDXFile(missing); err == nil || !strings.Contains(err.Error(), missing) || !os.IsNotExist(causeOf(err)) {
		t.Errorf("missing file: %v", err)
	}
	p := writeFile(t, dir, "short", idxBytes(t, []int{3}, seq(3))[:9])
	if _, err := ReadIDXFile(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
}

// causeOf unwraps pkg/errors wrappers.
func causeOf(err error) error {
	type causer interface{ Cause() error }
	for {
		c, ok := err.(causer)
		if !ok {
			return err
		}
		err = c.Cause()
	}
}

func TestWriteIDXErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteIDX(&buf, nil, nil); err == nil {
		t.Error("no dims: no error")
	}
	if err := WriteIDX(&buf, []int{2, 2}, seq(3)); err == nil || !strings.Contains(err.Error(), "need 4 bytes, got 3") {
		t.Errorf("size mismatch: %v", err)
	}
	if err := WriteIDX(&buf, []int{-1}, nil); err == nil {
		t.Error("negative dim: no error")
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestReadIDXMemoryOfRejectedFiles is issue 8, defect 13: a header claiming 4 GiB allocated 64
// MiB before noticing the file is tiny, and a small gzip expanding to far more than the file
// peaked at several times the expansion. Now a rejected file costs memory near its own size,
// and an accepted gzip file is decoded into a buffer of exactly its size.
func TestReadIDXMemoryOfRejectedFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 32 MiB")
	}
	dir := t.TempDir()
	const budget = 1 << 20
	// raw: the header declares 4 GiB - 1, the file holds 10 bytes of data
	huge := append([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff}, make([]byte, 10)...)
	hp := writeFile(t, dir, "huge-idx1-ubyte", huge)
	// gzip: 32 MiB of zeros (a 32 KiB file) under a header declaring 64 MiB
	const n = 32 << 20
	body := make([]byte, n)
	trunc := gzipBytes(t, append([]byte{0, 0, 8, 1, 0x04, 0, 0, 0}, body...))
	tp := writeFile(t, dir, "bomb-idx1-ubyte.gz", trunc)
	// gzip: declares 16 MiB, holds 32 MiB
	trail := gzipBytes(t, append([]byte{0, 0, 8, 1, 0x01, 0, 0, 0}, body...))
	lp := writeFile(t, dir, "trail-idx1-ubyte.gz", trail)
	for _, c := range []struct{ path, want string }{
		{hp, "declare 4294967295 bytes of data, found 10"},
		{tp, "declare 67108864 bytes of data, found 33554432"},
		{lp, "trailing data"},
	} {
		var err error
		if a := allocated(func() { _, err = ReadIDXFile(c.path) }); a > budget {
			t.Errorf("%s: rejecting it allocated %d bytes, want < %d", filepath.Base(c.path), a, budget)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", filepath.Base(c.path), err, c.want)
		}
	}
	// an accepted gzip of 32 MiB is decoded into one buffer of its size
	good := writeFile(t, dir, "good-idx1-ubyte.gz", gzipBytes(t, append([]byte{0, 0, 8, 1, 0x02, 0, 0, 0}, body...)))
	var m *IDX
	var err error
	if a := allocated(func() { m, err = ReadIDXFile(good) }); a > n+budget {
		t.Errorf("accepting a %d-byte file allocated %d bytes, want < %d", n, a, n+budget)
	}
	if err != nil || len(m.Data) != n {
		t.Fatalf("good file: %v", err)
	}
}

// TestReadIDXRejectsOverflowingDims is issue 8, defect 13: dims [0, 2³²−1, 2³²−1] were accepted
// (no data) and made Dataset.Features() negative.
func TestReadIDXRejectsOverflowingDims(t *testing.T) {
	b := []byte{0, 0, 8, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for _, in := range [][]byte{b, gzipBytes(t, b)} {
		if _, err := ReadIDX(bytes.NewReader(in)); err == nil || !strings.Contains(err.Error(), "declare more than 4294967296 bytes") {
			t.Errorf("error %v", err)
		}
	}
	p := writeFile(t, t.TempDir(), "empty-idx3-ubyte", b)
	if _, err := ReadImages(p); err == nil {
		t.Error("ReadImages accepted 0 images of 4294967295×4294967295")
	}
	// Non-seekable readers (a plain io.Reader) get the same checks.
	good := idxBytes(t, []int{2, 3}, seq(6))
	if m, err := ReadIDX(struct{ io.Reader }{bytes.NewReader(good)}); err != nil || len(m.Data) != 6 {
		t.Errorf("stream: %v", err)
	}
	if _, err := ReadIDX(struct{ io.Reader }{bytes.NewReader(good[:len(good)-1])}); err == nil || !strings.Contains(err.Error(), "found 5") {
		t.Errorf("truncated stream: %v", err)
	}
	if _, err := ReadIDX(struct{ io.Reader }{bytes.NewReader(gzipBytes(t, append(good, 1)))}); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("gzip stream with trailing data: %v", err)
	}
}
