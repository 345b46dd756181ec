// Package distributed trains one model on many processes (and machines) at once, data-parallel,
// with the semantics of PyTorch's DistributedDataParallel, over MPI.
//
// A Communicator connects the ranks of a job: Rank, Size, an in-place AllReduceSum, Broadcast,
// AllGather and Barrier over float32 or float64 slices (one generic entry, Buf). World returns
// the job's communicator:
//
//   - built without the mpi tag (the default), World is a single process of rank 0 and size 1
//     and the package needs no MPI, no cgo and nothing installed;
//   - built with -tags mpi, World is MPI_COMM_WORLD of Open MPI (pkg-config ompi-c, Debian's
//     libopenmpi-dev), so the same program runs under mpirun -np N.
//
// NewGroup connects n goroutines of one process as n ranks, for tests and for trying
// data-parallel code without MPI. Package commtest holds the conformance suite the three
// implementations pass.
//
// DataParallel wraps any gorgonia.Solver (so it plugs into graph.Trainer unchanged): at
// construction it broadcasts rank 0's parameters and buffers; every Step flattens the gradients
// of all learnables into buckets, all-reduces them, divides by the world size, broadcasts rank 0's
// buffers (BatchNorm running statistics, as DDP's broadcast_buffers) and then steps the wrapped
// solver, so every rank applies the same update. With data.WithShard (DistributedSampler) and a
// mean-reduced loss, N ranks with batch b follow the trajectory of one process with batch N·b up
// to floating-point rounding.
//
// # Failure
//
// A rank that dies makes mpirun abort the whole job: Open MPI notices a process that exits
// (killed, crashed, or returning without MPI_Finalize) and kills the others. A rank that hangs
// while the others wait in a collective is caught by this package's watchdog: a collective that
// has not completed within the timeout (WithTimeout, default 10 minutes, or the environment
// variable STHENO_MPI_TIMEOUT, a Go duration) prints which collective on which rank timed out and
// calls MPI_Abort, which ends the job. MPI errors are returned (MPI_ERRORS_RETURN), not fatal.
//
// # Binding
//
// The MPI backend is a thin cgo wrapper of its own over the MPI C API (MPI_Init_thread,
// MPI_Allreduce with MPI_IN_PLACE, MPI_Bcast, MPI_Allgather, MPI_Barrier, MPI_Abort,
// MPI_Comm_set_errhandler), about 200 lines. The existing bindings were considered and not used:
// github.com/sbromberger/gompi (maintained, tests under mpirun) discards every MPI return code,
// has no MPI_IN_PLACE (all-reduce needs a second buffer of the gradients' size and a copy), no
// build tag (importing it makes every build need mpi.h) and no pkg-config line, and its
// BcastBytes passes MPI_INT32_T with a byte count; cogentcore's base/mpi does check errors and
// has the right build-tag pattern, but it lives inside the large cogentcore.org/core module and
// has no in-place all-reduce either. The operations needed here are few and fixed, so owning
// them costs less than working around either.
package distributed
