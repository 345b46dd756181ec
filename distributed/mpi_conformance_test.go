//go:build mpi

package distributed_test

import (
	"testing"

	"github.com/stheno-ml/stheno/distributed"
	"github.com/stheno-ml/stheno/distributed/commtest"
)

// TestMPICollectives runs the conformance suite on Open MPI's MPI_COMM_WORLD (under mpirun).
func TestMPICollectives(t *testing.T) {
	c := distributed.MPIWorldForTest()
	if c == nil {
		t.Skip("needs mpirun -np 2 (see .ci/mpi.sh)")
	}
	if c.Size() < 2 {
		t.Fatalf("the MPI tests need at least 2 ranks, got %d", c.Size())
	}
	if err := commtest.Run(c); err != nil {
		t.Fatal(err)
	}
}
