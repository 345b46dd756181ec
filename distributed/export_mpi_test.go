//go:build mpi

package distributed

import "os"

// MPIWorldForTest is the MPI world joined by TestMain (nil when not under mpirun or in a fault
// test), for the external conformance test.
func MPIWorldForTest() Communicator {
	if world == nil || os.Getenv("STHENO_FAULT") != "" {
		return nil
	}
	return world
}
