//go:build mpi

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stheno-ml/stheno/distributed"
)

// Run under mpirun -np 2 (.ci/mpi.sh): the demo's data-parallel path against one process, and
// an interrupted and resumed 2-rank run against an uninterrupted one.

func TestMain(m *testing.M) {
	if os.Getenv("OMPI_COMM_WORLD_SIZE") == "" {
		os.Exit(m.Run()) // not under mpirun: the MPI tests skip
	}
	c, err := distributed.World(distributed.WithTimeout(60 * time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	world = c
	code := m.Run()
	flag := []float64{float64(code)}
	if err := c.AllReduceSum(distributed.Buf(flag)); err != nil || flag[0] != 0 {
		code = 1
	}
	c.Close()
	os.Exit(code)
}

// sharedDir is a directory every rank of this job on this machine names alike (mpirun is the
// parent of every rank).
func sharedDir(t *testing.T, name string) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("stheno-demo-mpi-%d", os.Getppid()), name)
	if world.Rank() == 0 {
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(dir)) })
	}
	return dir
}

func mpiConfig(t *testing.T, out string) Config {
	cfg := testConfig(t, "mlp", 1280, 2, 64)
	cfg.Out, cfg.Threads, cfg.testLimit, cfg.Dtype = out, 1, 2000, "float64"
	return cfg
}

// storeOf loads the weights of the run in dir into a fresh single-process program and returns them.
func storeOf(t *testing.T, cfg Config, dir string) map[string][]float64 {
	t.Helper()
	saved := world
	world = distributed.Local{}
	defer func() { world = saved }()
	p, err := newGraphProgram(cfg, 28, 28, 10, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f, err := os.Open(weightsOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.LoadWeights(f); err != nil {
		t.Fatal(err)
	}
	gp := p.(*graphProgram)
	w := map[string][]float64{}
	for _, name := range gp.store.Names() {
		tt, _ := gp.store.Get(name)
		w[name] = append([]float64(nil), tt.Data().([]float64)...)
	}
	return w
}

func TestMPIDemoMatchesOneProcessAndResumes(t *testing.T) {
	if world == nil || world.Size() != 2 {
		t.Skip("needs mpirun -np 2 (see .ci/mpi.sh)")
	}
	ctx := context.Background()
	// 1. Uninterrupted, 2 ranks × 32.
	full := mpiConfig(t, sharedDir(t, "full"))
	resA, err := run(ctx, full, nil, newGraphProgram, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// 2. Interrupted: rank 1 alone asks to stop after step 27 (epoch 2, batch 7); every rank
	// stops there, rank 0 saves; then all resume.
	part := mpiConfig(t, sharedDir(t, "resumed"))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	newP := newGraphProgram
	if world.Rank() == 1 {
		newP = cancelAfter(newGraphProgram, 27, cancel)
	}
	resB, err := run(cctx, part, nil, newP, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !resB.Interrupted {
		t.Fatalf("rank %d did not stop when rank 1 asked", world.Rank())
	}
	// A new job would start after rank 0 has written the checkpoint; here the same job goes on.
	if err := world.Barrier(); err != nil {
		t.Fatal(err)
	}
	part.Resume = true
	var out bytes.Buffer
	resC, err := run(ctx, part, map[string]bool{"resume": true}, newGraphProgram, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if world.Rank() != 0 {
		return
	}
	_, st := readRunState(t, part.Out)
	if st.Steps != 40 || !st.Done {
		t.Fatalf("resumed run: %d steps, done %v", st.Steps, st.Done)
	}
	a, _ := os.ReadFile(weightsOf(t, full.Out))
	c, _ := os.ReadFile(weightsOf(t, part.Out))
	if len(a) == 0 || !bytes.Equal(a, c) {
		t.Fatalf("interrupted and resumed 2-rank run: weights differ from the uninterrupted run (%d vs %d bytes)", len(a), len(c))
	}
	if ea, ec := resA.Final(), resC.Final(); ea.TestLoss != ec.TestLoss || ea.TrainLoss != ec.TrainLoss || ea.TrainAcc != ec.TrainAcc {
		t.Fatalf("resumed metrics %+v, uninterrupted %+v", ec, ea)
	}
	// 3. One process × 64 with the same flags reaches the same weights up to rounding (float64:
	// measured ≤ 4e-14 relative after these 40 AdamW steps; float32 gives 1.4e-5, Adam's
	// normalisation amplifying the rounding of tiny gradients).
	world1 := world
	world = distributed.Local{}
	one := mpiConfig(t, t.TempDir())
	resOne, err := run(ctx, one, nil, newGraphProgram, io.Discard, io.Discard)
	world = world1
	if err != nil {
		t.Fatal(err)
	}
	wa, wo := storeOf(t, full, full.Out), storeOf(t, one, one.Out)
	for name, ref := range wo {
		var d, m float64
		for i, v := range ref {
			d, m = max(d, math.Abs(wa[name][i]-v)), max(m, math.Abs(v))
		}
		if d/m > 1e-12 {
			t.Errorf("%s: 2 ranks vs 1 process: relative difference %g", name, d/m)
		}
		t.Logf("%s: 2 ranks vs 1 process: relative difference %.3g", name, d/m)
	}
	ea, eo := resA.Final(), resOne.Final()
	if math.Abs(ea.TestLoss-eo.TestLoss) > 1e-12*eo.TestLoss || ea.TrainAcc != eo.TrainAcc {
		t.Errorf("2 ranks: %+v\n1 process: %+v", ea, eo)
	}
	t.Logf("2 ranks: test loss %.8f acc %.4f; 1 process: test loss %.8f acc %.4f", ea.TestLoss, ea.TestAcc, eo.TestLoss, eo.TestAcc)
}

// weightsOf is the path of the weights file of the current checkpoint generation in dir.
func weightsOf(t *testing.T, dir string) string {
	t.Helper()
	g, _ := readRunState(t, dir)
	return g.Path(weightsFile)
}
