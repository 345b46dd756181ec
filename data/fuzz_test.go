package data

import (
	"bytes"
	"testing"
)

// FuzzReadIDX checks that ReadIDX never panics and that whatever it accepts is consistent:
// the data length equals the product of the dimensions and re-encoding gives the input back
// (for raw, non-gzip input).
func FuzzReadIDX(f *testing.F) {
	good := idxBytes(f, []int{2, 2, 3}, seq(12))
	f.Add(good)
	f.Add(gzipBytes(f, good))
	f.Add(idxBytes(f, []int{4}, []byte{1, 2, 3, 4}))
	f.Add(good[:7])
	f.Add([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		size := 1
		for _, d := range m.Dims {
			size *= d
		}
		if size != len(m.Data) {
			t.Fatalf("dims %v but %d bytes", m.Dims, len(m.Data))
		}
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
			return
		}
		var buf bytes.Buffer
		if err := WriteIDX(&buf, m.Dims, m.Data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}
