package report

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// WriteFileAtomic writes a file through write so that path either keeps its old content or gets
// the complete new one: it writes a temporary file in the same directory, syncs it and renames
// it over path. On any error the temporary file is removed and path is untouched.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = bw.Flush(); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	return nil
}
