//go:build !mpi

package distributed

import "testing"

func TestWorldWithoutMPI(t *testing.T) {
	c, err := World(WithTimeout(1))
	if err != nil || c.Rank() != 0 || c.Size() != 1 {
		t.Fatalf("World() = %v, %v", c, err)
	}
	if _, err := World(WithTimeout(-1)); err == nil {
		t.Fatal("WithTimeout(-1): no error")
	}
	t.Setenv("OMPI_COMM_WORLD_SIZE", "2")
	if _, err := World(); err == nil {
		t.Fatal("under mpirun with 2 ranks but without the mpi tag: no error")
	} else {
		t.Log(err)
	}
}
