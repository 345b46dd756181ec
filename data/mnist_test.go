package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeMNISTDir writes a tiny MNIST-style directory: nTrain and nTest 2×3 images; the training
// files are gzipped and the test files raw, to exercise both.
func writeMNISTDir(t *testing.T, nTrain, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	labels := func(n int) []byte {
		l := make([]byte, n)
		for i := range l {
			l[i] = byte(i % 10)
		}
		return l
	}
	writeFile(t, dir, TrainImagesFile+".gz", gzipBytes(t, idxBytes(t, []int{nTrain, 2, 3}, seq(nTrain*6))))
	writeFile(t, dir, TrainLabelsFile+".gz", gzipBytes(t, idxBytes(t, []int{nTrain}, labels(nTrain))))
	writeFile(t, dir, TestImagesFile, idxBytes(t, []int{nTest, 2, 3}, seq(nTest*6)))
	writeFile(t, dir, TestLabelsFile, idxBytes(t, []int{nTest}, labels(nTest)))
	return dir
}

func TestLoadMNISTSmall(t *testing.T) {
	dir := writeMNISTDir(t, 12, 5)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 12 || test.N != 5 || train.Rows != 2 || train.Cols != 3 || train.Classes != 10 {
		t.Fatalf("train %+v test N %d", train, test.N)
	}
	if train.Labels[11] != 1 || test.Pixels[7] != byte(7*7) {
		t.Errorf("values: label %d pixel %d", train.Labels[11], test.Pixels[7])
	}
	h := train.Head(4)
	if h.N != 4 || len(h.Pixels) != 24 || len(h.Labels) != 4 || train.N != 12 {
		t.Errorf("Head(4): N %d, %d pixels, %d labels", h.N, len(h.Pixels), len(h.Labels))
	}
	if train.Head(100) != train || train.Head(-1) != train {
		t.Error("Head beyond N should return the dataset itself")
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		os.Remove(filepath.Join(dir, TestLabelsFile))
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), "missing file") || !strings.Contains(err.Error(), TestLabelsFile) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		writeFile(t, dir, TestLabelsFile, idxBytes(t, []int{2}, []byte{1, 2}))
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), "holds 3 images but") || !strings.Contains(err.Error(), "holds 2 labels") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("label out of range", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		writeFile(t, dir, TestLabelsFile, idxBytes(t, []int{3}, []byte{1, 10, 2}))
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), "label 10 at index 1 is out of range [0, 10)") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("swapped files", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		lab, _ := os.ReadFile(filepath.Join(dir, TestLabelsFile))
		writeFile(t, dir, TestImagesFile, lab)
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), "wrong magic number 0x00000801, want 0x00000803") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		p := filepath.Join(dir, TrainImagesFile+".gz")
		b, _ := os.ReadFile(p)
		writeFile(t, dir, TrainImagesFile+".gz", b[:len(b)/2])
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("size mismatch", func(t *testing.T) {
		dir := writeMNISTDir(t, 3, 3)
		writeFile(t, dir, TestImagesFile, idxBytes(t, []int{3, 3, 2}, seq(18)))
		_, _, err := LoadMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), "training images are 2×3 but test images are 3×2") {
			t.Errorf("got %v", err)
		}
	})
}
