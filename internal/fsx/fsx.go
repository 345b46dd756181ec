// Package fsx writes files atomically and durably. It is the one place in Stheno that does so:
// models, solvers, reports and checkpoints all write through WriteFile.
//
// WriteFile's sequence is: create a temporary file next to the target (named by TempPattern),
// write, fsync the file, close, set the permissions, rename it over the target, fsync the
// directory. A crash at any point leaves either the old file or the complete new one at the
// target name (plus, at worst, a temporary file that IsTemp recognises); once WriteFile has
// returned nil, the new content survives a power loss on file systems that honour fsync.
package fsx

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

// tempMarker is part of every temporary file name WriteFile creates.
const tempMarker = ".tmp-"

// TempPattern returns the os.CreateTemp pattern WriteFile uses for a temporary copy of path's
// base name: ".<base>.tmp-*".
func TempPattern(base string) string { return "." + base + tempMarker + "*" }

// IsTemp reports whether name (a base name) is a temporary file left by an interrupted WriteFile.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// WriteFile writes path through write (buffered) so that path either keeps its old content or
// gets the complete new one, and the new one is durable when WriteFile returns nil. perm is
// the file mode of the result (0o644 if zero). On error the temporary file is removed and path
// is untouched.
func WriteFile(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	if perm == 0 {
		perm = 0o644
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPattern(filepath.Base(path)))
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
		return errors.Wrapf(err, "writing %s: fsync", path)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = os.Chmod(tmp, perm); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	if err = SyncDir(dir); err != nil {
		return errors.Wrapf(err, "writing %s", path)
	}
	return nil
}

// WriteFileBytes is WriteFile for content already in memory.
func WriteFileBytes(path string, perm os.FileMode, data []byte) error {
	return WriteFile(path, perm, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// SyncDir fsyncs the directory dir, making the creation, renaming and removal of its entries
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return errors.Wrap(err, "fsync directory")
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return errors.Wrapf(err, "fsync directory %s", dir)
}

// CheckWritable reports whether files can be created in dir, by creating and removing a
// temporary file there.
func CheckWritable(dir string) error {
	f, err := os.CreateTemp(dir, TempPattern("write-check"))
	if err != nil {
		return errors.Wrapf(err, "directory %s is not writable", dir)
	}
	name := f.Name()
	_, err = f.Write([]byte{0})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return errors.Wrapf(err, "directory %s is not writable", dir)
}

// RemoveTemps removes the temporary files interrupted WriteFile calls left in dir and returns
// their names.
func RemoveTemps(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrap(err, "removing temporary files")
	}
	var removed []string
	for _, e := range ents {
		if e.Type().IsRegular() && IsTemp(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
				return removed, errors.Wrap(err, "removing temporary files")
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}
