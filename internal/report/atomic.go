package report

import (
	"io"

	"github.com/stheno-ml/stheno/internal/fsx"
)

// WriteFileAtomic writes a file through write so that path either keeps its old content or gets
// the complete, durable new one (see fsx.WriteFile).
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	return fsx.WriteFile(path, 0o644, write)
}
