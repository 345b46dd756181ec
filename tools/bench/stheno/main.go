// Command stheno is the Go side of the side-by-side benchmark suite (see
// tools/bench/README.md): it reads lines "WORKLOAD THREADS" on stdin, runs
// that workload's warm-up and then its timed loop with GOMAXPROCS = THREADS,
// and prints one line "WORKLOAD THREADS CPU_SECONDS WALL_SECONDS ITERS" per
// request, CPU time being the process's user+system time (getrusage) over
// the timed loop only. tools/bench/torch_bench.py does exactly the same
// work with PyTorch; tools/bench/run.go interleaves the two.
//
// Usage: go run ./tools/bench/stheno -list   (prints the workload names)
//
//	echo "epoch_cnn 1" | go run ./tools/bench/stheno -cpuprofile cnn.prof   (profiles the timed loops)
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/data"
	"github.com/stheno-ml/stheno/data/mnist"
	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/cputime"
	"github.com/stheno-ml/stheno/internal/gemm"
	"github.com/stheno-ml/stheno/layers"
	"github.com/stheno-ml/stheno/models"
	"github.com/stheno-ml/stheno/ops"
	"github.com/stheno-ml/stheno/solvers"
)

// workload is one row of the table: setup builds it (untimed) and returns
// the loop body and how many times to run it (warm-up, then timed).
type workload struct {
	warm, iters int
	setup       func() (step func(), done func())
}

var workloads = map[string]workload{
	"gemm_2048":       {1, 5, gemmSetup(2048, 2048, 2048)},
	"gemm_64x512x784": {20, 400, gemmSetup(64, 512, 784)},
	"gemm_64x10x256":  {200, 20000, gemmSetup(64, 10, 256)},
	"ce_128x10":       {20, 2000, ceSetup(128, 10)},
	"ce_4096x1000":    {2, 20, ceSetup(4096, 1000)},
	"ce_65536x10":     {2, 20, ceSetup(65536, 10)},
	"adam_10M":        {2, 20, solverSetup("adam")},
	"sgdm_10M":        {2, 20, solverSetup("sgdm")},
	"step_mlp128_b1":  {50, 2000, stepSetup(1)},
	"step_mlp128_b64": {20, 500, stepSetup(64)},
	"epoch_mlp128":    {20, 1, epochSetup("mlp128", 20)},
	"epoch_mlp512":    {20, 1, epochSetup("mlp512", 20)},
	"epoch_cnn":       {5, 1, epochSetup("cnn", 5)},
}

// cpuTime is the process's CPU time so far.
func cpuTime() time.Duration {
	d, err := cputime.Process()
	must(err)
	return d
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// gemmSetup: C = A·B, float32, row-major, A m×k, B k×n (torch.mm(a, b, out=c)).
func gemmSetup(m, n, k int) func() (func(), func()) {
	return func() (func(), func()) {
		r := rand.New(rand.NewPCG(1, 1))
		a, b, c := randF32(r, m*k), randF32(r, k*n), make([]float32, m*n)
		return func() { gemm.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) }, nil
	}
}

// ceSetup: mean CrossEntropy of (n, classes) float32 logits against class
// indices, forward and the gradient with respect to the logits, on a
// TapeMachine (F.cross_entropy(x, t).backward()).
func ceSetup(n, classes int) func() (func(), func()) {
	return func() (func(), func()) {
		r := rand.New(rand.NewPCG(2, 2))
		g := gorgonia.NewGraph()
		xv := tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(randF32(r, n*classes)))
		t := make([]int64, n)
		for i := range t {
			t[i] = int64(r.IntN(classes))
		}
		x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(n, classes), gorgonia.WithValue(xv), gorgonia.WithName("x"))
		y := gorgonia.NewVector(g, tensor.Int64, gorgonia.WithShape(n), gorgonia.WithValue(tensor.New(tensor.WithBacking(t))), gorgonia.WithName("t"))
		loss, err := ops.CrossEntropy(x, y)
		must(err)
		_, err = gorgonia.Grad(loss, x)
		must(err)
		vm := gorgonia.NewTapeMachine(g)
		return func() {
			must(vm.RunAll())
			vm.Reset()
		}, func() { vm.Close() }
	}
}

// param is a minimal gorgonia.ValueGrad.
type param struct{ val, grad *tensor.Dense }

func (p *param) Value() gorgonia.Value         { return p.val }
func (p *param) Grad() (gorgonia.Value, error) { return p.grad, nil }

// solverSetup: one step on a single float32 parameter of 10M elements with
// a fixed gradient: Adam(lr 1e-3) or SGD(lr 0.01, momentum 0.9).
func solverSetup(kind string) func() (func(), func()) {
	return func() (func(), func()) {
		const n = 10_000_000
		r := rand.New(rand.NewPCG(3, 3))
		p := &param{tensor.New(tensor.WithShape(n), tensor.WithBacking(randF32(r, n))),
			tensor.New(tensor.WithShape(n), tensor.WithBacking(randF32(r, n)))}
		var s gorgonia.Solver
		var err error
		if kind == "adam" {
			s, err = solvers.NewAdam(solvers.WithLearnRate(1e-3))
		} else {
			s, err = solvers.NewSGD(solvers.WithLearnRate(0.01), solvers.WithMomentum(0.9))
		}
		must(err)
		model := []gorgonia.ValueGrad{p}
		return func() { must(s.Step(model)) }, nil
	}
}

// model returns the network of a training row: "mlp128" 784-128-10 ReLU,
// "mlp512" 784-512-256-10 ReLU, "cnn" the demo's conv16-conv32-fc128.
func model(name string, batch int) (graph.Module, tensor.Shape) {
	switch name {
	case "mlp128":
		return models.MLP(784, []int{128}, 10, layers.ReLU{}), tensor.Shape{batch, 784}
	case "mlp512":
		return models.MLP(784, []int{512, 256}, 10, layers.ReLU{}), tensor.Shape{batch, 784}
	}
	return layers.Sequential{
		layers.Conv2D{In: 1, Out: 16, Kernel: 3, Padding: 1}, layers.ReLU{}, layers.MaxPool2D{Kernel: 2},
		layers.Conv2D{In: 16, Out: 32, Kernel: 3, Padding: 1}, layers.ReLU{}, layers.MaxPool2D{Kernel: 2},
		layers.Flatten{}, layers.Linear{In: 32 * 7 * 7, Out: 128}, layers.ReLU{}, layers.Linear{In: 128, Out: 10},
	}, tensor.Shape{batch, 1, 28, 28}
}

// trainer: Adam (lr 1e-3), mean CrossEntropy, float32.
func trainer(name string, batch int) *graph.Trainer {
	m, xs := model(name, batch)
	adam, err := solvers.NewAdam(solvers.WithLearnRate(1e-3))
	must(err)
	loss := func(o, y *gorgonia.Node) (*gorgonia.Node, error) { return ops.CrossEntropy(o, y) }
	tr, err := graph.NewTrainer(m, graph.NewStore(tensor.Float32, 1), xs, tensor.Int64, tensor.Shape{batch}, loss, adam)
	must(err)
	return tr
}

// stepSetup: one training step of the 784-128-10 MLP on one fixed batch.
func stepSetup(batch int) func() (func(), func()) {
	return func() (func(), func()) {
		tr := trainer("mlp128", batch)
		xs := make([]float32, batch*784)
		for i := range xs {
			xs[i] = float32(i%251) / 251
		}
		ys := make([]int64, batch)
		for i := range ys {
			ys[i] = int64(i % 10)
		}
		x := tensor.New(tensor.WithShape(batch, 784), tensor.WithBacking(xs))
		y := tensor.New(tensor.WithShape(batch), tensor.WithBacking(ys))
		return func() {
			_, err := tr.Step(x, y)
			must(err)
		}, func() { tr.Close() }
	}
}

// epochSetup: one MNIST epoch, batch 64, the 937 full batches in file
// order, pixels/255, built beforehand (only the training loop is timed).
// The first warm calls (the workload's warm-up) are single steps.
func epochSetup(name string, warm int) func() (func(), func()) {
	return func() (func(), func()) {
		dir := os.Getenv("MNIST_DIR")
		if dir == "" {
			var err error
			dir, err = mnist.Dir()
			must(err)
		}
		train, _, err := data.LoadMNIST(dir)
		must(err)
		const batch = 64
		nb := train.N / batch
		px := make([]float32, nb*batch*784)
		for i := range px {
			px[i] = float32(train.Pixels[i]) / 255
		}
		lb := make([]int64, nb*batch)
		for i := range lb {
			lb[i] = int64(train.Labels[i])
		}
		_, shape := model(name, batch)
		xs := make([]*tensor.Dense, nb)
		ys := make([]*tensor.Dense, nb)
		for b := range xs {
			xs[b] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(px[b*batch*784:(b+1)*batch*784]))
			ys[b] = tensor.New(tensor.WithShape(batch), tensor.WithBacking(lb[b*batch:(b+1)*batch]))
		}
		tr := trainer(name, batch)
		next := 0
		return func() {
				if next < warm {
					_, err := tr.Step(xs[next], ys[next])
					must(err)
					next++
					return
				}
				for b := range xs {
					_, err := tr.Step(xs[b], ys[b])
					must(err)
				}
			}, func() {
				tr.Close()
			}
	}
}

func main() {
	list := flag.Bool("list", false, "print the workload names and exit")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the timed loops to this file")
	flag.Parse()
	if *list {
		names := make([]string, 0, len(workloads))
		for n := range workloads {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Println(strings.Join(names, "\n"))
		return
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var name string
		var threads int
		if _, err := fmt.Sscan(in.Text(), &name, &threads); err != nil {
			log.Fatalf("bad request %q: %v", in.Text(), err)
		}
		w, ok := workloads[name]
		if !ok {
			fmt.Printf("%s %d unknown 0 0\n", name, threads)
			continue
		}
		runtime.GOMAXPROCS(threads)
		step, done := w.setup()
		for i := 0; i < w.warm; i++ {
			step()
		}
		runtime.GC()
		if *prof != "" {
			f, err := os.Create(*prof)
			must(err)
			must(pprof.StartCPUProfile(f))
			defer f.Close()
		}
		c0, t0 := cpuTime(), time.Now()
		for i := 0; i < w.iters; i++ {
			step()
		}
		cpu, wall := cpuTime()-c0, time.Since(t0)
		if *prof != "" {
			pprof.StopCPUProfile()
		}
		if done != nil {
			done()
		}
		fmt.Printf("%s %d %.9f %.9f %d\n", name, threads, cpu.Seconds()/float64(w.iters), wall.Seconds()/float64(w.iters), w.iters)
		debug.FreeOSMemory()
	}
	must(in.Err())
}
