package distributed

import (
	"fmt"
	"math"
	"math/rand"
	"sync"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// job describes one data-parallel training run of the tests: a small MLP on random 4×4 images
// with 10 classes, the global batch split over the ranks.
type job struct {
	dt          tensor.Dtype
	solver      string // "momentum" or "adam"
	globalBatch int
	steps       int
	batchNorm   bool // put a BatchNorm1D after the first layer
	bucketBytes int  // 0: default
	wrap        bool // wrap the solver in DataParallel even on one rank
}

func (j job) String() string {
	return fmt.Sprintf("%v/%s/batch%d/steps%d", j.dt, j.solver, j.globalBatch, j.steps)
}

// randomImages is a dataset of n random 4×4 images with random labels, the same for every seed.
func randomImages(n int) *data.Dataset {
	r := rand.New(rand.NewSource(42))
	d := &data.Dataset{N: n, Rows: 4, Cols: 4, Classes: 10, Pixels: make([]byte, 16*n), Labels: make([]byte, n)}
	r.Read(d.Pixels)
	for i := range d.Labels {
		d.Labels[i] = byte(r.Intn(10))
	}
	return d
}

func (j job) model() graph.Module {
	if j.batchNorm {
		return layers.Sequential{layers.Linear{In: 16, Out: 24}, layers.BatchNorm1D{Features: 24}, layers.ReLU{}, layers.Linear{In: 24, Out: 10}}
	}
	return models.MLP(16, []int{24, 12}, 10, layers.ReLU{})
}

func (j job) newSolver() (solvers.Solver, error) {
	if j.solver == "adam" {
		return solvers.NewAdam(solvers.WithLearnRate(1e-2))
	}
	return solvers.NewSGD(solvers.WithLearnRate(0.05), solvers.WithMomentum(0.9))
}

func crossEntropy(out, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(out, y) }

// run trains j on c's rank (its shard of every global batch) and returns the store's tensors as
// float64, by name.
func (j job) run(c Communicator) (map[string][]float64, error) {
	if j.globalBatch%c.Size() != 0 {
		return nil, fmt.Errorf("global batch %d over %d ranks", j.globalBatch, c.Size())
	}
	b := j.globalBatch / c.Size()
	ds := randomImages(j.globalBatch*j.steps + 7) // 7 left over: dropped
	batches, err := data.NewBatcher(ds, b, data.WithShuffle(9), data.WithDropLast(), data.WithDtype(j.dt), data.WithShard(c.Rank(), c.Size()))
	if err != nil {
		return nil, err
	}
	// Every rank but 0 starts from other weights: the broadcast must fix that.
	store := graph.NewStore(j.dt, int64(1+100*c.Rank()))
	solver, err := j.newSolver()
	if err != nil {
		return nil, err
	}
	var tr *graph.Trainer
	var opts []DDPOption
	if j.bucketBytes > 0 {
		opts = append(opts, WithBucketBytes(j.bucketBytes))
	}
	if c.Size() > 1 || j.wrap {
		tr, _, err = NewTrainer(c, j.model(), store, tensor.Shape{b, 16}, tensor.Int, tensor.Shape{b}, crossEntropy, solver, opts...)
	} else {
		tr, err = graph.NewTrainer(j.model(), store, tensor.Shape{b, 16}, tensor.Int, tensor.Shape{b}, crossEntropy, solver)
	}
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	for s := 0; s < j.steps; s++ {
		if !batches.Next() {
			return nil, fmt.Errorf("rank %d ran out of batches at step %d", c.Rank(), s)
		}
		if _, err := tr.Step(batches.X(), batches.Y()); err != nil {
			return nil, err
		}
	}
	return weights(store), nil
}

func weights(s *graph.Store) map[string][]float64 {
	w := map[string][]float64{}
	for _, name := range s.Names() {
		t, _ := s.Get(name)
		switch d := t.Data().(type) {
		case []float32:
			v := make([]float64, len(d))
			for i, x := range d {
				v[i] = float64(x)
			}
			w[name] = v
		case []float64:
			w[name] = append([]float64(nil), d...)
		}
	}
	return w
}

// relDiff is the largest, over tensors, of max|a−b| / max|b| (b the reference).
func relDiff(a, b map[string][]float64) (float64, string) {
	worst, where := 0.0, ""
	for name, bv := range b {
		av := a[name]
		if len(av) != len(bv) {
			return math.Inf(1), name + " (missing or resized)"
		}
		var d, m float64
		for i := range bv {
			d, m = max(d, math.Abs(av[i]-bv[i])), max(m, math.Abs(bv[i]))
		}
		if r := d / max(m, 1e-300); r > worst || math.IsNaN(r) {
			worst, where = r, name
		}
	}
	return worst, where
}

// tolerance is the equivalence bound of issue 14: float64 1e-12, float32 1e-6 relative.
func tolerance(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return 1e-6
	}
	return 1e-12
}

// runGroup runs j on n goroutine ranks and returns every rank's weights.
func runGroup(t *testing.T, j job, n int) []map[string][]float64 {
	t.Helper()
	cs, err := NewGroup(n)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string][]float64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range cs {
		wg.Go(func() { out[r], errs[r] = j.run(cs[r]) })
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("%v rank %d: %v", j, r, err)
		}
	}
	return out
}

// equivalenceJobs are the runs of proof (a): SGD with momentum and Adam, both dtypes.
func equivalenceJobs() []job {
	var js []job
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range []string{"momentum", "adam"} {
			js = append(js, job{dt: dt, solver: s, globalBatch: 64, steps: 12})
		}
	}
	return js
}

// TestTwoRanksMatchOneProcess is proof (a) on goroutine ranks: 2 ranks × batch 32 reach the
// weights of 1 process × batch 64, and both ranks hold the same bits.
func TestTwoRanksMatchOneProcess(t *testing.T) {
	for _, j := range equivalenceJobs() {
		t.Run(j.String(), func(t *testing.T) {
			want, err := j.run(Local{})
			if err != nil {
				t.Fatal(err)
			}
			got := runGroup(t, j, 2)
			if d, where := relDiff(got[1], got[0]); d != 0 {
				t.Fatalf("ranks 0 and 1 differ by %g (relative) in %s", d, where)
			}
			d, where := relDiff(got[0], want)
			if d > tolerance(j.dt) {
				t.Fatalf("2 ranks vs 1 process: relative difference %g in %s, want ≤ %g", d, where, tolerance(j.dt))
			}
			// Not trivially equal: training moved the weights far from their start.
			start := job{dt: j.dt, solver: j.solver, globalBatch: 64, steps: 0}
			init, _ := start.run(Local{})
			if d0, _ := relDiff(init, want); d0 < 1e3*tolerance(j.dt) {
				t.Fatalf("training moved the weights only by %g: the test cannot tell", d0)
			}
			t.Logf("relative difference %.3g (%s)", d, where)
		})
	}
}

// TestFourRanks checks the sharding and averaging beyond two ranks.
func TestFourRanks(t *testing.T) {
	j := job{dt: tensor.Float64, solver: "adam", globalBatch: 64, steps: 8}
	want, err := j.run(Local{})
	if err != nil {
		t.Fatal(err)
	}
	got := runGroup(t, j, 4)
	for r := range got {
		if d, where := relDiff(got[r], want); d > tolerance(j.dt) {
			t.Fatalf("rank %d: relative difference %g in %s", r, d, where)
		}
	}
}

// TestBucketsDoNotChangeTheResult: tiny buckets (parameters straddle bucket boundaries) give
// the same bits as one bucket.
func TestBucketsDoNotChangeTheResult(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		j := job{dt: dt, solver: "adam", globalBatch: 16, steps: 4}
		one := runGroup(t, j, 2)
		j.bucketBytes = 40 // 5 or 10 elements: parameters of 10..384 elements straddle buckets
		many := runGroup(t, j, 2)
		if d, where := relDiff(many[0], one[0]); d != 0 {
			t.Fatalf("%v: 40-byte buckets differ from one bucket by %g in %s", dt, d, where)
		}
	}
}

// TestOneRankIsTheBareSolver is proof (b): wrapped in DataParallel on a single process, training
// gives exactly the bits of today's Trainer with the bare solver.
func TestOneRankIsTheBareSolver(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, s := range []string{"momentum", "adam"} {
			bare := job{dt: dt, solver: s, globalBatch: 64, steps: 6}
			want, err := bare.run(Local{})
			if err != nil {
				t.Fatal(err)
			}
			wrapped := bare
			wrapped.wrap = true
			got, err := wrapped.run(Local{})
			if err != nil {
				t.Fatal(err)
			}
			if d, where := relDiff(got, want); d != 0 {
				t.Fatalf("%v %s: DataParallel on one rank differs by %g in %s", dt, s, d, where)
			}
			g1 := runGroup(t, wrapped, 1)[0]
			if d, where := relDiff(g1, want); d != 0 {
				t.Fatalf("%v %s: a group of one differs by %g in %s", dt, s, d, where)
			}
		}
	}
}

// TestBatchNormBuffersFollowRankZero: with BatchNorm, every rank ends with rank 0's running
// statistics (DDP's broadcast_buffers), which training has moved.
func TestBatchNormBuffersFollowRankZero(t *testing.T) {
	j := job{dt: tensor.Float64, solver: "momentum", globalBatch: 32, steps: 5, batchNorm: true}
	got := runGroup(t, j, 2)
	if d, where := relDiff(got[1], got[0]); d != 0 {
		t.Fatalf("ranks differ by %g in %s", d, where)
	}
	mean := got[0]["1.running_mean"]
	if len(mean) != 24 {
		t.Fatalf("no 1.running_mean buffer of 24 features: %v", mean)
	}
	moved := false
	for _, v := range mean {
		moved = moved || v != 0
	}
	if !moved {
		t.Fatal("running_mean is still zero: the test cannot tell")
	}
}

// TestMismatchedModelsFail: ranks that built different models get an error, not a hang.
func TestMismatchedModelsFail(t *testing.T) {
	cs, _ := NewGroup(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range cs {
		wg.Go(func() {
			hidden := []int{8 + r}
			store := graph.NewStore(tensor.Float64, 1)
			sgd, _ := solvers.NewSGD(solvers.WithLearnRate(0.1))
			m := models.MLP(16, hidden, 10, layers.ReLU{})
			tr, _, err := NewTrainer(cs[r], m, store, tensor.Shape{4, 16}, tensor.Int, tensor.Shape{4}, crossEntropy, sgd)
			if err != nil {
				errs[r] = err
				return
			}
			defer tr.Close()
			x := tensor.New(tensor.WithShape(4, 16), tensor.Of(tensor.Float64))
			y := tensor.New(tensor.WithShape(4), tensor.Of(tensor.Int))
			_, errs[r] = tr.Step(x, y)
		})
	}
	wg.Wait()
	for r, err := range errs {
		if err == nil {
			t.Fatalf("rank %d: no error for different models", r)
		}
		t.Logf("rank %d: %v", r, err)
	}
}

func TestStepBeforeSync(t *testing.T) {
	cs, _ := NewGroup(2)
	sgd, _ := solvers.NewSGD()
	d, err := NewDataParallel(cs[0], graph.NewStore(tensor.Float32, 1), sgd)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Step(nil); err == nil {
		t.Fatal("Step before Sync on 2 ranks: no error")
	}
}
