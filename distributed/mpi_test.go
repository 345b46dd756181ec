//go:build mpi

package distributed

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/solvers"
)

// The tests of this file run in two ways. Under mpirun (the CI runs this test binary with
// mpirun -np 2) TestMain joins the MPI world and the TestMPI* tests check the collectives and
// the 2-rank equivalence across processes (mpi_conformance_test.go runs the commtest suite). Run directly (no mpirun), the TestFault* tests start
// mpirun themselves on this binary and check that a killed, failed or hung rank ends the job.

var world Communicator // nil unless started by mpirun

func underMPIRun() bool { return os.Getenv("OMPI_COMM_WORLD_SIZE") != "" }

func TestMain(m *testing.M) {
	if !underMPIRun() {
		os.Exit(m.Run())
	}
	c, err := World()
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(2)
	}
	world = c
	code := m.Run()
	// Agree on failure before finalising: a rank whose test failed makes every rank exit 1.
	flag := []float64{float64(code)}
	if err := c.AllReduceSum(Buf(flag)); err != nil || flag[0] != 0 {
		code = 1
	}
	if err := c.Close(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		code = 1
	}
	os.Exit(code)
}

func needWorld(t *testing.T) {
	t.Helper()
	if world == nil || os.Getenv("STHENO_FAULT") != "" {
		t.Skip("needs mpirun -np 2 (see .ci/mpi.sh)")
	}
	if world.Size() < 2 {
		t.Fatalf("the MPI tests need at least 2 ranks, got %d", world.Size())
	}
}

// TestMPIEquivalence is proof (a) across processes: every rank trains its shard of batch 64
// through Open MPI, computes the 1-process batch-64 reference itself and compares; the ranks'
// weights are gathered and must be bit-identical.
func TestMPIEquivalence(t *testing.T) {
	needWorld(t)
	// The BatchNorm run has no single-process reference (batch statistics are per rank); its
	// ranks must agree, buffers included.
	bn := job{dt: tensor.Float64, solver: "adam", globalBatch: 32, steps: 5, batchNorm: true}
	for _, j := range append(equivalenceJobs(), bn) {
		t.Run(j.String(), func(t *testing.T) {
			got, err := j.run(world)
			if err != nil {
				t.Fatal(err)
			}
			if !j.batchNorm {
				want, err := j.run(Local{})
				if err != nil {
					t.Fatal(err)
				}
				d, where := relDiff(got, want)
				if d > tolerance(j.dt) {
					t.Fatalf("rank %d: %d ranks × batch %d vs 1 × %d: relative difference %g in %s, want ≤ %g",
						world.Rank(), world.Size(), j.globalBatch/world.Size(), j.globalBatch, d, where, tolerance(j.dt))
				}
				t.Logf("rank %d: relative difference %.3g (%s)", world.Rank(), d, where)
			}
			var flat []float64
			for _, name := range sortedKeys(got) {
				flat = append(flat, got[name]...)
			}
			all := make([]float64, world.Size()*len(flat))
			if err := world.AllGather(Buf(flat), Buf(all)); err != nil {
				t.Fatal(err)
			}
			for r := 1; r < world.Size(); r++ {
				for i := range flat {
					if all[r*len(flat)+i] != all[i] {
						t.Fatalf("rank %d's weights differ from rank 0's at element %d: %v vs %v", r, i, all[r*len(flat)+i], all[i])
					}
				}
			}
		})
	}
}

func TestMPIAllReduceAllocatesNothing(t *testing.T) {
	needWorld(t)
	x := make([]float32, 1024)
	if a := testing.AllocsPerRun(50, func() { _ = world.AllReduceSum(Buf(x)) }); a != 0 {
		t.Fatalf("AllReduceSum allocates %v times per call", a)
	}
}

// TestFaultWorker is the MPI program of the fault tests (it does nothing unless STHENO_FAULT is
// set): rank 0 all-reduces until the job ends; rank 1 joins 20 all-reduces and then, by
// STHENO_FAULT, kills itself with SIGKILL, exits with status 1 without MPI_Finalize, or hangs.
func TestFaultWorker(t *testing.T) {
	mode := os.Getenv("STHENO_FAULT")
	if mode == "" || world == nil {
		t.Skip("the MPI program of the fault tests")
	}
	x := make([]float64, 1000)
	for i := 0; ; i++ {
		if world.Rank() == 1 && i == 20 {
			os.Stdout.WriteString("fault worker: rank 1 fails now (" + mode + ")\n")
			switch mode {
			case "kill":
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			case "exit":
				os.Exit(1)
			case "hang":
				time.Sleep(time.Hour)
			}
		}
		if err := world.AllReduceSum(Buf(x)); err != nil {
			t.Fatalf("rank %d: %v", world.Rank(), err)
		}
	}
}

// mpirunFault runs TestFaultWorker on 2 ranks with STHENO_FAULT=mode and returns its combined
// output and how long the job took; the job must end with an error well before limit.
func mpirunFault(t *testing.T, mode string, limit time.Duration, env ...string) string {
	t.Helper()
	if underMPIRun() {
		t.Skip("starts mpirun itself: run this binary directly")
	}
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("no mpirun on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, "-np", "2", "--oversubscribe", "--mca", "btl", "self,vader",
		os.Args[0], "-test.run=^TestFaultWorker$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, "STHENO_FAULT="+mode, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	t.Logf("mpirun (%s) ended after %v: %v\n%s", mode, took.Round(time.Millisecond), err, out.String())
	if ctx.Err() != nil {
		t.Fatalf("the job with a failed rank (%s) still ran after %v: it hangs", mode, limit)
	}
	if err == nil {
		t.Fatalf("the job with a failed rank (%s) exited with status 0", mode)
	}
	if !strings.Contains(out.String(), "rank 1 fails now") {
		t.Fatalf("rank 1 never reached the failure point: the test did not test anything")
	}
	return out.String()
}

// TestFaultKilledRank: SIGKILL of rank 1 while rank 0 waits in MPI_Allreduce ends the job
// with an error naming the killed rank.
func TestFaultKilledRank(t *testing.T) {
	out := mpirunFault(t, "kill", 60*time.Second)
	if !strings.Contains(out, "signal 9") {
		t.Fatalf("mpirun's message does not say the rank was killed by signal 9")
	}
}

// TestFaultExitedRank: rank 1 exiting with status 1 (an error, no MPI_Finalize) ends the job.
func TestFaultExitedRank(t *testing.T) {
	out := mpirunFault(t, "exit", 60*time.Second)
	if !strings.Contains(out, "exit") {
		t.Fatalf("mpirun's message does not report the exit")
	}
}

// TestFaultHungRank: rank 1 stops taking part without dying; rank 0's watchdog aborts the job
// after the 2 s timeout with a message naming the collective.
func TestFaultHungRank(t *testing.T) {
	out := mpirunFault(t, "hang", 60*time.Second, "STHENO_MPI_TIMEOUT=2s")
	if !strings.Contains(out, "distributed: rank 0 of 2: MPI_Allreduce has waited") {
		t.Fatalf("no watchdog message from rank 0")
	}
}

func sortedKeys(m map[string][]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestMPIStepAllocatesNothing: after the first step, DataParallel's own work (bucketing,
// all-reduce, scaling, buffer broadcast) allocates nothing.
func TestMPIStepAllocatesNothing(t *testing.T) {
	needWorld(t)
	for _, j := range []job{{dt: tensor.Float32, batchNorm: true}, {dt: tensor.Float64}} {
		store := graph.NewStore(j.dt, 1)
		sgd, _ := solvers.NewSGD(solvers.WithLearnRate(0.01))
		tr, d, err := NewTrainer(world, j.model(), store, tensor.Shape{4, 16}, tensor.Int, tensor.Shape{4}, crossEntropy, sgd,
			WithBucketBytes(1000))
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New(tensor.WithShape(4, 16), tensor.Of(j.dt))
		y := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int{0, 1, 2, 3}))
		if _, err := tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
		grads := gorgonia.NodesToValueGrads(tr.Learnables())
		a := testing.AllocsPerRun(20, func() {
			if err := d.s.allReduce(world, grads, d.bucketBytes); err != nil {
				t.Fatal(err)
			}
			if err := d.s.broadcast(world, store, false); err != nil {
				t.Fatal(err)
			}
		})
		tr.Close()
		if a != 0 {
			t.Fatalf("%v: %v allocations per step", j.dt, a)
		}
	}
}
