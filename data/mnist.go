package data

import (
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// Standard file names of MNIST (and Fashion-MNIST). Each may also carry a ".gz" suffix.
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Dataset is an in-memory labelled image data set with one byte per pixel and one byte per label.
type Dataset struct {
	N, Rows, Cols int    // number of examples and image size
	Classes       int    // labels are in [0, Classes)
	Pixels        []byte // N*Rows*Cols bytes, image after image, each row-major
	Labels        []byte // N labels
}

// NewDataset checks that img is a consistent stack of images (positive size, len(Pixels) =
// N·Rows·Cols without overflow), that there is one label per image and that every label is in
// [0, classes).
func NewDataset(img *Images, labels []byte, classes int) (*Dataset, error) {
	if img == nil {
		return nil, errors.New("data: NewDataset: nil images")
	}
	if classes < 1 || classes > 256 {
		return nil, errors.Errorf("data: %d classes, want 1..256", classes)
	}
	d := &Dataset{N: img.N, Rows: img.Rows, Cols: img.Cols, Classes: classes, Pixels: img.Pixels, Labels: labels}
	if err := d.check(); err != nil {
		return nil, err
	}
	for i, l := range labels {
		if int(l) >= classes {
			return nil, errors.Errorf("data: label %d at index %d is out of range [0, %d)", l, i, classes)
		}
	}
	return d, nil
}

// maxPixels bounds N·Rows·Cols so that index arithmetic cannot overflow.
const maxPixels = 1 << 40

// check validates the sizes of d (not the label values, which Batcher does not index with).
func (d *Dataset) check() error {
	switch {
	case d.N < 0 || d.Rows < 1 || d.Cols < 1:
		return errors.Errorf("data: %d images of %d×%d pixels: want N ≥ 0 and a positive image size", d.N, d.Rows, d.Cols)
	case d.Rows > maxPixels/d.Cols || (d.N > 0 && d.N > maxPixels/(d.Rows*d.Cols)):
		return errors.Errorf("data: %d images of %d×%d pixels is too large", d.N, d.Rows, d.Cols)
	case len(d.Pixels) != d.N*d.Rows*d.Cols:
		return errors.Errorf("data: %d images of %d×%d pixels need %d bytes, Pixels holds %d", d.N, d.Rows, d.Cols, d.N*d.Rows*d.Cols, len(d.Pixels))
	case len(d.Labels) != d.N:
		return errors.Errorf("data: %d images but %d labels", d.N, len(d.Labels))
	case d.Classes < 1 || d.Classes > 256:
		return errors.Errorf("data: %d classes, want 1..256", d.Classes)
	}
	return nil
}

// Len returns the number of examples.
func (d *Dataset) Len() int { return d.N }

// Features returns the number of pixels of one image (Rows*Cols).
func (d *Dataset) Features() int { return d.Rows * d.Cols }

// Head returns a Dataset of the first n examples, sharing memory with d. n larger than d.N
// (or negative) yields d itself.
func (d *Dataset) Head(n int) *Dataset {
	if n < 0 || n >= d.N {
		return d
	}
	h := *d
	h.N = n
	h.Pixels = d.Pixels[:n*d.Features()]
	h.Labels = d.Labels[:n]
	return &h
}

// LoadMNIST reads the four standard IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or with a ".gz" suffix) from dir.
// Labels must lie in 0..9. Fashion-MNIST directories work the same way.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if train, err = loadPair(dir, TrainImagesFile, TrainLabelsFile); err != nil {
		return nil, nil, err
	}
	if test, err = loadPair(dir, TestImagesFile, TestLabelsFile); err != nil {
		return nil, nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, nil, errors.Errorf("data: %s: training images are %d×%d but test images are %d×%d",
			dir, train.Rows, train.Cols, test.Rows, test.Cols)
	}
	return train, test, nil
}

func loadPair(dir, imagesName, labelsName string) (*Dataset, error) {
	ip, err := findFile(dir, imagesName)
	if err != nil {
		return nil, err
	}
	lp, err := findFile(dir, labelsName)
	if err != nil {
		return nil, err
	}
	img, err := ReadImages(ip)
	if err != nil {
		return nil, err
	}
	lab, err := ReadLabels(lp)
	if err != nil {
		return nil, err
	}
	if img.N != len(lab) {
		return nil, errors.Errorf("data: %s holds %d images but %s holds %d labels", ip, img.N, lp, len(lab))
	}
	ds, err := NewDataset(img, lab, 10)
	if err != nil {
		return nil, errors.Wrap(err, lp)
	}
	return ds, nil
}

// findFile returns dir/name if it exists, else dir/name.gz, else an error naming both.
func findFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if _, err := os.Stat(p + ".gz"); err == nil {
		return p + ".gz", nil
	}
	return "", errors.Errorf("data: missing file: neither %s nor %s.gz exists", p, p)
}
