package main

import (
	"context"
	"fmt"
	"io"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/distributed"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/report"
)

// Data-parallel training (issue 14). Built with -tags mpi and started by mpirun, the demo is one
// rank of an MPI job:
//
//	go build -tags mpi -o demo-mpi ./cmd/demo
//	mpirun -np 2 ./demo-mpi -threads 1 -out runs/mnist-mpi
//
// -batch stays the global batch: every rank trains on its shard of it (data.WithShard) with
// batch -batch/ranks, the gradients are averaged over the ranks (distributed.DataParallel), so
// the same flags give the run of one process up to rounding. Rank 0 prints, draws the progress
// bar and writes the checkpoint, metrics and plots; evaluation is sharded and its sums
// all-reduced; a stop request (Ctrl-C on one rank) is agreed on by all ranks at the next batch.
// Built without the tag, world is a single process and all of this is the identity.

// world is the job this process belongs to.
var world distributed.Communicator = distributed.Local{}

// dataParallel is the DataParallel solver of the last program built (for the all-reduce timing).
var dataParallel *distributed.DataParallel

// joinWorld joins the MPI job (a single process without the mpi tag or mpirun), checks that the
// global batch splits over the ranks, and on ranks other than 0 turns off the progress bar and
// returns io.Discard as the standard output.
func joinWorld(cfg *Config, stdout io.Writer) (io.Writer, error) {
	c, err := distributed.World()
	if err != nil {
		return nil, err
	}
	world = c
	if n := c.Size(); cfg.Batch%n != 0 {
		return nil, errors.Errorf("-batch %d does not split over %d ranks: use a multiple of %d", cfg.Batch, n, n)
	}
	if c.Rank() != 0 {
		cfg.Progress = false
		return io.Discard, nil
	}
	if c.Size() > 1 {
		fmt.Fprintf(stdout, "data-parallel: %d ranks (Open MPI), batch %d per rank, gradients averaged over the ranks\n", c.Size(), cfg.Batch/c.Size())
	}
	return stdout, nil
}

// leaveWorld reports the time spent in collectives (rank 0) and ends this rank's part in the job.
func leaveWorld(stdout io.Writer) error {
	if d := dataParallel; d != nil && world.Size() > 1 {
		comm, steps := d.CommTime()
		if steps > 0 {
			fmt.Fprintf(stdout, "data-parallel: %d steps, all-reduce and broadcasts %.2f ms per step (wall time)\n",
				steps, float64(comm.Microseconds())/1e3/float64(steps))
		}
	}
	return world.Close()
}

// localBatch is this rank's share of the global batch.
func localBatch(cfg Config) int { return cfg.Batch / world.Size() }

// shardOption is the data.BatchOption that gives this rank its shard of every epoch.
func shardOption() data.BatchOption { return data.WithShard(world.Rank(), world.Size()) }

// newDataParallelTrainer builds the demo's trainer with the solver wrapped in DataParallel and
// rank 0's initial weights broadcast.
func newDataParallelTrainer(m graph.Module, s *graph.Store, xShape tensor.Shape, yShape tensor.Shape,
	loss graph.LossFunc, solver gorgonia.Solver) (*graph.Trainer, error) {
	tr, d, err := distributed.NewTrainer(world, m, s, xShape, tensor.Int, yShape, loss, solver)
	if err != nil {
		return nil, err
	}
	dataParallel = d
	return tr, nil
}

// stopAgreed reports whether any rank's context is cancelled; every rank calls it after every
// batch, so all stop after the same one.
func stopAgreed(ctx context.Context) (bool, error) {
	if world.Size() == 1 {
		return ctx.Err() != nil, nil
	}
	var flag [1]float64
	if ctx.Err() != nil {
		flag[0] = 1
	}
	if err := world.AllReduceSum(distributed.Buf(flag[:])); err != nil {
		return false, err
	}
	return flag[0] > 0, nil
}

// reduceParts sums the accumulators of the unfinished epoch over the ranks (before they are
// reported or saved; rank 0's elapsed time is kept).
func reduceParts(st *RunState) error {
	if world.Size() == 1 {
		return nil
	}
	v := []float64{st.PartLossSum, float64(st.PartCorrect), float64(st.PartSeen)}
	if err := world.AllReduceSum(distributed.Buf(v)); err != nil {
		return errors.Wrap(err, "summing the train metrics over the ranks")
	}
	st.PartLossSum, st.PartCorrect, st.PartSeen = v[0], int(v[1]), int(v[2])
	return nil
}

// resumeParts leaves the saved accumulators of the unfinished epoch (sums over all ranks) on
// rank 0 only, so that reduceParts does not count them once per rank.
func resumeParts(st *RunState) {
	if world.Rank() != 0 {
		st.PartLossSum, st.PartCorrect, st.PartSeen = 0, 0, 0
	}
}

// reduceEval sums a sharded evaluation over the ranks: the loss sum and the confusion matrix.
func reduceEval(lossSum float64, conf *report.Confusion) (float64, error) {
	if world.Size() == 1 {
		return lossSum, nil
	}
	v := make([]float64, 0, 1+conf.K*conf.K)
	v = append(v, lossSum)
	for _, row := range conf.M {
		for _, n := range row {
			v = append(v, float64(n))
		}
	}
	if err := world.AllReduceSum(distributed.Buf(v)); err != nil {
		return 0, errors.Wrap(err, "summing the evaluation over the ranks")
	}
	for i, row := range conf.M {
		for j := range row {
			row[j] = int(v[1+i*conf.K+j])
		}
	}
	return v[0], nil
}

// rank0First runs f on rank 0 and, once every rank knows that it succeeded, on the others: for
// work that changes the run directory, which two ranks must not do at once. An error on rank 0
// ends every rank's run.
func rank0First(f func() error) error {
	var err error
	if isRank0() {
		err = f()
	}
	if world.Size() > 1 {
		var failed [1]float64
		if err != nil {
			failed[0] = 1
		}
		if aerr := world.AllReduceSum(distributed.Buf(failed[:])); aerr != nil {
			return errors.Wrap(aerr, "waiting for rank 0 to prepare -out")
		}
		if failed[0] > 0 && err == nil {
			return errors.New("rank 0 could not prepare -out (its message says why)")
		}
	}
	if !isRank0() {
		err = f()
	}
	return err
}

// isRank0 reports whether this process writes the run's files.
func isRank0() bool { return world.Rank() == 0 }

// saveRank0 saves the checkpoint on rank 0 (every rank holds the same weights and solver
// state) and does nothing on the others.
func (r *runner) saveRank0() error {
	if !isRank0() {
		return nil
	}
	return r.save()
}
