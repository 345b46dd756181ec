//go:build !mpi

package distributed

import (
	"os"
	"strconv"

	"github.com/pkg/errors"
)

// World returns the communicator of the job this process belongs to. Built without the mpi tag it
// is Local, rank 0 of 1, whatever the options; it reports an error if the process was started by
// mpirun with more than one rank (each would otherwise train alone and write the same files).
func World(opts ...Option) (Communicator, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if n, err := strconv.Atoi(os.Getenv("OMPI_COMM_WORLD_SIZE")); err == nil && n > 1 {
		return nil, errors.Errorf("distributed: started by mpirun as one of %d ranks, but built without MPI: rebuild with -tags mpi", n)
	}
	return Local{}, nil
}

// MPI reports whether this build has the MPI backend (the mpi build tag).
const MPI = false
