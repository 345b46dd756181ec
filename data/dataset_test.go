package data

import (
	"strings"
	"testing"
)

// TestNewDatasetValidates is issue 8, defect 7: NewDataset accepted Pixels of the wrong length
// and Batcher.Next then panicked; a hand-built Dataset is checked by NewBatcher too.
func TestNewDatasetValidates(t *testing.T) {
	img := func(n, r, c, pixels int) *Images {
		return &Images{N: n, Rows: r, Cols: c, Pixels: make([]byte, pixels)}
	}
	cases := []struct {
		name    string
		img     *Images
		labels  int
		classes int
		want    string
	}{
		{"short pixels", img(3, 2, 2, 11), 3, 10, "3 images of 2×2 pixels need 12 bytes, Pixels holds 11"},
		{"long pixels", img(3, 2, 2, 13), 3, 10, "need 12 bytes, Pixels holds 13"},
		{"labels", img(3, 2, 2, 12), 2, 10, "3 images but 2 labels"},
		{"zero rows", img(3, 0, 2, 0), 3, 10, "positive image size"},
		{"negative N", img(-1, 2, 2, 0), 0, 10, "want N ≥ 0"},
		{"overflow", img(0, 1<<32-1, 1<<32-1, 0), 0, 10, "too large"},
		{"classes", img(1, 1, 1, 1), 1, 0, "0 classes"},
		{"nil", nil, 0, 10, "nil images"},
	}
	for _, c := range cases {
		_, err := NewDataset(c.img, make([]byte, c.labels), c.classes)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := NewDataset(&Images{N: 2, Rows: 1, Cols: 1, Pixels: []byte{1, 2}}, []byte{0, 10}, 10); err == nil || !strings.Contains(err.Error(), "label 10 at index 1") {
		t.Errorf("label out of range: %v", err)
	}
	d, err := NewDataset(img(3, 2, 2, 12), []byte{0, 1, 2}, 3)
	if err != nil || d.N != 3 || d.Features() != 4 {
		t.Fatalf("valid dataset: %+v, %v", d, err)
	}
	// A Dataset built by hand with too few pixels used to panic in Next; now NewBatcher refuses it.
	bad := &Dataset{N: 3, Rows: 2, Cols: 2, Classes: 3, Pixels: make([]byte, 8), Labels: []byte{0, 1, 2}}
	if _, err := NewBatcher(bad, 2); err == nil || !strings.Contains(err.Error(), "NewBatcher") || !strings.Contains(err.Error(), "Pixels holds 8") {
		t.Errorf("NewBatcher of an inconsistent Dataset: %v", err)
	}
}
